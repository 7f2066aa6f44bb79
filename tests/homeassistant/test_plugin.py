"""The Home Assistant plugin inside a running house, against a real Home Assistant Core."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.cli import samantha_cli
from harness.homeassistant import HomeAssistant, free_port
from harness.waiting import until
from samantha.events import DeviceStateChanged
from samantha.house import House

HA_SPOKEN_UNREACHABLE = "I can't reach Home Assistant right now"
HA_SPOKEN_AUTH = "Home Assistant refused my access token. Please check the token in my settings."


def write_config(path: Path, ha: dict[str, Any], **extra: Any) -> Path:
    # JSON is valid YAML, and keeps the test free of quoting worries.
    path.write_text(json.dumps({"name": "HA test home", "homeassistant": ha, **extra}))
    return path


def ha_section(ha: HomeAssistant, **overrides: Any) -> dict[str, Any]:
    return {"url": ha.url, "token": ha.token, "reconnect_initial_delay": 0.2,
            "reconnect_max_delay": 1.0, **overrides}


@pytest.fixture
async def houses(tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    """`await houses(section, **extra)`: a started House, stopped after the test."""
    started: list[House] = []

    async def make(section: dict[str, Any], **extra: Any) -> House:
        config = write_config(tmp_path / f"house{len(started)}.yaml", section, **extra)
        house = House.prepare(config)
        started.append(house)
        await house.start()
        return house

    yield make
    for house in started:
        await house.stop()


async def test_say_cli_turns_on_kitchen_lights_in_ha(
    home_assistant: HomeAssistant, tmp_path: Path
) -> None:
    home_assistant.call_service("light", "turn_off", entity_id="light.kitchen_lights")
    assert home_assistant.state("light.kitchen_lights")["state"] == "off"
    (tmp_path / "samantha.yaml").write_text(
        f"homeassistant:\n  url: {home_assistant.url}\n  token: !secret ha_token\n")
    # No secrets.yaml: the token comes from the environment, as `!secret` allows.
    env = {**os.environ, "HA_TOKEN": str(home_assistant.token)}
    out = samantha_cli("say", "turn on the kitchen lights", "--room", "living_room",
                       "-c", str(tmp_path / "samantha.yaml"), "--json", env=env)
    assert out.returncode == 0, out.stderr
    outcome = json.loads(out.stdout)
    assert outcome["commands"] == [
        {"device": "light.kitchen_lights", "action": "turn_on", "params": {}}]
    assert outcome["reply"] == "Okay, the Kitchen Lights are on."
    assert home_assistant.state("light.kitchen_lights")["state"] == "on"
    assert str(home_assistant.token) not in out.stdout + out.stderr


async def test_house_mirrors_ha_areas_and_entities(
    home_assistant: HomeAssistant, houses: Callable[..., Any]
) -> None:
    house = await houses(ha_section(home_assistant),
                         rooms=[{"name": "Lounge", "aliases": ["sitting room"]}])
    home = house.home
    assert house.providers["homeassistant"]
    assert {"kitchen", "bedroom", "office", "hallway", "garage"} <= set(home.rooms)
    # The config's Lounge is HA's "Living Room" through the area's alias; it gains HA's name.
    lounge = home.find_room("living room")
    assert lounge is not None and lounge.id == "lounge"
    bed = home.devices["light.bed_light"]
    assert (bed.name, bed.aliases, bed.room, bed.kind.value) == (
        "Bed Light", ["Bedside lamp"], "bedroom", "light")
    assert home.devices["climate.hvac"].room == "lounge"
    assert home.devices["climate.hvac"].state["target_temperature"] > 0
    # Locks, alarm panels and garage doors need explicit exposure.
    assert not [d for d in home.devices.values() if d.kind.value == "lock"]
    assert "cover.garage_door" not in home.devices
    assert "alarm_control_panel.security" not in home.devices


async def test_explicit_room_mapping(
    home_assistant: HomeAssistant, houses: Callable[..., Any]
) -> None:
    # A mapped room is declared like any room the config names (a typo is no new room).
    house = await houses(ha_section(home_assistant, rooms={"Den": "Office"}),
                         rooms=[{"name": "Den"}])
    assert house.home.devices["light.office_rgbw_lights"].room == "den"
    assert "office" not in house.home.rooms
    outcome = await house.handle_text("turn off the lights", "den")
    assert [c.device for c in outcome.commands] == ["light.office_rgbw_lights"]


async def test_brightness_by_voice_reads_back_from_ha(
    home_assistant: HomeAssistant, houses: Callable[..., Any]
) -> None:
    home_assistant.call_service("light", "turn_off", entity_id="light.bed_light")
    house = await houses(ha_section(home_assistant))
    outcome = await house.handle_text("set the bed light to 50%", "bedroom")
    assert outcome.reply == "Okay, the Bed Light is set to 50 percent.", outcome
    raw = home_assistant.state("light.bed_light")
    assert raw["state"] == "on"
    assert raw["attributes"]["brightness"] == 128  # 50 % of 255
    # The call's answer already updated the model; no need to wait for the event.
    assert house.home.devices["light.bed_light"].state["brightness"] == 50
    answer = await house.handle_text("is the bedside lamp on", "kitchen")
    assert answer.reply == "Yes, the Bed Light is on at 50 percent."


async def test_thermostat_by_voice(
    home_assistant: HomeAssistant, houses: Callable[..., Any]
) -> None:
    house = await houses(ha_section(home_assistant))
    target = 22.0 if home_assistant.state("climate.hvac")["attributes"]["temperature"] != 22 \
        else 23.0
    outcome = await house.handle_text(f"set the temperature to {target:g} degrees",
                                      "living_room")
    assert [c.device for c in outcome.commands] == ["climate.hvac"], outcome
    assert outcome.reply == f"Okay, I've set the temperature in the living room to {target:g} " \
        "degrees."
    assert home_assistant.state("climate.hvac")["attributes"]["temperature"] == target
    assert house.home.devices["climate.hvac"].state["target_temperature"] == target

    refused = await house.handle_text("set the temperature to 80 degrees", "living_room")
    assert "outside the safe range" in refused.reply
    assert home_assistant.state("climate.hvac")["attributes"]["temperature"] == target


async def test_change_made_in_ha_reaches_home_model(
    home_assistant: HomeAssistant, houses: Callable[..., Any]
) -> None:
    house = await houses(ha_section(home_assistant))
    events: list[DeviceStateChanged] = []
    house.bus.subscribe(DeviceStateChanged, events.append)
    before = home_assistant.state("light.ceiling_lights")["attributes"].get("brightness")
    target = 51 if before != 51 else 204  # 20 % or 80 %
    await asyncio.to_thread(home_assistant.call_service, "light", "turn_on",
                            entity_id="light.ceiling_lights", brightness=target)
    device = house.home.devices["light.ceiling_lights"]
    await until(lambda: device.state.get("brightness") == round(target * 100 / 255),
                timeout=15, what="the websocket change")
    await until(lambda: any(e.device == device.id for e in events), timeout=15,
                what="the bus event")
    answer = await house.handle_text("is the ceiling lights on", "living_room")
    assert answer.reply == f"Yes, the Ceiling Lights are on at {round(target * 100 / 255)} percent."


async def test_service_error_is_spoken_and_logged(
    home_assistant: HomeAssistant, houses: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    house = await houses(ha_section(home_assistant))
    caplog.set_level(logging.WARNING)
    # The demo kitchen window has no position support, so HA fails the call.
    outcome = await house.handle_text("set the kitchen window to 30%", "kitchen")
    assert outcome.reply == ("I couldn't do that. Kitchen Window: Home Assistant couldn't "
                             "do that.")
    assert any("cover.set_cover_position on cover.kitchen_window" in r.getMessage()
               for r in caplog.records)


async def test_locks_only_when_exposed(
    home_assistant: HomeAssistant, houses: Callable[..., Any]
) -> None:
    house = await houses(ha_section(home_assistant,
                                    exposed={"entities": ["lock.kitchen_door"]}))
    locks = [d for d in house.home.devices.values() if d.kind.value == "lock"]
    assert [d.id for d in locks] == ["lock.kitchen_door"]
    assert locks[0].sensitive
    await asyncio.to_thread(home_assistant.call_service, "lock", "unlock",
                            entity_id="lock.kitchen_door")
    outcome = await house.handle_text("lock the kitchen door", "kitchen")
    assert [(c.device, c.action) for c in outcome.commands] == [("lock.kitchen_door", "lock")]
    assert home_assistant.state("lock.kitchen_door")["state"] == "locked"
    # Unlocking by voice stays refused by the core, whatever backs the lock.
    refused = await house.handle_text("unlock the kitchen door", "kitchen")
    assert "won't unlock" in refused.reply
    assert home_assistant.state("lock.kitchen_door")["state"] == "locked"


def test_bad_token_cli_says_so_and_keeps_the_rest(
    home_assistant: HomeAssistant, tmp_path: Path
) -> None:
    config = write_config(
        tmp_path / "samantha.yaml", {"url": home_assistant.url, "token": "not-a-real-token"},
        rooms=[{"name": "Living Room"}],
        devices=[{"name": "Reading Lamp", "room": "Living Room", "kind": "light"}])
    out = samantha_cli("say", "-", "--room", "living_room", "-c", str(config), "--json",
                       stdin="turn on the kitchen lights\nturn on the reading lamp\n")
    assert out.returncode == 0, out.stderr
    assert f"Home Assistant at {home_assistant.url}: the access token was refused" in out.stderr
    assert "Traceback" not in out.stderr
    assert "not-a-real-token" not in out.stderr
    kitchen, lamp = (json.loads(line) for line in out.stdout.splitlines())
    assert kitchen["reply"] == HA_SPOKEN_AUTH
    assert lamp["reply"] == "Okay, the Reading Lamp is on."


async def test_unreachable_at_start_is_spoken_not_fatal(houses: Callable[..., Any]) -> None:
    house = await houses({"url": f"http://127.0.0.1:{free_port()}", "token": "x",
                          "timeout": 2, "reconnect_initial_delay": 0.2},
                         rooms=[{"name": "Living Room"}])
    # The provider stays, waiting for HA to come up; nothing pretends to be there meanwhile.
    assert "homeassistant" in house.providers
    assert not house.home.devices
    outcome = await house.handle_text("turn on the kitchen lights", "living_room")
    assert outcome.reply == f"{HA_SPOKEN_UNREACHABLE}."


@pytest.fixture(scope="module")
def restartable_ha(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HomeAssistant]:
    # Its own instance: this module stops HA, which must not disturb the shared one.
    ha = HomeAssistant(tmp_path_factory.mktemp("home-assistant-plugin-restart"))
    ha.start()
    try:
        yield ha
    finally:
        ha.stop()


async def test_house_survives_ha_restart(
    restartable_ha: HomeAssistant, houses: Callable[..., Any]
) -> None:
    ha = restartable_ha
    house = await houses(ha_section(ha, timeout=3))
    provider = house.providers["homeassistant"]
    bed = house.home.devices["light.bed_light"]

    await asyncio.to_thread(ha.stop)
    await until(lambda: provider.outage is not None, timeout=15, what="HA to be noticed gone")
    outcome = await house.handle_text("turn on the bed light", "bedroom")
    assert outcome.reply == f"I couldn't do that. Bed Light: {HA_SPOKEN_UNREACHABLE}."
    # Asking about a device while HA is away answers from the last known state, not a crash.
    answer = await house.handle_text("is the bed light on", "bedroom")
    assert answer.reply.startswith(("Yes", "No"))

    await asyncio.to_thread(ha.start)
    await until(lambda: bed.available and provider.outage is None, timeout=30,
                what="the house to resync after HA came back")
    await asyncio.to_thread(ha.call_service, "light", "turn_on", entity_id="light.bed_light",
                            brightness=102)
    await until(lambda: house.home.devices["light.bed_light"].state.get("brightness") == 40,
                timeout=15, what="a change made after the restart")
    outcome = await house.handle_text("turn off the bed light", "bedroom")
    assert outcome.reply == "Okay, the Bed Light is off.", outcome
    assert ha.state("light.bed_light")["state"] == "off"
