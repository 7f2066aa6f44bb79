"""Fuzzing what Home Assistant reports (every kind, the newer ones first): any state word and
any attribute values become the core's keys or are left out, never a traceback, NaN or a
runaway number."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.fuzzcount import FuzzCount, Record
from samantha.plugins.homeassistant.mapping_kinds import forecast, todo_items
from samantha.plugins.homeassistant.models import EntityState
from samantha.plugins.homeassistant.translate import core_state, kind_of

pytestmark = pytest.mark.fuzz

ENTITIES = ["scene.s", "script.s", "button.b", "input_button.b", "weather.w", "todo.t",
            "valve.v", "vacuum.v", "lawn_mower.m", "alarm_control_panel.a", "person.p",
            "media_player.m", "climate.c", "light.l", "cover.c", "fan.f", "sensor.s"]
values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(),
              st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8)
ATTRIBUTES = ["temperature", "humidity", "wind_speed", "temperature_unit", "current_position",
              "battery_level", "fan_speed", "is_volume_muted", "media_title", "volume_level",
              "fan_mode", "forecast", "items", "brightness", "percentage", "current_temperature",
              "rgb_color", "color_temp_kelvin", "unit_of_measurement"]
attributes = st.dictionaries(st.sampled_from(ATTRIBUTES), values, max_size=6)


def test_fuzz_home_assistant_states_of_the_newer_kinds(record_property: Record
                                                      ) -> None:
    count = FuzzCount("Home Assistant states")

    @given(st.sampled_from(ENTITIES), st.one_of(st.text(max_size=30), st.sampled_from(
        ["unknown", "unavailable", "on", "open", "12", "nan", "1e999", "armed_away"])),
        attributes, values)
    def check(entity_id: str, state: str, attrs: dict[str, Any], answer: Any) -> None:
        kind = kind_of(entity_id)
        assert kind is not None
        out = core_state(kind, EntityState(entity_id=entity_id, state=state,
                                           attributes=attrs).normalised())
        for key, value in out.items():
            if isinstance(value, float):
                assert math.isfinite(value) and abs(value) < 1e12, (key, value)
        for key in ("position", "battery_level", "volume", "brightness", "percentage"):
            if key in out:
                assert 0 <= out[key] <= 100
        for key in ("media_title", "fan_speed", "fan_mode", "temperature_unit"):
            if key in out:
                assert len(out[key]) <= 255
        for item in todo_items(answer):
            assert set(item) == {"summary", "status"} and len(item["summary"]) <= 255
        assert len(forecast(answer, entity_id)) <= 14
        count.saw(kind.value)

    check()
    count.report(record_property)
