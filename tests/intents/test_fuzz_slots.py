"""Hostile slot values for every intent: no handler crashes, whatever the recognizer hands it.

Wildcard slots (a list item, a broadcast message, a search) carry whatever was said, and plugins'
sentences can put any value in any slot; handlers must answer, never raise. Hypothesis draws the
requests (intent, slots); they are then fired at one running every-kind house.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.fuzzcount import FuzzCount, Record
from samantha.house import House

SLOT_NAMES = ["name", "area", "floor", "domain", "device_class", "state", "brightness", "color",
              "temperature", "position", "volume_level", "volume_step", "fan_mode", "percentage",
              "item", "search_query", "media_class", "message", "mode", "forecast"]
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
    st.sampled_from(["Ceiling Light", "Furnace", "Shopping List", "Movie Night", "Anna",
                     "kitchen", "bedroom", "first floor", "up", "down", "on", "off", "home",
                     "light", "todo", "vacuum", "person", "red", "low", ""]),
    st.lists(st.text(max_size=8), max_size=3),
)


@pytest.mark.fuzz
async def test_hostile_slots_never_crash_a_handler(house: House,
                                                   record_property: Record,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    intents = sorted(house.handlers)
    drawn: list[tuple[str, dict[str, Any]]] = []

    @given(st.sampled_from(intents), st.dictionaries(st.sampled_from(SLOT_NAMES), VALUES,
                                                     max_size=5))
    def draw(intent: str, slots: dict[str, Any]) -> None:
        drawn.append((intent, slots))

    draw()
    caplog.set_level(logging.ERROR)
    count = FuzzCount("intent slots")
    room = house.room("kitchen")
    for intent, slots in drawn:
        outcome = await house.handle_intent(intent, dict(slots), "fuzz", room)
        assert "went wrong" not in outcome.reply, (intent, slots)
        count.saw("acted" if outcome.commands else "answered")
    crashes = [r.getMessage() for r in caplog.records if "failed on" in r.getMessage()]
    assert not crashes, crashes[:5]
    count.report(record_property)
