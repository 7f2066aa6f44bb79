"""Home Assistant's services and attributes for scenes, scripts, buttons, weather, to-do
lists, valves, vacuums, lawn mowers, alarm panels, people and media playback (pure, like
mapping.py, which covers the older kinds)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .mapping import NormalisedState, ServiceCall, UnsupportedCommandError, _require

_VALVE = {"open": "open_valve", "close": "close_valve", "stop": "stop_valve",
          "toggle": "toggle"}
_VACUUM = {"start": "start", "pause": "pause", "stop": "stop",
           "return_to_base": "return_to_base"}
_MOWER = {"start_mowing": "start_mowing", "pause": "pause", "dock": "dock"}
_ALARM = {"arm_home": "alarm_arm_home", "arm_away": "alarm_arm_away",
          "arm_night": "alarm_arm_night", "arm_vacation": "alarm_arm_vacation",
          "disarm": "alarm_disarm", "trigger": "alarm_trigger"}
_MEDIA = {"play": "media_play", "pause": "media_pause", "stop": "media_stop",
          "next_track": "media_next_track", "previous_track": "media_previous_track"}


def press(entity_id: str) -> ServiceCall:
    domain = _require(entity_id, "button", "input_button")
    return ServiceCall(domain, "press", entity_id)


def todo(entity_id: str, action: str, item: str) -> ServiceCall:
    """add_item / complete_item / remove_item on a to-do list, by the item's text."""
    _require(entity_id, "todo")
    if action == "add_item":
        return ServiceCall("todo", "add_item", entity_id, {"item": item})
    if action == "complete_item":
        return ServiceCall("todo", "update_item", entity_id,
                           {"item": item, "status": "completed"})
    if action == "remove_item":
        return ServiceCall("todo", "remove_item", entity_id, {"item": item})
    raise UnsupportedCommandError(f"{entity_id}: a to-do list cannot {action}")


def valve(entity_id: str, action: str, position: float | None = None) -> ServiceCall:
    _require(entity_id, "valve")
    if action == "set_position" and position is not None:
        return ServiceCall("valve", "set_valve_position", entity_id,
                           {"position": round(min(100.0, max(0.0, position)))})
    if action not in _VALVE:
        raise UnsupportedCommandError(f"{entity_id}: a valve cannot {action}")
    return ServiceCall("valve", _VALVE[action], entity_id)


def vacuum(entity_id: str, action: str, area: str | None = None) -> ServiceCall:
    _require(entity_id, "vacuum")
    if action == "clean_area":
        # HA 2024.3 has no area cleaning service; integrations that can take it as a command.
        return ServiceCall("vacuum", "send_command", entity_id,
                           {"command": "clean_area", "params": {"area": area or ""}})
    if action not in _VACUUM:
        raise UnsupportedCommandError(f"{entity_id}: a vacuum cannot {action}")
    return ServiceCall("vacuum", _VACUUM[action], entity_id)


def lawn_mower(entity_id: str, action: str) -> ServiceCall:
    _require(entity_id, "lawn_mower")
    if action not in _MOWER:
        raise UnsupportedCommandError(f"{entity_id}: a lawn mower cannot {action}")
    return ServiceCall("lawn_mower", _MOWER[action], entity_id)


def alarm(entity_id: str, action: str, code: str | None) -> ServiceCall:
    _require(entity_id, "alarm_control_panel")
    if action not in _ALARM:
        raise UnsupportedCommandError(f"{entity_id}: an alarm panel cannot {action}")
    data = {"code": str(code)} if code else {}
    return ServiceCall("alarm_control_panel", _ALARM[action], entity_id, data)


def media(entity_id: str, action: str, params: Mapping[str, Any]) -> ServiceCall:
    _require(entity_id, "media_player")
    if action in _MEDIA:
        return ServiceCall("media_player", _MEDIA[action], entity_id)
    if action in ("mute", "unmute"):
        return ServiceCall("media_player", "volume_mute", entity_id,
                           {"is_volume_muted": action == "mute"})
    if action == "play_media":
        query = str(params.get("query") or "").strip()
        if not query:
            raise ValueError("play_media needs something to play")
        kind = str(params.get("media_type") or "music")
        return ServiceCall("media_player", "play_media", entity_id,
                           {"media_content_id": query, "media_content_type": kind})
    raise UnsupportedCommandError(f"{entity_id}: a media player cannot {action}")


def set_fan_mode(entity_id: str, mode: str) -> ServiceCall:
    _require(entity_id, "climate")
    return ServiceCall("climate", "set_fan_mode", entity_id, {"fan_mode": mode})


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) < 1e12 else None


def normalise_more(domain: str, state: str, attributes: Mapping[str, Any],
                   out: NormalisedState) -> None:
    """Fill `out` with the keys of the newer kinds' states (and media playback)."""
    known = out["available"]
    if domain in ("scene", "button", "input_button"):
        # "unknown" here means never used yet, not unreachable.
        out["available"] = state != "unavailable"
        if known:
            out["last_activated"] = state  # HA's state is the time it last ran
    elif domain == "script":
        out["on"] = state == "on"
    elif domain == "weather":
        if known:
            out["condition"] = state
        for key in ("temperature", "humidity", "wind_speed"):
            number = _number(attributes.get(key))
            if number is not None:
                out[key] = number  # type: ignore[literal-required]
        if attributes.get("temperature_unit"):
            out["temperature_unit"] = str(attributes["temperature_unit"])[:16]
    elif domain == "todo":
        count = _number(state)
        if count is not None:
            out["open_items"] = int(count)
    elif domain == "valve":
        position = _number(attributes.get("current_position"))
        if position is not None:
            out["position"] = round(min(100.0, max(0.0, position)))
        elif state in ("open", "closed"):
            out["position"] = 100 if state == "open" else 0
    elif domain in ("vacuum", "lawn_mower"):
        if known:
            out["activity"] = state
        battery = _number(attributes.get("battery_level"))
        if battery is not None:
            out["battery_level"] = round(min(100.0, max(0.0, battery)))
        if attributes.get("fan_speed"):
            out["fan_speed"] = str(attributes["fan_speed"])[:64]
    elif domain in ("alarm_control_panel", "person"):
        if known:
            out["alarm_state" if domain != "person" else "presence"] = state
    elif domain == "media_player":
        if state in ("playing", "paused", "idle"):
            out["playback"] = state
        if "is_volume_muted" in attributes:
            out["muted"] = bool(attributes["is_volume_muted"])
    elif domain == "climate" and attributes.get("fan_mode"):
        out["fan_mode"] = str(attributes["fan_mode"])[:64]


def todo_items(result: Any) -> list[dict[str, str]]:
    """HA's `todo/item/list` answer as the core's items (summary and status)."""
    rows = result.get("items", []) if isinstance(result, Mapping) else []
    items = []
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, Mapping) and isinstance(row.get("summary"), str):
            status = "completed" if row.get("status") == "completed" else "needs_action"
            items.append({"summary": row["summary"][:255], "status": status})
    return items


def forecast(result: Any, entity_id: str) -> list[dict[str, Any]]:
    """`weather.get_forecasts`' answer as the core's forecast list, nearest first."""
    response = result.get("response", {}) if isinstance(result, Mapping) else {}
    entry = response.get(entity_id, {}) if isinstance(response, Mapping) else {}
    rows = entry.get("forecast", []) if isinstance(entry, Mapping) else []
    out = []
    for row in rows[:14] if isinstance(rows, list) else []:
        if not isinstance(row, Mapping):
            continue
        out.append({"datetime": str(row.get("datetime", "")),
                    "condition": row.get("condition"),
                    "temperature": _number(row.get("temperature")),
                    "templow": _number(row.get("templow"))})
    return out
