"""Pure translation between the MQTT layer's types and the core's home model.

Entities become core `Device` fields, codec states become core state keys, and core commands
become codec commands. No I/O here, so every rule is testable on its own.
"""

from __future__ import annotations

from typing import Any

from samantha.kinds import SENSITIVE_KINDS, CommandError, Kind, apply
from samantha.plugins.mqtt import codec
from samantha.plugins.mqtt.discovery import DiscoveredEntity

KIND_OF: dict[str, Kind] = {
    "light": Kind.LIGHT,
    "switch": Kind.SWITCH,
    "cover": Kind.COVER,
    "climate": Kind.CLIMATE,
    "fan": Kind.FAN,
    "lock": Kind.LOCK,
    "sensor": Kind.SENSOR,
    "binary_sensor": Kind.BINARY_SENSOR,
    "vacuum": Kind.VACUUM,
    "lawn_mower": Kind.LAWN_MOWER,
    "valve": Kind.VALVE,
    "alarm_control_panel": Kind.ALARM_CONTROL_PANEL,
    "scene": Kind.SCENE,
    "button": Kind.BUTTON,
}

ID_PREFIX = "mqtt."


def device_id(entity: DiscoveredEntity) -> str:
    """Stable across restarts: unique_id is what the device itself announces."""
    return ID_PREFIX + entity.unique_id


def capabilities(entity: DiscoveredEntity) -> list[str]:
    caps = entity.capabilities
    flags = {
        "on_off": caps.on_off,
        "brightness": caps.brightness,
        "color": caps.rgb,
        "color_temp": caps.color_temp,
        "position": caps.position,
        "stop": caps.stop,
        "percentage": caps.percentage,
        "read_only": caps.read_only,
    }
    return [name for name, present in flags.items() if present]


def is_sensitive(entity: DiscoveredEntity) -> bool:
    return KIND_OF[entity.component] in SENSITIVE_KINDS


def core_state(entity: DiscoveredEntity, state: dict[str, Any]) -> dict[str, Any]:
    """The core state keys carried by a (possibly partial) codec state."""
    kind = KIND_OF[entity.component]
    out: dict[str, Any] = {}
    if "on" in state and kind in (Kind.LIGHT, Kind.SWITCH, Kind.FAN, Kind.BINARY_SENSOR):
        out["on"] = bool(state["on"])
    if kind is Kind.LIGHT:
        if "brightness" in state:
            out["brightness"] = round(float(state["brightness"]))
        if "rgb" in state:
            out["color"] = [int(c) for c in state["rgb"]]
    if kind is Kind.FAN and "percentage" in state:
        out["percentage"] = round(float(state["percentage"]))
    if kind is Kind.COVER:
        if "position" in state:
            out["position"] = round(float(state["position"]))
        elif state.get("cover_state") in ("open", "closed"):
            # A cover without a position topic only tells open/closed.
            out["position"] = 100 if state["cover_state"] == "open" else 0
    if kind is Kind.CLIMATE:
        for key in ("hvac_mode", "target_temperature", "current_temperature"):
            if key in state:
                out[key] = state[key]
        # Its range and unit: the targets it takes (kinds.temperature_limits), how to say them.
        caps = entity.capabilities
        out.update(min_temp=caps.min_temp, max_temp=caps.max_temp,
                   unit=f"°{caps.temperature_unit or 'C'}")
    if kind is Kind.LOCK and "locked" in state:
        out["locked"] = bool(state["locked"])
    if kind is Kind.SENSOR and "value" in state:
        out["value"] = state["value"]
        out["unit"] = entity.capabilities.unit_of_measurement
    if kind in (Kind.VACUUM, Kind.LAWN_MOWER):
        out.update({k: state[k] for k in ("activity", "battery_level", "fan_speed")
                    if k in state})
    if kind is Kind.VALVE and "position" in state:
        out["position"] = round(float(state["position"]))
    if kind is Kind.ALARM_CONTROL_PANEL and "alarm_state" in state:
        out["state"] = state["alarm_state"]
    return out


_SIMPLE = {a.value: a for a in codec.Action}


def codec_command(
    entity: DiscoveredEntity, state: dict[str, Any], action: str, params: dict[str, Any]
) -> codec.Command:
    """The codec command for a core action, validated by the core's reference semantics.

    Raises samantha.kinds.CommandError with a reason a person understands.
    """
    kind = KIND_OF[entity.component]
    # The core's rules (allowed actions, ranges, colour shape) apply to MQTT devices too.
    apply(kind, state, action, params)
    if action not in _SIMPLE:
        raise CommandError(f"a {kind.value.replace('_', ' ')} over MQTT cannot "
                           f"{action.replace('_', ' ')}")
    if action == "toggle":
        # Resolved here from the home's state, which also covers devices without a state topic.
        action = _toggled(kind, state)
    verb = _SIMPLE[action]
    if action == "set_brightness":
        return codec.Command(verb, brightness=float(params["brightness"]))
    if action == "set_color":
        r, g, b = params["color"]
        return codec.Command(verb, rgb=(int(r), int(g), int(b)))
    if action == "set_percentage":
        return codec.Command(verb, percentage=float(params["percentage"]))
    if action == "set_position":
        return codec.Command(verb, position=float(params["position"]))
    if action == "set_temperature":
        return codec.Command(verb, temperature=float(params["temperature"]))
    if action == "set_hvac_mode":
        return codec.Command(verb, hvac_mode=str(params["hvac_mode"]))
    if kind is Kind.ALARM_CONTROL_PANEL:
        code = params.get("code")
        return codec.Command(verb, code=None if code is None else str(code))
    if action == "clean_area":
        return codec.Command(verb, area=str(params.get("area") or ""))
    return codec.Command(verb)


def _toggled(kind: Kind, state: dict[str, Any]) -> str:
    if kind in (Kind.COVER, Kind.VALVE):
        return "close" if state.get("position", 0) > 0 else "open"
    if kind is Kind.LOCK:
        return "unlock" if state.get("locked") else "lock"
    return "turn_off" if state.get("on") else "turn_on"
