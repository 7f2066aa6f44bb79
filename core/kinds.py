"""Device kinds: what each kind can do and how a virtual device of that kind behaves.

The behaviour here is the reference semantics every provider shares: a virtual device applies it
directly, while MQTT or Home Assistant devices use it to validate a command before sending it.
"""

from __future__ import annotations

from enum import Enum
from typing import Any


class Kind(str, Enum):
    LIGHT = "light"
    SWITCH = "switch"
    FAN = "fan"
    COVER = "cover"
    CLIMATE = "climate"
    LOCK = "lock"
    SENSOR = "sensor"
    BINARY_SENSOR = "binary_sensor"
    MEDIA_PLAYER = "media_player"


class CommandError(ValueError):
    """A command that this device cannot carry out, with a reason a person understands."""


# Actions each kind accepts; the intent layer only proposes these.
ACTIONS: dict[Kind, frozenset[str]] = {
    Kind.LIGHT: frozenset({"turn_on", "turn_off", "toggle", "set_brightness", "set_color"}),
    Kind.SWITCH: frozenset({"turn_on", "turn_off", "toggle"}),
    Kind.FAN: frozenset({"turn_on", "turn_off", "toggle", "set_percentage"}),
    Kind.COVER: frozenset({"open", "close", "stop", "set_position", "toggle"}),
    Kind.CLIMATE: frozenset({"turn_on", "turn_off", "set_temperature", "set_hvac_mode"}),
    Kind.LOCK: frozenset({"lock", "unlock"}),
    Kind.SENSOR: frozenset(),
    Kind.BINARY_SENSOR: frozenset(),
    Kind.MEDIA_PLAYER: frozenset({"turn_on", "turn_off", "toggle", "set_volume"}),
}

# Kinds whose change can let someone in or cost money; the model needs spoken confirmation.
SENSITIVE_KINDS: frozenset[Kind] = frozenset({Kind.LOCK})

DEFAULT_STATE: dict[Kind, dict[str, Any]] = {
    Kind.LIGHT: {"on": False, "brightness": 100, "color": None},
    Kind.SWITCH: {"on": False},
    Kind.FAN: {"on": False, "percentage": 100},
    Kind.COVER: {"position": 0},
    Kind.CLIMATE: {
        "hvac_mode": "heat",
        "target_temperature": 20.0,
        "current_temperature": 20.0,
    },
    Kind.LOCK: {"locked": True},
    Kind.SENSOR: {"value": None},
    Kind.BINARY_SENSOR: {"on": False},
    Kind.MEDIA_PLAYER: {"on": False, "volume": 30},
}

TEMPERATURE_LIMITS = (5.0, 35.0)


def default_state(kind: Kind) -> dict[str, Any]:
    return dict(DEFAULT_STATE[kind])


def _percent(params: dict[str, Any], key: str) -> int:
    try:
        value = round(float(params[key]))
    except (KeyError, TypeError, ValueError) as err:
        raise CommandError(f"{key} must be a number from 0 to 100") from err
    if not 0 <= value <= 100:
        raise CommandError(f"{key} must be between 0 and 100, not {value}")
    return value


def _color(params: dict[str, Any]) -> list[int]:
    color = params.get("color")
    if (
        not isinstance(color, (list, tuple))
        or len(color) != 3
        or not all(isinstance(c, int) and 0 <= c <= 255 for c in color)
    ):
        raise CommandError("color must be three numbers from 0 to 255 (red, green, blue)")
    return list(color)


def apply(kind: Kind, state: dict[str, Any], action: str, params: dict[str, Any]) -> dict[str, Any]:
    """Return the state a device of `kind` has after `action`; raise CommandError if it can't."""
    if action not in ACTIONS[kind]:
        raise CommandError(f"a {kind.value.replace('_', ' ')} cannot {action.replace('_', ' ')}")
    new = dict(state)
    if action == "turn_on":
        new["on"] = True
        if kind is Kind.CLIMATE:
            new["hvac_mode"] = new.get("hvac_mode") if new.get("hvac_mode") != "off" else "heat"
    elif action == "turn_off":
        new["on"] = False
        if kind is Kind.CLIMATE:
            new["hvac_mode"] = "off"
    elif action == "toggle":
        if kind is Kind.COVER:
            new["position"] = 0 if state.get("position", 0) > 0 else 100
        else:
            new["on"] = not state.get("on", False)
    elif action == "set_brightness":
        new["brightness"] = _percent(params, "brightness")
        new["on"] = new["brightness"] > 0
    elif action == "set_color":
        new["color"] = _color(params)
        new["on"] = True
    elif action == "set_percentage":
        new["percentage"] = _percent(params, "percentage")
        new["on"] = new["percentage"] > 0
    elif action == "open":
        new["position"] = 100
    elif action == "close":
        new["position"] = 0
    elif action == "stop":
        pass
    elif action == "set_position":
        new["position"] = _percent(params, "position")
    elif action == "set_temperature":
        try:
            target = float(params["temperature"])
        except (KeyError, TypeError, ValueError) as err:
            raise CommandError("temperature must be a number") from err
        low, high = TEMPERATURE_LIMITS
        if not low <= target <= high:
            raise CommandError(f"{target:g} degrees is outside the safe range {low:g}-{high:g}")
        new["target_temperature"] = target
    elif action == "set_hvac_mode":
        mode = params.get("hvac_mode")
        if mode not in {"off", "heat", "cool", "auto"}:
            raise CommandError("hvac_mode must be one of off, heat, cool, auto")
        new["hvac_mode"] = mode
    elif action == "lock":
        new["locked"] = True
    elif action == "unlock":
        new["locked"] = False
    elif action == "set_volume":
        new["volume"] = _percent(params, "volume")
    return new


def is_on(kind: Kind, state: dict[str, Any]) -> bool | None:
    """Whether a device counts as 'on' for questions like 'is the fan on'."""
    if kind is Kind.COVER:
        return state.get("position", 0) > 0
    if kind is Kind.LOCK:
        return state.get("locked")
    if kind is Kind.CLIMATE:
        return state.get("hvac_mode") != "off"
    return state.get("on")
