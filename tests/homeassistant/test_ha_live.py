"""The link against a real Home Assistant Core 2024.3 with the demo integration."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from harness.homeassistant import HomeAssistant, free_port
from harness.waiting import until
from samantha.plugins.homeassistant import mapping
from samantha.plugins.homeassistant.client import HomeAssistantLink
from samantha.plugins.homeassistant.errors import (
    HomeAssistantAuthError,
    HomeAssistantUnreachableError,
    NotExposedError,
    ServiceCallError,
    UnknownEntityError,
)
from samantha.plugins.homeassistant.models import Snapshot, StateChange
from samantha.plugins.homeassistant.settings import HomeAssistantSettings


async def test_sync_gives_areas_and_named_lights(link: HomeAssistantLink) -> None:
    snapshot = await link.sync()
    assert snapshot.ha_version == "2024.3.3"
    # 2024.3 has a floor registry (the harness adds one floor) but areas carry no floor_id.
    assert snapshot.floors_supported is True
    assert [(f.name, f.level) for f in snapshot.floors] == [("Ground Floor", 0)]
    names = {a.name for a in snapshot.areas}
    assert {"Living Room", "Kitchen", "Bedroom", "Office", "Hallway", "Garage"} <= names

    living = snapshot.area_for_room("lounge")
    assert living is not None
    assert living.name == "Living Room"

    bed = snapshot.entity("light.bed_light")
    assert bed is not None
    assert bed.name == "Bed Light"
    assert bed.aliases == ["Bedside lamp"]
    assert bed.exposed
    bedroom = snapshot.area_for_room("Bedroom")
    assert bedroom is not None
    assert bed.area_id == bedroom.id  # through its device's area

    kitchen = snapshot.area_for_room("kitchen")
    assert kitchen is not None
    kitchen_lights = snapshot.entity("light.kitchen_lights")
    assert kitchen_lights is not None
    assert kitchen_lights.area_id == kitchen.id  # set on the entity itself
    in_kitchen = {e.entity_id for e in snapshot.entities_in_area(kitchen.id)}
    assert {"light.kitchen_lights", "cover.kitchen_window"} <= in_kitchen

    lights = {e.entity_id for e in snapshot.exposed_entities() if e.domain == "light"}
    assert {"light.ceiling_lights", "light.office_rgbw_lights"} <= lights


async def test_sensitive_entities_hidden_by_default(
    link: HomeAssistantLink, home_assistant: HomeAssistant
) -> None:
    snapshot = await link.sync()
    locks = [e for e in snapshot.entities if e.domain == "lock"]
    assert locks
    assert not any(e.exposed for e in locks)
    garage = snapshot.entity("cover.garage_door")
    assert garage is not None
    assert garage.device_class == "garage"
    assert not garage.exposed
    window = snapshot.entity("cover.kitchen_window")
    assert window is not None
    assert window.exposed

    before = home_assistant.state("lock.front_door")["state"]
    with pytest.raises(NotExposedError) as caught:
        await link.execute(mapping.unlock("lock.front_door"))
    assert "not exposed" in str(caught.value)
    assert caught.value.spoken
    with pytest.raises(NotExposedError):
        await link.get_state("lock.front_door")
    assert home_assistant.state("lock.front_door")["state"] == before


async def test_explicitly_exposed_lock_can_be_used(
    home_assistant: HomeAssistant, make_settings: Callable[..., HomeAssistantSettings]
) -> None:
    settings = make_settings(home_assistant, exposed={"entities": ["lock.kitchen_door"]})
    async with HomeAssistantLink(settings) as link:
        snapshot = await link.sync()
        assert [e.entity_id for e in snapshot.exposed_entities() if e.domain == "lock"] == [
            "lock.kitchen_door"
        ]
        await link.execute(mapping.lock("lock.kitchen_door"))  # the demo lock takes 2 s
        state = await link.get_state("lock.kitchen_door")
        assert state.normalised()["locked"] is True


async def test_light_brightness_round_trip(
    link: HomeAssistantLink, home_assistant: HomeAssistant
) -> None:
    await link.execute(mapping.turn_off("light.bed_light"))
    await link.execute(mapping.set_brightness("light.bed_light", 50))
    # Read back both through the link and straight from HA's REST API.
    state = await link.get_state("light.bed_light")
    assert state.normalised()["on"] is True
    assert state.normalised()["brightness"] == 50
    raw = home_assistant.state("light.bed_light")
    assert raw["state"] == "on"
    assert raw["attributes"]["brightness"] == 128

    await link.execute(mapping.set_rgb("light.bed_light", (255, 0, 0)))
    assert (await link.get_state("light.bed_light")).normalised()["rgb"] == (255, 0, 0)


async def test_set_thermostat(link: HomeAssistantLink, home_assistant: HomeAssistant) -> None:
    await link.sync()
    await link.execute(mapping.set_temperature("climate.hvac", 23.5))
    state = await link.get_state("climate.hvac")
    normalised = state.normalised(temperature_unit=link.snapshot.temperature_unit)  # type: ignore[union-attr]
    assert normalised["target_temperature"] == 23.5
    assert normalised["unit"] == "°C"
    assert home_assistant.state("climate.hvac")["attributes"]["temperature"] == 23.5

    await link.execute(mapping.set_hvac_mode("climate.hvac", "heat"))
    assert (await link.get_state("climate.hvac")).normalised()["hvac_mode"] == "heat"


async def test_cover_position_and_fan(link: HomeAssistantLink) -> None:
    await link.execute(mapping.set_cover_position("cover.hall_window", 30))

    async def window_at_30() -> bool:
        return (await link.get_state("cover.hall_window")).normalised().get("position") == 30

    # The demo hall window moves gradually: wait for it rather than reading once.
    await until(window_at_30, 15, "the hall window at 30", interval=0.1)

    await link.execute(mapping.set_fan_percentage("fan.living_room_fan", 66))
    assert (await link.get_state("fan.living_room_fan")).normalised()["percentage"] == 66


async def test_direct_change_in_ha_reaches_subscription(
    link: HomeAssistantLink, home_assistant: HomeAssistant
) -> None:
    changes: asyncio.Queue[StateChange] = asyncio.Queue()
    synced = asyncio.Event()

    def on_resync(snapshot: Snapshot) -> None:
        synced.set()

    link.watch(changes.put_nowait, on_resync=on_resync)
    await asyncio.wait_for(synced.wait(), 10)

    target = 77 if home_assistant.state("light.kitchen_lights")["attributes"].get(
        "brightness"
    ) != 77 else 78
    # Straight through HA's REST API, not through the link.
    await asyncio.to_thread(
        home_assistant.call_service,
        "light",
        "turn_on",
        entity_id="light.kitchen_lights",
        brightness=target,
    )
    change = await _next_change(changes, "light.kitchen_lights")
    assert change.new_state is not None
    assert change.new_state.attributes["brightness"] == target
    synced_entity = link.snapshot.entity("light.kitchen_lights")  # type: ignore[union-attr]
    assert synced_entity is not None
    assert synced_entity.state.attributes["brightness"] == target


async def _next_change(
    changes: asyncio.Queue[StateChange], entity_id: str, timeout: float = 10
) -> StateChange:
    async def wait() -> StateChange:
        while True:
            change = await changes.get()
            if change.entity_id == entity_id:
                return change

    return await asyncio.wait_for(wait(), timeout)


async def test_unknown_entity_and_service_errors(link: HomeAssistantLink) -> None:
    with pytest.raises(UnknownEntityError) as unknown:
        await link.get_state("light.does_not_exist")
    assert "light.does_not_exist" in str(unknown.value)
    assert unknown.value.spoken == "Home Assistant doesn't know that device."
    with pytest.raises(UnknownEntityError):
        await link.execute(mapping.turn_on("light.does_not_exist"))

    with pytest.raises(ServiceCallError) as bad_service:
        await link.call("light", "explode", "light.bed_light")
    assert "light.explode" in str(bad_service.value)
    with pytest.raises(ServiceCallError):
        await link.call("light", "turn_on", "light.bed_light", brightness_pct=500)
    # The kitchen window has no position support: HA fails the call with a 500.
    with pytest.raises(ServiceCallError) as failed:
        await link.execute(mapping.set_cover_position("cover.kitchen_window", 30))
    assert "(500: see the Home Assistant log)" in str(failed.value)
    assert failed.value.spoken == "Home Assistant couldn't do that."


async def test_bad_token_is_a_clear_error(
    home_assistant: HomeAssistant,
    make_settings: Callable[..., HomeAssistantSettings],
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = make_settings(home_assistant, token="not-a-valid-token")
    link = HomeAssistantLink(settings)
    with pytest.raises(HomeAssistantAuthError) as caught:
        await link.connect()
    await link.close()
    message = str(caught.value)
    assert message.startswith(f"Home Assistant at {home_assistant.url}: the access token")
    assert "refused (401)" in message
    assert caught.value.spoken.startswith("Home Assistant refused my access token")
    assert "not-a-valid-token" not in caplog.text
    assert "refused (401)" in caplog.text

    # The websocket path reports the same way.
    with pytest.raises(HomeAssistantAuthError):
        async for _ in HomeAssistantLink(settings).state_changes():
            pass


async def test_unreachable_is_a_clear_error() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    link = HomeAssistantLink(HomeAssistantSettings(url=url, token="whatever", timeout=3))
    with pytest.raises(HomeAssistantUnreachableError) as caught:
        await link.connect()
    await link.close()
    assert str(caught.value).startswith(f"Home Assistant at {url} is unreachable")
    assert caught.value.spoken == "I can't reach Home Assistant right now."

