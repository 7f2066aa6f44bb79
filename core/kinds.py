"""Device kinds: what each kind can do and how a virtual device of that kind behaves.

The behaviour here is the reference semantics every provider shares: a virtual device applies it
directly, while MQTT or Home Assistant devices use it to validate a command before sending it.
"""

from __future__ import annotations

import math
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
    # Named after Home Assistant's domains, so a kind means the same thing on both sides.
    SCENE = "scene"
    SCRIPT = "script"
    BUTTON = "button"
    WEATHER = "weather"
    TODO = "todo"
    VALVE = "valve"
    VACUUM = "vacuum"
    LAWN_MOWER = "lawn_mower"
    ALARM_CONTROL_PANEL = "alarm_control_panel"
    PERSON = "person"


class CommandError(ValueError):
    """A command that this device cannot carry out, with a reason a person understands."""


# Actions each kind accepts; the intent layer only proposes these.
ACTIONS: dict[Kind, frozenset[str]] = {
    Kind.LIGHT: frozenset({"turn_on", "turn_off", "toggle", "set_brightness", "set_color",
                           "set_color_temp"}),
    Kind.SWITCH: frozenset({"turn_on", "turn_off", "toggle"}),
    Kind.FAN: frozenset({"turn_on", "turn_off", "toggle", "set_percentage"}),
    Kind.COVER: frozenset({"open", "close", "stop", "set_position", "toggle"}),
    Kind.CLIMATE: frozenset({"turn_on", "turn_off", "set_temperature", "set_hvac_mode",
                             "set_fan_mode"}),
    Kind.LOCK: frozenset({"lock", "unlock"}),
    Kind.SENSOR: frozenset(),
    Kind.BINARY_SENSOR: frozenset(),
    Kind.MEDIA_PLAYER: frozenset({
        "turn_on", "turn_off", "toggle", "set_volume", "mute", "unmute", "play", "pause",
        "stop", "next_track", "previous_track", "play_media",
    }),
    Kind.SCENE: frozenset({"turn_on"}),
    Kind.SCRIPT: frozenset({"turn_on", "turn_off"}),
    Kind.BUTTON: frozenset({"press"}),
    Kind.WEATHER: frozenset(),
    Kind.TODO: frozenset({"add_item", "complete_item", "remove_item"}),
    Kind.VALVE: frozenset({"open", "close", "stop", "set_position", "toggle"}),
    Kind.VACUUM: frozenset({"start", "pause", "stop", "return_to_base", "clean_area"}),
    Kind.LAWN_MOWER: frozenset({"start_mowing", "pause", "dock"}),
    Kind.ALARM_CONTROL_PANEL: frozenset({
        "arm_home", "arm_away", "arm_night", "arm_vacation", "disarm", "trigger",
    }),
    Kind.PERSON: frozenset(),
}

# Kinds whose change can let someone in or cost money; the model needs spoken confirmation.
SENSITIVE_KINDS: frozenset[Kind] = frozenset({Kind.LOCK, Kind.ALARM_CONTROL_PANEL})

HVAC_MODES = ("off", "heat", "cool", "auto", "heat_cool", "dry", "fan_only")
FAN_MODES = ("auto", "low", "medium", "high", "on", "off", "quiet", "boost")
ALARM_ARM_STATES = {
    "arm_home": "armed_home", "arm_away": "armed_away", "arm_night": "armed_night",
    "arm_vacation": "armed_vacation",
}

DEFAULT_STATE: dict[Kind, dict[str, Any]] = {
    # `color_temp_kelvin` as HA's light attribute; a light shows a colour or a white
    # temperature, never both (HA's colour modes), so setting one clears the other.
    Kind.LIGHT: {"on": False, "brightness": 100, "color": None, "color_temp_kelvin": None},
    Kind.SWITCH: {"on": False},
    Kind.FAN: {"on": False, "percentage": 100},
    Kind.COVER: {"position": 0},
    Kind.CLIMATE: {
        "hvac_mode": "heat",
        "target_temperature": 20.0,
        "current_temperature": 20.0,
        "fan_mode": "auto",
    },
    Kind.LOCK: {"locked": True},
    Kind.SENSOR: {"value": None, "unit": None},
    Kind.BINARY_SENSOR: {"on": False},
    # `playback` is HA's media_player state word while on: "playing", "paused" or "idle".
    Kind.MEDIA_PLAYER: {"on": False, "volume": 30, "muted": False, "playback": "idle",
                        "media_title": None},
    Kind.SCENE: {"activated": None},
    Kind.SCRIPT: {"on": False},
    Kind.BUTTON: {"pressed": None},
    # HA's weather attributes; `forecast` is a list of {"datetime", "condition", "temperature",
    # "templow"} dicts, nearest first.
    Kind.WEATHER: {"condition": None, "temperature": None, "temperature_unit": "°C",
                   "humidity": None, "wind_speed": None, "forecast": []},
    # Items are {"summary": str, "status": "needs_action" | "completed"}, as in HA's todo.
    Kind.TODO: {"items": []},
    Kind.VALVE: {"position": 0},
    # HA's activity words: cleaning, docked, idle, paused, returning, error.
    Kind.VACUUM: {"activity": "docked", "area": None},
    # HA's activity words: mowing, docked, paused, returning, error.
    Kind.LAWN_MOWER: {"activity": "docked"},
    # HA's states: disarmed, armed_home, armed_away, armed_night, armed_vacation, triggered.
    Kind.ALARM_CONTROL_PANEL: {"state": "disarmed"},
    # HA's person state: "home", "not_home" or a zone's name; `room` where the house last
    # placed them (presence), if it knows.
    Kind.PERSON: {"state": "home", "room": None},
}

TEMPERATURE_LIMITS = (5.0, 35.0)  # °C, for a thermostat that does not say its own range
FAHRENHEIT_LIMITS = (41.0, 95.0)  # the same, in °F

# What HA's HassLightSet template accepts for a light's colour temperature.
COLOR_TEMP_LIMITS = (1000, 10000)


def temperature_limits(state: dict[str, Any]) -> tuple[float, float]:
    """The targets a thermostat takes: its own range (`min_temp`/`max_temp`, as Home Assistant
    and MQTT discovery give it, in its unit) or a safe default in its unit (°C unless it says
    °F), so "set the thermostat to 70" works in a Fahrenheit house and is refused in a Celsius
    one."""
    unit = str(state.get("unit") or state.get("temperature_unit") or "").strip().upper()
    low, high = FAHRENHEIT_LIMITS if unit in ("°F", "F") else TEMPERATURE_LIMITS
    given_low, given_high = _number(state.get("min_temp")), _number(state.get("max_temp"))
    if given_low is not None and given_high is not None and given_low < given_high:
        return given_low, given_high
    return low, high


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


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


def _kelvin(params: dict[str, Any]) -> int:
    low, high = COLOR_TEMP_LIMITS
    try:
        value = round(float(params["color_temp_kelvin"]))
    except (KeyError, TypeError, ValueError) as err:
        raise CommandError(f"color_temp_kelvin must be a number from {low} to {high}") from err
    if not low <= value <= high:
        raise CommandError(f"color_temp_kelvin must be between {low} and {high}, not {value}")
    return value


def apply(kind: Kind, state: dict[str, Any], action: str, params: dict[str, Any]) -> dict[str, Any]:
    """Return the state a device of `kind` has after `action`; raise CommandError if it can't."""
    if action not in ACTIONS[kind]:
        raise CommandError(f"a {kind.value.replace('_', ' ')} cannot {action.replace('_', ' ')}")
    new = dict(state)
    if action == "turn_on" and kind is Kind.SCENE:
        # A scene has no on or off: activating it is an event, stamped by the caller.
        new["activated"] = params.get("at")
    elif action == "turn_on":
        new["on"] = True
        if kind is Kind.CLIMATE:
            new["hvac_mode"] = new.get("hvac_mode") if new.get("hvac_mode") != "off" else "heat"
    elif action == "turn_off":
        new["on"] = False
        if kind is Kind.CLIMATE:
            new["hvac_mode"] = "off"
    elif action == "toggle":
        if kind in (Kind.COVER, Kind.VALVE):
            new["position"] = 0 if state.get("position", 0) > 0 else 100
        else:
            new["on"] = not state.get("on", False)
    elif action == "set_brightness":
        new["brightness"] = _percent(params, "brightness")
        new["on"] = new["brightness"] > 0
    elif action == "set_color":
        new["color"] = _color(params)
        new["color_temp_kelvin"] = None
        new["on"] = True
    elif action == "set_color_temp":
        new["color_temp_kelvin"] = _kelvin(params)
        new["color"] = None
        new["on"] = True
    elif action == "set_percentage":
        new["percentage"] = _percent(params, "percentage")
        new["on"] = new["percentage"] > 0
    elif action == "open":
        new["position"] = 100
    elif action == "close":
        new["position"] = 0
    elif action == "stop":
        if kind is Kind.MEDIA_PLAYER:
            new["playback"] = "idle"
        elif kind is Kind.VACUUM:
            new["activity"] = "idle"
    elif action == "set_position":
        new["position"] = _percent(params, "position")
    elif action == "set_temperature":
        try:
            target = float(params["temperature"])
        except (KeyError, TypeError, ValueError) as err:
            raise CommandError("temperature must be a number") from err
        low, high = temperature_limits(state)
        if not low <= target <= high:
            raise CommandError(f"{target:g} degrees is outside the safe range {low:g}-{high:g}")
        new["target_temperature"] = target
    elif action == "set_hvac_mode":
        mode = params.get("hvac_mode")
        if mode not in HVAC_MODES:
            raise CommandError(f"hvac_mode must be one of {', '.join(HVAC_MODES)}")
        new["hvac_mode"] = mode
    elif action == "lock":
        new["locked"] = True
    elif action == "unlock":
        new["locked"] = False
    elif action == "set_volume":
        new["volume"] = _percent(params, "volume")
    elif action in ("mute", "unmute"):
        new["muted"] = action == "mute"
    elif action == "pause" and kind in (Kind.VACUUM, Kind.LAWN_MOWER):
        new["activity"] = "paused"
    elif action in ("play", "pause"):
        new["on"] = True
        new["playback"] = "playing" if action == "play" else "paused"
    elif action in ("next_track", "previous_track"):
        new["on"] = True
        new["playback"] = "playing"
    elif action == "play_media":
        query = params.get("query")
        if not isinstance(query, str) or not query.strip():
            raise CommandError("play_media needs something to play (query)")
        new.update(on=True, playback="playing", media_title=query.strip())
    elif action == "set_fan_mode":
        mode = params.get("fan_mode")
        if mode not in FAN_MODES:
            raise CommandError(f"fan_mode must be one of {', '.join(FAN_MODES)}")
        new["fan_mode"] = mode
    elif action == "press":
        new["pressed"] = params.get("at")
    elif kind is Kind.TODO:
        new["items"] = _todo(state.get("items", []), action, params)
    elif action in ("start", "clean_area"):
        new["activity"] = "cleaning"
        new["area"] = params.get("area") if action == "clean_area" else None
    elif action == "return_to_base":
        new["activity"] = "returning"
    elif action == "start_mowing":
        new["activity"] = "mowing"
    elif action == "dock":
        new["activity"] = "returning"
    elif action in ALARM_ARM_STATES:
        new["state"] = ALARM_ARM_STATES[action]
    elif action == "disarm":
        new["state"] = "disarmed"
    elif action == "trigger":
        new["state"] = "triggered"
    return new


def _todo(items: list[dict[str, Any]], action: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    item = params.get("item")
    if not isinstance(item, str) or not item.strip():
        raise CommandError(f"{action.replace('_', ' ')} needs an item")
    item = item.strip()
    items = [dict(i) for i in items if isinstance(i, dict)]
    if action == "add_item":
        return [*items, {"summary": item, "status": "needs_action"}]
    matches = [i for i in items if str(i.get("summary", "")).casefold() == item.casefold()]
    if action == "complete_item":
        # The same item may be on the list twice, once done: check off the one still open.
        matches = [i for i in matches if i.get("status") != "completed"] or matches
    if not matches:
        raise CommandError(f"{item} is not on the list")
    if action == "remove_item":
        return [i for i in items if i is not matches[0]]
    matches[0]["status"] = "completed"
    return items


def is_on(kind: Kind, state: dict[str, Any]) -> bool | None:
    """Whether a device counts as 'on' for questions like 'is the fan on'."""
    if kind in (Kind.COVER, Kind.VALVE):
        return state.get("position", 0) > 0
    if kind in (Kind.VACUUM, Kind.LAWN_MOWER):
        return state.get("activity") in ("cleaning", "mowing", "returning")
    if kind is Kind.ALARM_CONTROL_PANEL:
        return state.get("state", "disarmed") != "disarmed"
    if kind in (Kind.SCENE, Kind.BUTTON, Kind.WEATHER, Kind.TODO, Kind.PERSON):
        return None
    if kind is Kind.LOCK:
        return state.get("locked")
    if kind is Kind.CLIMATE:
        return state.get("hvac_mode") != "off"
    return state.get("on")
