"""Virtual devices behave true to their kind."""

from __future__ import annotations

import contextlib

import pytest

from samantha.kinds import (
    ACTIONS,
    SENSITIVE_KINDS,
    CommandError,
    Kind,
    apply,
    default_state,
    is_on,
)


def test_dimmable_light_keeps_its_brightness_through_off_and_on() -> None:
    state = apply(Kind.LIGHT, default_state(Kind.LIGHT), "set_brightness", {"brightness": 35})
    state = apply(Kind.LIGHT, state, "turn_off", {})
    state = apply(Kind.LIGHT, state, "turn_on", {})
    assert state == {"on": True, "brightness": 35, "color": None, "color_temp_kelvin": None}


def test_light_shows_a_colour_or_a_white_temperature_not_both() -> None:
    state = apply(Kind.LIGHT, default_state(Kind.LIGHT), "set_color", {"color": [255, 0, 0]})
    state = apply(Kind.LIGHT, state, "set_color_temp", {"color_temp_kelvin": 2700})
    assert state["on"] and state["color_temp_kelvin"] == 2700 and state["color"] is None
    state = apply(Kind.LIGHT, state, "set_color", {"color": [0, 0, 255]})
    assert state["color"] == [0, 0, 255] and state["color_temp_kelvin"] is None
    for wrong in (500, 20000, "warm", None):
        with pytest.raises(CommandError, match="color_temp_kelvin"):
            apply(Kind.LIGHT, state, "set_color_temp", {"color_temp_kelvin": wrong})


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


def test_every_kind_has_a_default_state_and_no_action_crashes_on_it() -> None:
    for kind in Kind:
        state = default_state(kind)
        for action in sorted(ACTIONS[kind]):
            # Refusing a command without its parameters is fine; crashing is not.
            with contextlib.suppress(CommandError):
                apply(kind, state, action, {})


def test_media_player_playback_and_mute() -> None:
    state = apply(Kind.MEDIA_PLAYER, default_state(Kind.MEDIA_PLAYER), "play_media",
                  {"query": "jazz"})
    assert state["playback"] == "playing" and state["media_title"] == "jazz"
    state = apply(Kind.MEDIA_PLAYER, state, "pause", {})
    assert state["playback"] == "paused"
    assert apply(Kind.MEDIA_PLAYER, state, "mute", {})["muted"] is True


def test_todo_list_adds_completes_and_removes_items() -> None:
    state = apply(Kind.TODO, default_state(Kind.TODO), "add_item", {"item": "Apples"})
    state = apply(Kind.TODO, state, "add_item", {"item": "milk"})
    state = apply(Kind.TODO, state, "complete_item", {"item": "apples"})
    assert state["items"][0] == {"summary": "Apples", "status": "completed"}
    state = apply(Kind.TODO, state, "remove_item", {"item": "Milk"})
    assert [i["summary"] for i in state["items"]] == ["Apples"]
    with pytest.raises(CommandError, match="not on the list"):
        apply(Kind.TODO, state, "complete_item", {"item": "bread"})


def test_vacuum_mower_and_alarm_follow_home_assistant_states() -> None:
    vac = apply(Kind.VACUUM, default_state(Kind.VACUUM), "clean_area", {"area": "kitchen"})
    assert vac == {"activity": "cleaning", "area": "kitchen"} and is_on(Kind.VACUUM, vac)
    assert apply(Kind.VACUUM, vac, "pause", {})["activity"] == "paused"
    mower = apply(Kind.LAWN_MOWER, default_state(Kind.LAWN_MOWER), "start_mowing", {})
    assert mower["activity"] == "mowing"
    alarm = apply(Kind.ALARM_CONTROL_PANEL, default_state(Kind.ALARM_CONTROL_PANEL),
                  "arm_away", {})
    assert alarm["state"] == "armed_away" and Kind.ALARM_CONTROL_PANEL in SENSITIVE_KINDS


@pytest.mark.parametrize(("state", "takes", "refuses"), [
    ({}, [5, 21.5, 35], [4, 36, 70]),  # no unit, no range: a safe Celsius one
    ({"unit": "°F"}, [41, 70, 95], [21, 40, 96]),  # Home Assistant in a US house
    ({"unit": "°C", "min_temp": 7, "max_temp": 30}, [7, 30], [6, 31]),  # its own range
    ({"unit": "°F", "min_temp": 50, "max_temp": 90}, [50, 90], [45, 91]),
    # A range that makes no sense is not taken for one: the unit's safe default.
    ({"unit": "°C", "min_temp": 30, "max_temp": 7}, [21], [40]),
    ({"min_temp": float("nan"), "max_temp": True}, [21], [40]),
])
def test_a_thermostat_takes_targets_in_its_own_unit_and_range(
        state: dict, takes: list[float], refuses: list[float]) -> None:
    state = {**default_state(Kind.CLIMATE), **state}
    for target in takes:
        assert apply(Kind.CLIMATE, state, "set_temperature",
                     {"temperature": target})["target_temperature"] == target
    for target in refuses:
        with pytest.raises(CommandError, match="safe range"):
            apply(Kind.CLIMATE, state, "set_temperature", {"temperature": target})
