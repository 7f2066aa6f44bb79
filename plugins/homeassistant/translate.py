"""Between Samantha's core devices and Home Assistant entities: kinds, state keys, commands.

`mapping.py` speaks HA's vocabulary; this module adapts it to the core's (kinds.py), so the
provider never has to know either side's details.
"""

from __future__ import annotations

from typing import Any

from samantha.kinds import Kind
from samantha.providers import Command

from . import mapping, mapping_kinds
from .mapping import NormalisedState, ServiceCall, UnsupportedCommandError

KIND_BY_DOMAIN: dict[str, Kind] = {
    "light": Kind.LIGHT,
    "switch": Kind.SWITCH,
    "input_boolean": Kind.SWITCH,
    "fan": Kind.FAN,
    "cover": Kind.COVER,
    "climate": Kind.CLIMATE,
    "lock": Kind.LOCK,
    "sensor": Kind.SENSOR,
    "binary_sensor": Kind.BINARY_SENSOR,
    "media_player": Kind.MEDIA_PLAYER,
    "scene": Kind.SCENE,
    "script": Kind.SCRIPT,
    "button": Kind.BUTTON,
    "input_button": Kind.BUTTON,
    "weather": Kind.WEATHER,
    "todo": Kind.TODO,
    "valve": Kind.VALVE,
    "vacuum": Kind.VACUUM,
    "lawn_mower": Kind.LAWN_MOWER,
    "alarm_control_panel": Kind.ALARM_CONTROL_PANEL,
    "person": Kind.PERSON,
}


def kind_of(entity_id: str) -> Kind | None:
    """The core kind for an entity, or None for domains Samantha has no words for."""
    return KIND_BY_DOMAIN.get(entity_id.partition(".")[0])


def core_state(kind: Kind, state: NormalisedState) -> dict[str, Any]:
    """HA's state in the core's keys (kinds.py); keys HA did not report are left out.

    Leaving them out matters: `Home.update_state` merges, so a light switched off keeps its last
    brightness instead of forgetting it, just as a real dimmer does.
    """
    out: dict[str, Any] = {}
    if kind in (Kind.LIGHT, Kind.SWITCH, Kind.FAN, Kind.BINARY_SENSOR, Kind.MEDIA_PLAYER):
        out["on"] = bool(state.get("on", False))
    if kind is Kind.LIGHT:
        if "brightness" in state:
            out["brightness"] = state["brightness"]
        if out["on"]:
            rgb = state.get("rgb")
            out["color"] = list(rgb) if rgb else None
            out["color_temp_kelvin"] = state.get("color_temp_kelvin")
    elif kind is Kind.FAN:
        if "percentage" in state:
            out["percentage"] = state["percentage"]
    elif kind is Kind.COVER:
        if "position" in state:
            out["position"] = state["position"]
        elif state.get("state") in ("open", "closed"):
            # Covers without position support only say open or closed.
            out["position"] = 100 if state["state"] == "open" else 0
    elif kind is Kind.CLIMATE:
        if "hvac_mode" in state:
            out["hvac_mode"] = state["hvac_mode"]
        if "current_temperature" in state:
            out["current_temperature"] = state["current_temperature"]
        if "target_temperature" in state:
            out["target_temperature"] = state["target_temperature"]
        elif "target_temperature_low" in state:
            # A heat/cool range has no single target; the heating set-point is what people
            # usually mean by "what is it set to".
            out["target_temperature"] = state["target_temperature_low"]
        for key in ("target_temperature_low", "target_temperature_high", "unit", "min_temp",
                    "max_temp"):
            if key in state:
                out[key] = state[key]  # type: ignore[literal-required]
    elif kind is Kind.LOCK:
        if "locked" in state:
            out["locked"] = state["locked"]
    elif kind is Kind.SENSOR:
        out["value"] = state.get("value")
        if "unit" in state:
            out["unit"] = state["unit"]
    elif kind is Kind.MEDIA_PLAYER:
        for key in ("volume", "muted", "media_title"):
            if key in state:
                out[key] = state[key]  # type: ignore[literal-required]
        out["playback"] = state.get("playback", "idle")
    else:
        out.update(_newer_state(kind, state))
    if kind is Kind.CLIMATE and "fan_mode" in state:
        out["fan_mode"] = state["fan_mode"]
    return out


# core key -> HA-normalised key, per newer kind (their core keys are HA's attribute names).
_NEWER_KEYS: dict[Kind, dict[str, str]] = {
    Kind.SCENE: {"activated": "last_activated"},
    Kind.BUTTON: {"pressed": "last_activated"},
    Kind.SCRIPT: {"on": "on"},
    Kind.WEATHER: {"condition": "condition", "temperature": "temperature",
                   "temperature_unit": "temperature_unit", "humidity": "humidity",
                   "wind_speed": "wind_speed"},
    Kind.TODO: {"open_items": "open_items"},
    Kind.VALVE: {"position": "position"},
    Kind.VACUUM: {"activity": "activity", "battery_level": "battery_level",
                  "fan_speed": "fan_speed"},
    Kind.LAWN_MOWER: {"activity": "activity", "battery_level": "battery_level"},
    Kind.ALARM_CONTROL_PANEL: {"state": "alarm_state"},
    Kind.PERSON: {"state": "presence"},
}


def _newer_state(kind: Kind, state: NormalisedState) -> dict[str, Any]:
    out = {core: state[ha] for core, ha in _NEWER_KEYS.get(kind, {}).items()  # type: ignore[literal-required]
           if ha in state}
    if kind is Kind.PERSON:
        out.setdefault("state", None)  # HA does not know where they are: neither do we
    return out


def service_call(entity_id: str, command: Command) -> ServiceCall:
    """The HA service call for a core command; ValueError if HA cannot express it."""
    params = command.params
    action = command.action
    domain = mapping.domain_of(entity_id)
    newer = _newer_call(domain, entity_id, action, params)
    if newer is not None:
        return newer
    if action in ("turn_on", "turn_off", "toggle"):
        return mapping.switch(entity_id, action)  # type: ignore[arg-type]
    if action == "set_brightness":
        return mapping.set_brightness(entity_id, float(params["brightness"]))
    if action == "set_color":
        red, green, blue = params["color"]
        return mapping.set_rgb(entity_id, (red, green, blue))
    if action == "set_color_temp":
        return mapping.set_color_temp(entity_id, round(float(params["color_temp_kelvin"])))
    if action == "set_percentage":
        return mapping.set_fan_percentage(entity_id, float(params["percentage"]))
    if action == "open":
        return mapping.open_cover(entity_id)
    if action == "close":
        return mapping.close_cover(entity_id)
    if action == "stop":
        if domain != "cover":
            raise UnsupportedCommandError(f"{entity_id}: only covers can stop")
        return ServiceCall("cover", "stop_cover", entity_id)
    if action == "set_position":
        return mapping.set_cover_position(entity_id, float(params["position"]))
    if action == "set_temperature":
        return mapping.set_temperature(entity_id, float(params["temperature"]))
    if action == "set_hvac_mode":
        return mapping.set_hvac_mode(entity_id, str(params["hvac_mode"]))
    if action == "lock":
        return mapping.lock(entity_id)
    if action == "unlock":
        return mapping.unlock(entity_id)
    if action == "set_volume":
        return mapping.set_volume(entity_id, float(params["volume"]))
    raise UnsupportedCommandError(f"{entity_id}: no Home Assistant service for {action}")


def _newer_call(domain: str, entity_id: str, action: str,
                params: dict[str, Any]) -> ServiceCall | None:
    """The service for the newer kinds' actions (and media playback), or None."""
    if domain == "valve" and action in ("open", "close", "stop", "toggle", "set_position"):
        position = params.get("position")
        return mapping_kinds.valve(entity_id, action,
                                   None if position is None else float(position))
    if domain == "vacuum" and action not in ("turn_on", "turn_off", "toggle"):
        return mapping_kinds.vacuum(entity_id, action, params.get("area"))
    if domain == "lawn_mower":
        return mapping_kinds.lawn_mower(entity_id, action)
    if domain == "alarm_control_panel":
        code = params.get("code")
        return mapping_kinds.alarm(entity_id, action, None if code is None else str(code))
    if domain == "todo":
        return mapping_kinds.todo(entity_id, action, str(params.get("item", "")).strip())
    if action == "press":
        return mapping_kinds.press(entity_id)
    if domain == "media_player" and action not in ("turn_on", "turn_off", "toggle",
                                                   "set_volume"):
        return mapping_kinds.media(entity_id, action, params)
    if action == "set_fan_mode":
        return mapping_kinds.set_fan_mode(entity_id, str(params["fan_mode"]))
    return None


def exact_item(state: dict[str, Any], command: Command) -> Command:
    """A to-do command naming the item as the list spells it: HA matches items exactly,
    people say "eggs" for "Eggs"."""
    said = str(command.params.get("item", "")).strip()
    if command.action == "add_item" or not said:
        return command
    for item in state.get("items", []):
        if isinstance(item, dict) and str(item.get("summary", "")).casefold() == said.casefold():
            return command.model_copy(update={"params": {**command.params,
                                                         "item": item["summary"]}})
    return command
