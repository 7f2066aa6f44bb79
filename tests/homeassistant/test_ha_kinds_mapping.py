"""The newer kinds and media playback in Home Assistant's vocabulary: services for each core
action, and HA states and attributes in the core's state keys (pure, no HA)."""

from __future__ import annotations

from typing import Any

import pytest

from samantha.kinds import Kind
from samantha.plugins.homeassistant.mapping import ServiceCall, UnsupportedCommandError
from samantha.plugins.homeassistant.mapping_kinds import forecast, todo_items
from samantha.plugins.homeassistant.models import EntityState
from samantha.plugins.homeassistant.translate import core_state, kind_of, service_call
from samantha.providers import Command


def call(entity_id: str, action: str, **params: Any) -> tuple[str, str, dict[str, Any]]:
    made = service_call(entity_id, Command(device=entity_id, action=action, params=params))
    assert isinstance(made, ServiceCall) and made.entity_id == entity_id
    return made.domain, made.service, dict(made.data)


@pytest.mark.parametrize(("entity_id", "action", "params", "expected"), [
    ("scene.movie", "turn_on", {}, ("scene", "turn_on", {})),
    ("script.evening", "turn_on", {}, ("script", "turn_on", {})),
    ("script.evening", "turn_off", {}, ("script", "turn_off", {})),
    ("button.push", "press", {}, ("button", "press", {})),
    ("input_button.bell", "press", {}, ("input_button", "press", {})),
    ("todo.shopping", "add_item", {"item": " eggs "}, ("todo", "add_item", {"item": "eggs"})),
    ("todo.shopping", "complete_item", {"item": "eggs"},
     ("todo", "update_item", {"item": "eggs", "status": "completed"})),
    ("todo.shopping", "remove_item", {"item": "eggs"}, ("todo", "remove_item",
                                                        {"item": "eggs"})),
    ("valve.tap", "open", {}, ("valve", "open_valve", {})),
    ("valve.tap", "close", {}, ("valve", "close_valve", {})),
    ("valve.tap", "stop", {}, ("valve", "stop_valve", {})),
    ("valve.tap", "set_position", {"position": 30}, ("valve", "set_valve_position",
                                                     {"position": 30})),
    ("vacuum.robo", "start", {}, ("vacuum", "start", {})),
    ("vacuum.robo", "pause", {}, ("vacuum", "pause", {})),
    ("vacuum.robo", "return_to_base", {}, ("vacuum", "return_to_base", {})),
    ("vacuum.robo", "clean_area", {"area": "kitchen"},
     ("vacuum", "send_command", {"command": "clean_area", "params": {"area": "kitchen"}})),
    ("lawn_mower.m", "start_mowing", {}, ("lawn_mower", "start_mowing", {})),
    ("lawn_mower.m", "dock", {}, ("lawn_mower", "dock", {})),
    ("alarm_control_panel.a", "arm_away", {"code": 1234},
     ("alarm_control_panel", "alarm_arm_away", {"code": "1234"})),
    ("alarm_control_panel.a", "arm_home", {}, ("alarm_control_panel", "alarm_arm_home", {})),
    ("alarm_control_panel.a", "disarm", {"code": "1"},
     ("alarm_control_panel", "alarm_disarm", {"code": "1"})),
    ("media_player.tv", "play", {}, ("media_player", "media_play", {})),
    ("media_player.tv", "pause", {}, ("media_player", "media_pause", {})),
    ("media_player.tv", "next_track", {}, ("media_player", "media_next_track", {})),
    ("media_player.tv", "previous_track", {}, ("media_player", "media_previous_track", {})),
    ("media_player.tv", "mute", {}, ("media_player", "volume_mute", {"is_volume_muted": True})),
    ("media_player.tv", "unmute", {}, ("media_player", "volume_mute",
                                       {"is_volume_muted": False})),
    ("media_player.tv", "play_media", {"query": "jazz"},
     ("media_player", "play_media", {"media_content_id": "jazz",
                                     "media_content_type": "music"})),
    ("media_player.tv", "set_volume", {"volume": 40}, ("media_player", "volume_set",
                                                       {"volume_level": 0.4})),
    ("climate.hvac", "set_fan_mode", {"fan_mode": "high"}, ("climate", "set_fan_mode",
                                                           {"fan_mode": "high"})),
])
def test_each_action_is_a_home_assistant_service(entity_id: str, action: str,
                                                 params: dict[str, Any],
                                                 expected: tuple[str, str, dict[str, Any]]
                                                 ) -> None:
    assert call(entity_id, action, **params) == expected


@pytest.mark.parametrize(("entity_id", "action", "params"), [
    ("scene.movie", "turn_off", {}),
    ("lawn_mower.m", "start", {}),
    ("todo.shopping", "press", {}),
    ("media_player.tv", "play_media", {"query": "  "}),
    ("alarm_control_panel.a", "open", {}),
])
def test_what_a_domain_cannot_do_is_refused(entity_id: str, action: str,
                                            params: dict[str, Any]) -> None:
    with pytest.raises((UnsupportedCommandError, ValueError)):
        call(entity_id, action, **params)


def state(entity_id: str, value: str, **attributes: Any) -> dict[str, Any]:
    kind = kind_of(entity_id)
    assert kind is not None
    return core_state(kind, EntityState(entity_id=entity_id, state=value,
                                        attributes=attributes).normalised())


def test_states_in_the_cores_keys() -> None:
    assert kind_of("weather.home") is Kind.WEATHER and kind_of("person.anna") is Kind.PERSON
    assert state("weather.home", "rainy", temperature=12.5, temperature_unit="°C",
                 humidity=80, wind_speed=3.2) == {
        "condition": "rainy", "temperature": 12.5, "temperature_unit": "°C", "humidity": 80.0,
        "wind_speed": 3.2}
    assert state("vacuum.robo", "cleaning", battery_level=55, fan_speed="max") == {
        "activity": "cleaning", "battery_level": 55, "fan_speed": "max"}
    assert state("lawn_mower.m", "mowing") == {"activity": "mowing"}
    assert state("valve.tap", "open", current_position=40) == {"position": 40}
    assert state("valve.tap", "closed") == {"position": 0}
    assert state("alarm_control_panel.a", "armed_away") == {"state": "armed_away"}
    assert state("person.anna", "not_home") == {"state": "not_home"}
    assert state("person.anna", "unknown") == {"state": None}
    assert state("todo.shopping", "3") == {"open_items": 3}
    assert state("scene.movie", "2026-11-27T07:00:00+00:00") == {
        "activated": "2026-11-27T07:00:00+00:00"}
    assert state("scene.movie", "unknown") == {}
    assert state("button.push", "unknown") == {}
    assert state("script.evening", "on") == {"on": True}
    player = state("media_player.tv", "paused", volume_level=0.25, is_volume_muted=True,
                   media_title="Jazz")
    assert player == {"on": True, "volume": 25, "muted": True, "media_title": "Jazz",
                      "playback": "paused"}
    assert state("media_player.tv", "off")["playback"] == "idle"
    assert state("climate.hvac", "heat", temperature=21, fan_mode="low")["fan_mode"] == "low"


def test_odd_values_from_home_assistant_do_not_leak_in() -> None:
    assert state("weather.home", "sunny", temperature="NaN", humidity=float("inf")) == {
        "condition": "sunny"}
    assert state("vacuum.robo", "docked", battery_level=250) == {"activity": "docked",
                                                                 "battery_level": 100}
    assert state("valve.tap", "opening", current_position=-5) == {"position": 0}
    assert state("weather.home", "unavailable") == {}


def test_todo_items_and_forecasts_from_their_answers() -> None:
    assert todo_items({"items": [
        {"summary": "eggs", "uid": "1", "status": "needs_action"},
        {"summary": "milk", "uid": "2", "status": "completed"},
        {"summary": 5}, "junk", {"summary": "x" * 1000, "status": "weird"}]}) == [
        {"summary": "eggs", "status": "needs_action"},
        {"summary": "milk", "status": "completed"},
        {"summary": "x" * 255, "status": "needs_action"}]
    assert todo_items(None) == [] and todo_items({"items": "nope"}) == []
    answer = {"response": {"weather.home": {"forecast": [
        {"datetime": "2026-11-28T00:00:00Z", "condition": "rainy", "temperature": 9,
         "templow": 2}, "junk"]}}}
    assert forecast(answer, "weather.home") == [
        {"datetime": "2026-11-28T00:00:00Z", "condition": "rainy", "temperature": 9.0,
         "templow": 2.0}]
    assert forecast(answer, "weather.other") == [] and forecast([], "weather.home") == []
