"""A person device's state comes from the network (Home Assistant, MQTT): whatever it says,
presence never raises, never places anyone in a room the home does not have, and never
carries a zone that is not a short printable name."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.fuzzcount import FuzzCount, Record
from samantha.events import DeviceStateChanged
from samantha.house import House
from samantha.plugins.people.presence import MAX_WORD, Presence, presence_of

HOUSE = """\
name: Fuzzed
rooms: [{name: Kitchen}, {name: Hallway}]
devices: [{name: Anna, room: Hallway, kind: person}]
people: {anna: {}}
persona: {memory: {path: memory.db, by_meaning: false}}
"""
ANNA = "hallway.anna"
LOOP = asyncio.new_event_loop()  # one loop for every example: starting one costs more
COUNT = FuzzCount("person device states")

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=300),
                    st.sampled_from(["home", "not_home", "Work", "kitchen", "Kitchen", "\x00",
                                     "x" * 65, "hallway", ""]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6)


@pytest.fixture(scope="module")
def presence(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[House, Presence]]:
    path: Path = tmp_path_factory.mktemp("presence-fuzz") / "house.yaml"
    path.write_text(HOUSE)
    house = House.prepare(path)
    LOOP.run_until_complete(house.start())
    try:
        yield house, presence_of(house)
    finally:
        LOOP.run_until_complete(house.stop())


@pytest.mark.fuzz
@given(state=values, room=values, available=st.booleans())
def test_any_person_device_state_is_taken_or_ignored(
        presence: tuple[House, Presence], state: Any, room: Any, available: bool) -> None:
    house, found = presence

    async def step() -> None:
        device = house.home.devices[ANNA]
        device.available = available
        old = dict(device.state)
        device.state = {"state": state, "room": room}
        found._on_state(DeviceStateChanged(device=ANNA, old=old, new=dict(device.state)))
        await house.bus.drain()
        where = found.where("anna")
        assert where.room is None or where.room in house.home.rooms
        assert where.zone is None or (len(where.zone) <= MAX_WORD and where.zone.isprintable())
        COUNT.saw("home" if where.home else "away" if where.home is False else "unknown")

    LOOP.run_until_complete(step())


def test_report_fuzz_count(record_property: Record) -> None:
    assert COUNT.total > 0
    COUNT.report(record_property)
