"""Between Samantha's core devices and Home Assistant entities: kinds, state keys, commands.

`mapping.py` speaks HA's vocabulary; this module adapts it to the core's (kinds.py), so the
provider never has to know either side's details.
"""

from __future__ import annotations

from typing import Any

from samantha.kinds import Kind
from samantha.providers import Command

from . import mapping
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
        for key in ("target_temperature_low", "target_temperature_high", "unit"):
            if key in state:
                out[key] = state[key]  # type: ignore[literal-required]
    elif kind is Kind.LOCK:
        if "locked" in state:
            out["locked"] = state["locked"]
    elif kind is Kind.SENSOR:
        out["value"] = state.get("value")
        if "unit" in state:
            out["unit"] = state["unit"]
    elif kind is Kind.MEDIA_PLAYER and "volume" in state:
        out["volume"] = state["volume"]
    return out


def service_call(entity_id: str, command: Command) -> ServiceCall:
    """The HA service call for a core command; ValueError if HA cannot express it."""
    params = command.params
    action = command.action
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
        if mapping.domain_of(entity_id) != "cover":
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
