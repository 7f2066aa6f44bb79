"""Home Assistant stops and comes back under a running link: it recovers by itself."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest

from harness.homeassistant import HomeAssistant
from samantha.plugins.homeassistant import mapping
from samantha.plugins.homeassistant.client import HomeAssistantLink
from samantha.plugins.homeassistant.errors import HomeAssistantUnreachableError
from samantha.plugins.homeassistant.models import Snapshot, StateChange
from samantha.plugins.homeassistant.settings import HomeAssistantSettings


@pytest.fixture(scope="module")
def restartable_ha(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HomeAssistant]:
    # Its own instance: this test kills HA, which must not disturb the other tests' one.
    ha = HomeAssistant(tmp_path_factory.mktemp("home-assistant-restart"))
    ha.start()
    try:
        yield ha
    finally:
        ha.stop()


async def _wait_for(condition: asyncio.Event, timeout: float = 30) -> None:
    await asyncio.wait_for(condition.wait(), timeout)


async def test_link_recovers_from_ha_restart(
    restartable_ha: HomeAssistant, make_settings: Callable[..., HomeAssistantSettings]
) -> None:
    ha = restartable_ha
    changes: asyncio.Queue[StateChange] = asyncio.Queue()
    resyncs: list[Snapshot] = []
    resynced = asyncio.Event()
    went_away = asyncio.Event()
    came_back = asyncio.Event()

    def on_resync(snapshot: Snapshot) -> None:
        resyncs.append(snapshot)
        resynced.set()

    def on_availability(available: bool) -> None:
        (came_back if available else went_away).set()

    async with HomeAssistantLink(make_settings(ha)) as link:
        link.watch(changes.put_nowait, on_resync=on_resync, on_availability=on_availability)
        await _wait_for(resynced)
        resynced.clear()
        came_back.clear()
        old_pid = ha.pid

        await asyncio.to_thread(ha.stop)
        await _wait_for(went_away)
        assert not link.available
        with pytest.raises(HomeAssistantUnreachableError) as caught:
            await link.get_state("light.bed_light")
        assert caught.value.spoken == "I can't reach Home Assistant right now."

        await asyncio.to_thread(ha.start)
        assert ha.pid != old_pid
        await _wait_for(came_back)
        await _wait_for(resynced)
        assert len(resyncs) == 2
        # The registries survived the restart, so the resynced model still has its rooms.
        snapshot = resyncs[-1]
        bedroom = snapshot.area_for_room("bedroom")
        bed = snapshot.entity("light.bed_light")
        assert bedroom is not None
        assert bed is not None
        assert bed.area_id == bedroom.id

        # A change made in HA after the restart still reaches the link...
        await asyncio.to_thread(
            ha.call_service, "light", "turn_on", entity_id="light.bed_light", brightness=99
        )
        while True:
            change = await asyncio.wait_for(changes.get(), 10)
            if change.entity_id == "light.bed_light" and change.new_state is not None:
                break
        assert change.new_state.attributes["brightness"] == 99

        # ...and the link acts again with the same token.
        await link.execute(mapping.set_brightness("light.bed_light", 20))
        state = await link.get_state("light.bed_light")
        assert state.normalised()["brightness"] == 20
