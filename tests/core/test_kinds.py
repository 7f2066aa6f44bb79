"""Virtual devices behave true to their kind."""

from __future__ import annotations

import pytest

from samantha.kinds import CommandError, Kind, apply, default_state, is_on


def test_dimmable_light_keeps_its_brightness_through_off_and_on() -> None:
    state = apply(Kind.LIGHT, default_state(Kind.LIGHT), "set_brightness", {"brightness": 35})
    state = apply(Kind.LIGHT, state, "turn_off", {})
    state = apply(Kind.LIGHT, state, "turn_on", {})
    assert state == {"on": True, "brightness": 35, "color": None}


def test_cover_keeps_position_and_toggles() -> None:
    state = apply(Kind.COVER, default_state(Kind.COVER), "set_position", {"position": 40})
    assert state["position"] == 40 and is_on(Kind.COVER, state)
    assert apply(Kind.COVER, state, "toggle", {})["position"] == 0


def test_thermostat_keeps_target_and_refuses_unsafe_values() -> None:
    state = apply(Kind.CLIMATE, default_state(Kind.CLIMATE), "set_temperature",
                  {"temperature": 22.5})
    assert state["target_temperature"] == 22.5
    with pytest.raises(CommandError, match="safe range"):
        apply(Kind.CLIMATE, state, "set_temperature", {"temperature": 80})
    off = apply(Kind.CLIMATE, state, "turn_off", {})
    assert off["hvac_mode"] == "off" and off["target_temperature"] == 22.5


@pytest.mark.parametrize(("kind", "action", "params", "message"), [
    (Kind.LOCK, "turn_on", {}, "cannot turn on"),
    (Kind.LIGHT, "set_brightness", {"brightness": 130}, "between 0 and 100"),
    (Kind.LIGHT, "set_color", {"color": "red"}, "three numbers"),
    (Kind.SENSOR, "toggle", {}, "cannot toggle"),
])
def test_bad_commands_are_refused_with_a_reason(kind: Kind, action: str, params: dict,
                                                message: str) -> None:
    with pytest.raises(CommandError, match=message):
        apply(kind, default_state(kind), action, params)
