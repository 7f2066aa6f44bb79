"""Pure translation between Samantha's device vocabulary and Home Assistant.

Commands become `ServiceCall`s; HA state objects become a `NormalisedState` dict. Nothing here
talks to Home Assistant, so all of it is unit-testable.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

Command = Literal["turn_on", "turn_off", "toggle"]


class UnsupportedCommandError(ValueError):
    """The entity's domain has no such action (e.g. toggling a lock)."""


@dataclass(frozen=True)
class ServiceCall:
    domain: str
    service: str
    entity_id: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def service_data(self) -> dict[str, Any]:
        """The body HA expects: the target entity plus the service fields."""
        return {"entity_id": self.entity_id, **self.data}


# Per domain: the service names for turn_on, turn_off, toggle (None: not offered).
_SWITCHING: dict[str, tuple[str | None, str | None, str | None]] = {
    "light": ("turn_on", "turn_off", "toggle"),
    "switch": ("turn_on", "turn_off", "toggle"),
    "fan": ("turn_on", "turn_off", "toggle"),
    "input_boolean": ("turn_on", "turn_off", "toggle"),
    "media_player": ("turn_on", "turn_off", "toggle"),
    "climate": ("turn_on", "turn_off", None),
    "cover": ("open_cover", "close_cover", "toggle"),
    # "On" for a lock is its engaged state; erring towards locking is the safe mistake.
    "lock": ("lock", "unlock", None),
    "script": ("turn_on", "turn_off", "toggle"),
    "automation": ("turn_on", "turn_off", "toggle"),
    "scene": ("turn_on", None, None),
    "humidifier": ("turn_on", "turn_off", "toggle"),
    "siren": ("turn_on", "turn_off", "toggle"),
    "vacuum": ("start", "return_to_base", None),
}


def domain_of(entity_id: str) -> str:
    domain, dot, object_id = entity_id.partition(".")
    if not dot or not domain or not object_id:
        raise ValueError(f"not an entity id: {entity_id!r}")
    return domain


def _require(entity_id: str, *domains: str) -> str:
    domain = domain_of(entity_id)
    if domain not in domains:
        raise UnsupportedCommandError(f"{entity_id}: needs a {' or '.join(domains)} entity")
    return domain


def _percent(value: float, what: str) -> float:
    if not 0 <= value <= 100:
        raise ValueError(f"{what} must be between 0 and 100, got {value}")
    return value


def switch(entity_id: str, command: Command) -> ServiceCall:
    """turn_on / turn_off / toggle in the domain's own words (open_cover, lock, ...)."""
    domain = domain_of(entity_id)
    services = _SWITCHING.get(domain)
    index = {"turn_on": 0, "turn_off": 1, "toggle": 2}[command]
    service = services[index] if services else None
    if service is None:
        raise UnsupportedCommandError(f"{entity_id}: {domain} entities cannot {command}")
    return ServiceCall(domain, service, entity_id)


def turn_on(entity_id: str) -> ServiceCall:
    return switch(entity_id, "turn_on")


def turn_off(entity_id: str) -> ServiceCall:
    return switch(entity_id, "turn_off")


def toggle(entity_id: str) -> ServiceCall:
    return switch(entity_id, "toggle")


def lock(entity_id: str) -> ServiceCall:
    _require(entity_id, "lock")
    return ServiceCall("lock", "lock", entity_id)


def unlock(entity_id: str) -> ServiceCall:
    _require(entity_id, "lock")
    return ServiceCall("lock", "unlock", entity_id)


def open_cover(entity_id: str) -> ServiceCall:
    _require(entity_id, "cover")
    return ServiceCall("cover", "open_cover", entity_id)


def close_cover(entity_id: str) -> ServiceCall:
    _require(entity_id, "cover")
    return ServiceCall("cover", "close_cover", entity_id)


def set_brightness(entity_id: str, percent: float) -> ServiceCall:
    """Brightness 0-100 %; 0 turns the light off, as people mean by 'dim to zero'."""
    _require(entity_id, "light")
    if _percent(percent, "brightness") == 0:
        return ServiceCall("light", "turn_off", entity_id)
    return ServiceCall("light", "turn_on", entity_id, {"brightness_pct": round(percent)})


def set_rgb(entity_id: str, rgb: tuple[int, int, int]) -> ServiceCall:
    _require(entity_id, "light")
    if len(rgb) != 3 or any(not 0 <= c <= 255 for c in rgb):
        raise ValueError(f"rgb must be three values 0-255, got {rgb!r}")
    return ServiceCall("light", "turn_on", entity_id, {"rgb_color": [int(c) for c in rgb]})


def set_color_temp(entity_id: str, kelvin: int) -> ServiceCall:
    _require(entity_id, "light")
    if not 1000 <= kelvin <= 12000:
        raise ValueError(f"colour temperature must be 1000-12000 K, got {kelvin}")
    return ServiceCall("light", "turn_on", entity_id, {"color_temp_kelvin": int(kelvin)})


def set_cover_position(entity_id: str, percent: float) -> ServiceCall:
    _require(entity_id, "cover")
    position = round(_percent(percent, "position"))
    return ServiceCall("cover", "set_cover_position", entity_id, {"position": position})


def set_temperature(
    entity_id: str, temperature: float, hvac_mode: str | None = None
) -> ServiceCall:
    _require(entity_id, "climate")
    data: dict[str, Any] = {"temperature": temperature}
    if hvac_mode is not None:
        data["hvac_mode"] = hvac_mode
    return ServiceCall("climate", "set_temperature", entity_id, data)


def set_hvac_mode(entity_id: str, hvac_mode: str) -> ServiceCall:
    _require(entity_id, "climate")
    return ServiceCall("climate", "set_hvac_mode", entity_id, {"hvac_mode": hvac_mode})


def set_fan_percentage(entity_id: str, percent: float) -> ServiceCall:
    _require(entity_id, "fan")
    percentage = round(_percent(percent, "fan speed"))
    return ServiceCall("fan", "set_percentage", entity_id, {"percentage": percentage})


def set_volume(entity_id: str, percent: float) -> ServiceCall:
    _require(entity_id, "media_player")
    level = round(_percent(percent, "volume") / 100, 3)
    return ServiceCall("media_player", "volume_set", entity_id, {"volume_level": level})


class NormalisedState(TypedDict, total=False):
    """HA state in Samantha's units; only the keys that apply to the entity are present."""

    state: str  # HA's raw state string
    available: bool
    on: bool
    brightness: int  # 0-100 %
    rgb: tuple[int, int, int]
    color_temp_kelvin: int
    position: int  # 0 closed - 100 open
    current_temperature: float
    target_temperature: float
    target_temperature_low: float
    target_temperature_high: float
    min_temp: float  # climate: the lowest and highest target it takes, in `unit`
    max_temp: float
    hvac_mode: str
    locked: bool
    percentage: int  # fan speed
    volume: int  # 0-100 %
    media_title: str
    value: float | str  # sensors
    unit: str
    # the newer kinds (mapping_kinds.py)
    last_activated: str  # scenes and buttons: when they last ran
    condition: str  # weather
    temperature: float
    temperature_unit: str
    humidity: float
    wind_speed: float
    open_items: int  # to-do lists: how many are not done
    activity: str  # vacuums and lawn mowers
    battery_level: int
    fan_speed: str
    alarm_state: str
    presence: str  # a person: home, not_home or a zone
    playback: str  # media players: playing, paused, idle
    muted: bool
    fan_mode: str  # climate


_UNAVAILABLE = frozenset({"unavailable", "unknown"})
_OFF_STATES = frozenset({"off", "standby", "idle", "closed", "unavailable", "unknown"})


def _as_float(value: Any) -> float | None:
    """A finite, sane number, or None: HA passes on whatever an integration reports."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) and abs(number) < 1e12 else None


def _percent_of(value: float, scale: float = 100) -> int:
    return round(min(100.0, max(0.0, value * 100 / scale)))


def normalise_state(
    entity_id: str,
    state: str,
    attributes: Mapping[str, Any],
    *,
    temperature_unit: str | None = None,
) -> NormalisedState:
    """Translate an HA state; `temperature_unit` is HA's unit system unit (climate has none)."""
    domain = domain_of(entity_id)
    out: NormalisedState = {"state": state, "available": state not in _UNAVAILABLE}
    if domain in ("light", "switch", "fan", "input_boolean", "binary_sensor", "siren"):
        out["on"] = state == "on"
    elif domain == "media_player":
        out["on"] = state not in _OFF_STATES
    elif domain == "cover":
        out["on"] = state in ("open", "opening")
    elif domain == "climate":
        out["on"] = state not in _OFF_STATES
        out["hvac_mode"] = state

    if domain == "light":
        brightness = _as_float(attributes.get("brightness"))
        if brightness is not None:
            out["brightness"] = _percent_of(brightness, 255)
        rgb = attributes.get("rgb_color")
        channels = [_as_float(c) for c in rgb] if isinstance(rgb, (list, tuple)) else []
        if len(channels) == 3 and all(c is not None for c in channels):
            red, green, blue = (round(min(255.0, max(0.0, c or 0.0))) for c in channels)
            out["rgb"] = (red, green, blue)
        kelvin = _as_float(attributes.get("color_temp_kelvin"))
        if kelvin is not None:
            out["color_temp_kelvin"] = round(kelvin)
    elif domain == "cover":
        position = _as_float(attributes.get("current_position"))
        if position is not None:
            out["position"] = _percent_of(position)
    elif domain in ("climate", "water_heater"):
        for key, attr in (
            ("current_temperature", "current_temperature"),
            ("target_temperature", "temperature"),
            ("target_temperature_low", "target_temp_low"),
            ("target_temperature_high", "target_temp_high"),
            ("min_temp", "min_temp"),  # the targets it takes (kinds.temperature_limits)
            ("max_temp", "max_temp"),
        ):
            value = _as_float(attributes.get(attr))
            if value is not None:
                out[key] = value  # type: ignore[literal-required]
        if temperature_unit:
            out["unit"] = temperature_unit
    elif domain == "lock":
        if state in ("locked", "unlocked"):
            out["locked"] = state == "locked"
    elif domain == "fan":
        percentage = _as_float(attributes.get("percentage"))
        if percentage is not None:
            out["percentage"] = _percent_of(percentage)
    elif domain == "media_player":
        volume = _as_float(attributes.get("volume_level"))
        if volume is not None:
            out["volume"] = _percent_of(volume, 1)
        if attributes.get("media_title"):
            out["media_title"] = str(attributes["media_title"])[:255]
    elif domain == "sensor":
        number = _as_float(state)
        if out["available"]:
            out["value"] = number if number is not None else state
        if attributes.get("unit_of_measurement"):
            out["unit"] = str(attributes["unit_of_measurement"])
    return out
