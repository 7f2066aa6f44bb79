"""Abstract commands -> MQTT messages, and MQTT state payloads -> a normalised state dict.

Normalised state keys: on (bool), brightness (0-100), rgb ((r, g, b)), color_mode, position
(0-100, 100 = open), cover_state, current_temperature, target_temperature, hvac_mode,
percentage (0-100), preset_mode, locked (bool), lock_state, value (sensors); for vacuums,
lawn mowers, valves and alarm panels see codec_kinds.py. The shared types are in
codec_base.py.
"""

from __future__ import annotations

import colorsys
import math
from collections.abc import Mapping
from typing import Any

from samantha.plugins.mqtt.codec_base import (
    Action,
    Command,
    CommandError,
    OutgoingMessage,
    StateError,
    _msg,
    _render,
    _unsupported,
)
from samantha.plugins.mqtt.codec_kinds import KIND_CONFIGS, encode_kind, kind_roles
from samantha.plugins.mqtt.discovery import DiscoveredEntity
from samantha.plugins.mqtt.payloads import (
    MAX_STATE_BYTES,
    PayloadError,
    check_size,
    finite,
    loads,
    short,
)
from samantha.plugins.mqtt.payloads import text as bounded_text
from samantha.plugins.mqtt.templates import TemplateError, compile_template
from samantha.plugins.mqtt.wire import (
    BinarySensorConfig,
    ClimateConfig,
    CoverConfig,
    FanConfig,
    LightConfig,
    LockConfig,
    SensorConfig,
    SwitchConfig,
)

# -- commands --------------------------------------------------------------------------


def encode_command(
    entity: DiscoveredEntity, command: Command, state: Mapping[str, Any] | None = None
) -> list[OutgoingMessage]:
    """MQTT messages (in order) carrying `command` to `entity`. `state` resolves toggles."""
    cfg = entity.config
    action = Action(command.action)
    if action is Action.TOGGLE:
        on = (state or {}).get("on")
        if isinstance(cfg, LockConfig):
            action = Action.UNLOCK if (state or {}).get("locked") else Action.LOCK
        else:
            action = Action.TURN_OFF if on else Action.TURN_ON
        command = Command(action)
    try:
        if isinstance(cfg, LightConfig):
            if cfg.light_schema == "json":
                return _light_json(entity, cfg, action, command)
            return _light_default(cfg, action, command)
        if isinstance(cfg, SwitchConfig):
            return _switch(cfg, action)
        if isinstance(cfg, CoverConfig):
            return _cover(cfg, action, command)
        if isinstance(cfg, ClimateConfig):
            return _climate(cfg, action, command)
        if isinstance(cfg, FanConfig):
            return _fan(cfg, action, command)
        if isinstance(cfg, LockConfig):
            return _lock(cfg, action)
        if isinstance(cfg, KIND_CONFIGS):
            return encode_kind(cfg, action, command)
    except TemplateError as exc:
        raise CommandError(f"{entity.unique_id}: {exc}") from None
    raise CommandError(f"{entity.unique_id}: a {entity.component} takes no commands")


def _scaled(percent: float, scale: int) -> int:
    percent = min(100.0, max(0.0, float(percent)))
    return max(1, round(percent * scale / 100)) if percent > 0 else 0


def _light_default(cfg: LightConfig, action: Action, c: Command) -> list[OutgoingMessage]:
    if action is Action.TURN_OFF or (c.brightness is not None and c.brightness <= 0):
        return [_msg(cfg, cfg.command_topic, cfg.payload_off)]
    if action not in (Action.TURN_ON, Action.SET_BRIGHTNESS, Action.SET_COLOR):
        raise _unsupported(cfg, action)
    extra: list[OutgoingMessage] = []
    if c.brightness is not None:
        if cfg.brightness_command_topic is None:
            raise CommandError("this light has no brightness control")
        level = _scaled(c.brightness, cfg.brightness_scale)
        extra.append(
            _msg(cfg, cfg.brightness_command_topic, _render(cfg.brightness_command_template, level))
        )
    if c.rgb is not None:
        if cfg.rgb_command_topic is None:
            raise CommandError("this light has no rgb control")
        r, g, b = c.rgb
        payload = _render(cfg.rgb_command_template, f"{r},{g},{b}", red=r, green=g, blue=b)
        extra.append(_msg(cfg, cfg.rgb_command_topic, payload))
    on = _msg(cfg, cfg.command_topic, cfg.payload_on)
    if not extra:
        return [on]
    if cfg.on_command_type == "brightness" and c.brightness is not None:
        return extra
    return [on, *extra] if cfg.on_command_type == "first" else [*extra, on]


def _light_json(
    entity: DiscoveredEntity, cfg: LightConfig, action: Action, c: Command
) -> list[OutgoingMessage]:
    if action is Action.TURN_OFF or (c.brightness is not None and c.brightness <= 0):
        return [_msg(cfg, cfg.command_topic, {"state": "OFF"})]
    if action not in (Action.TURN_ON, Action.SET_BRIGHTNESS, Action.SET_COLOR):
        raise _unsupported(cfg, action)
    body: dict[str, Any] = {"state": "ON"}
    caps = entity.capabilities
    if c.brightness is not None:
        if not caps.brightness:
            raise CommandError("this light has no brightness control")
        body["brightness"] = _scaled(c.brightness, cfg.brightness_scale)
    if c.rgb is not None:
        modes = set(caps.color_modes)
        r, g, b = (min(255, max(0, int(v))) for v in c.rgb)
        if modes & {"rgb", "rgbw", "rgbww"} or (not modes and cfg.color_mode):
            body["color"] = {"r": r, "g": g, "b": b}
        elif "xy" in modes:
            x, y = rgb_to_xy((r, g, b))
            body["color"] = {"x": x, "y": y}
        elif "hs" in modes:
            h, s, _ = colorsys.rgb_to_hsv(r / 255, g / 255, b / 255)
            body["color"] = {"h": round(h * 360, 3), "s": round(s * 100, 3)}
        else:
            raise CommandError("this light has no colour control")
    return [_msg(cfg, cfg.command_topic, body)]


def _switch(cfg: SwitchConfig, action: Action) -> list[OutgoingMessage]:
    if cfg.command_topic is None or action not in (Action.TURN_ON, Action.TURN_OFF):
        raise _unsupported(cfg, action)
    payload = cfg.payload_on if action is Action.TURN_ON else cfg.payload_off
    return [_msg(cfg, cfg.command_topic, _render(cfg.command_template, payload))]


def _cover(cfg: CoverConfig, action: Action, c: Command) -> list[OutgoingMessage]:
    simple = {
        Action.OPEN: cfg.payload_open,
        Action.TURN_ON: cfg.payload_open,
        Action.CLOSE: cfg.payload_close,
        Action.TURN_OFF: cfg.payload_close,
        Action.STOP: cfg.payload_stop,
    }
    if action in simple:
        payload = simple[action]
        if cfg.command_topic is None or payload is None:
            raise _unsupported(cfg, action)
        return [_msg(cfg, cfg.command_topic, payload)]
    if action is Action.SET_POSITION and c.position is not None:
        if cfg.set_position_topic is None:
            raise _unsupported(cfg, action)
        pct = min(100.0, max(0.0, float(c.position)))
        lo, hi = cfg.position_closed, cfg.position_open
        value = round(lo + (hi - lo) * pct / 100)
        payload = _render(cfg.set_position_template, value, position=value)
        return [_msg(cfg, cfg.set_position_topic, payload)]
    raise _unsupported(cfg, action)


def _climate(cfg: ClimateConfig, action: Action, c: Command) -> list[OutgoingMessage]:
    if action is Action.SET_TEMPERATURE and c.temperature is not None:
        if cfg.temperature_command_topic is None:
            raise _unsupported(cfg, action)
        lo = cfg.min_temp if cfg.min_temp is not None else -math.inf
        hi = cfg.max_temp if cfg.max_temp is not None else math.inf
        if not lo <= c.temperature <= hi:
            raise CommandError(f"temperature {c.temperature} outside {lo}..{hi}")
        step = cfg.temp_step or 1.0
        value = round(round(c.temperature / step) * step, 3)
        value_text: Any = int(value) if value == int(value) and step >= 1 else value
        payload = _render(cfg.temperature_command_template, value_text)
        return [_msg(cfg, cfg.temperature_command_topic, payload)]
    mode = c.hvac_mode if action is Action.SET_HVAC_MODE else None
    if action is Action.TURN_OFF and cfg.power_command_topic is None:
        mode = "off"
    if action is Action.TURN_ON and cfg.power_command_topic is None:
        mode = next((m for m in ("heat", "auto", "cool") if m in cfg.modes), None)
    if action in (Action.TURN_ON, Action.TURN_OFF) and cfg.power_command_topic is not None:
        payload = cfg.payload_on if action is Action.TURN_ON else cfg.payload_off
        return [_msg(cfg, cfg.power_command_topic, payload)]
    if mode is not None:
        if cfg.mode_command_topic is None:
            raise _unsupported(cfg, action)
        if mode not in cfg.modes:
            raise CommandError(f"hvac mode {mode!r} not in {cfg.modes}")
        return [_msg(cfg, cfg.mode_command_topic, _render(cfg.mode_command_template, mode))]
    raise _unsupported(cfg, action)


def _fan(cfg: FanConfig, action: Action, c: Command) -> list[OutgoingMessage]:
    pct = c.percentage if action is Action.SET_PERCENTAGE else None
    if action is Action.TURN_OFF or (pct is not None and pct <= 0):
        return [_msg(cfg, cfg.command_topic, _render(cfg.command_template, cfg.payload_off))]
    if action is Action.TURN_ON and c.percentage is None:
        return [_msg(cfg, cfg.command_topic, _render(cfg.command_template, cfg.payload_on))]
    pct = pct if pct is not None else c.percentage
    if pct is None or cfg.percentage_command_topic is None:
        raise _unsupported(cfg, action)
    lo, hi = cfg.speed_range_min, cfg.speed_range_max
    # HA's percentage_to_ranged_value: the lowest speed covers the first slice of percent.
    value = max(lo, min(hi, math.ceil(lo - 1 + (hi - lo + 1) * min(100.0, pct) / 100)))
    payload = _render(cfg.percentage_command_template, value)
    return [_msg(cfg, cfg.percentage_command_topic, payload)]


def _lock(cfg: LockConfig, action: Action) -> list[OutgoingMessage]:
    if action not in (Action.LOCK, Action.UNLOCK):
        raise _unsupported(cfg, action)
    payload = cfg.payload_lock if action is Action.LOCK else cfg.payload_unlock
    return [_msg(cfg, cfg.command_topic, _render(cfg.command_template, payload))]


# -- states ----------------------------------------------------------------------------


def decode_state(entity: DiscoveredEntity, topic: str, payload: bytes | str) -> dict[str, Any]:
    """The state fields carried by `payload` on `topic` for `entity` (may be partial).

    Raises StateError for payloads that do not fit (too large, bad JSON, numbers out of
    range, unknown state words...). Every value in the result is checked: finite numbers in
    their range, bounded text.
    """
    try:
        check_size(payload, MAX_STATE_BYTES)
    except PayloadError as exc:
        raise StateError(str(exc)) from None
    text = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else payload
    cfg = entity.config
    out: dict[str, Any] = {}
    try:
        for role_topic, template, decoder in _roles(entity):
            if role_topic == topic:
                value = _value(text, template)
                if value is None or value == "" or value == "None":
                    continue  # HA treats these as "unknown": no change
                decoder(cfg, value, out)
    except TemplateError as exc:
        raise StateError(str(exc)) from None
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        # PayloadError is a ValueError: its text already says what was wrong.
        raise StateError(f"cannot use {short(text)}: {short(str(exc), 200)}") from None
    return out


def _value(text: str, template: str | None) -> Any:
    if template is None:
        return text
    return compile_template(template).render_value(text)


def _roles(entity: DiscoveredEntity) -> list[tuple[str | None, str | None, Any]]:
    cfg = entity.config
    if isinstance(cfg, LightConfig):
        if cfg.light_schema == "json":
            return [(cfg.state_topic, None, _light_json_state)]
        return [
            (cfg.state_topic, cfg.state_value_template, _on_off),
            (cfg.brightness_state_topic, cfg.brightness_value_template, _brightness),
            (cfg.rgb_state_topic, cfg.rgb_value_template, _rgb),
        ]
    if isinstance(cfg, SwitchConfig):
        return [(cfg.state_topic, cfg.value_template, _on_off)]
    if isinstance(cfg, BinarySensorConfig):
        return [(cfg.state_topic, cfg.value_template, _on_off)]
    if isinstance(cfg, CoverConfig):
        return [
            (cfg.state_topic, cfg.value_template, _cover_state),
            (cfg.position_topic, cfg.position_template, _cover_position),
        ]
    if isinstance(cfg, ClimateConfig):
        return [
            (cfg.mode_state_topic, cfg.mode_state_template, _set("hvac_mode", str)),
            (cfg.temperature_state_topic, cfg.temperature_state_template,
             _set("target_temperature", float)),
            (cfg.current_temperature_topic, cfg.current_temperature_template,
             _set("current_temperature", float)),
            (cfg.preset_mode_state_topic, cfg.preset_mode_value_template,
             _set("preset_mode", str)),
        ]
    if isinstance(cfg, FanConfig):
        return [
            (cfg.state_topic, cfg.state_value_template, _on_off),
            (cfg.percentage_state_topic, cfg.percentage_value_template, _fan_percentage),
            (cfg.preset_mode_state_topic, cfg.preset_mode_value_template,
             _set("preset_mode", str)),
        ]
    if isinstance(cfg, LockConfig):
        return [(cfg.state_topic, cfg.value_template, _lock_state)]
    if isinstance(cfg, KIND_CONFIGS):
        return kind_roles(cfg)
    assert isinstance(cfg, SensorConfig)
    return [(cfg.state_topic, cfg.value_template, _sensor)]


def _set(key: str, kind: type) -> Any:
    def decode(_cfg: Any, value: Any, out: dict[str, Any]) -> None:
        if kind is float:
            out[key] = finite(value, key, -1000, 1000)
        else:
            out[key] = bounded_text(value, key)

    return decode


def _on_off(cfg: Any, value: Any, out: dict[str, Any]) -> None:
    text = bounded_text(value, "state")
    on_word = getattr(cfg, "state_on", None) or cfg.payload_on
    off_word = getattr(cfg, "state_off", None) or cfg.payload_off
    if text == on_word:
        out["on"] = True
    elif text == off_word:
        out["on"] = False
    else:
        raise ValueError(f"expected {short(on_word)} or {short(off_word)}")


def _brightness(cfg: LightConfig, value: Any, out: dict[str, Any]) -> None:
    out["brightness"] = _percent_of(value, cfg.brightness_scale, "brightness")


def _clamped(value: Any, what: str, low: float, high: float) -> float:
    # Devices overshoot a little (brightness 255 on a 254 scale): clamp what is finite and
    # plausible; NaN, infinities and absurd magnitudes are refused by `finite`.
    return min(high, max(low, finite(value, what)))


def _percent_of(value: Any, scale: int, what: str) -> float:
    return round(_clamped(value, what, 0, scale) * 100 / scale, 1)


def _channel(value: Any, what: str = "colour channel") -> int:
    return round(_clamped(value, what, 0, 255))


def _rgb(_cfg: Any, value: Any, out: dict[str, Any]) -> None:
    parts = bounded_text(value, "rgb", 64).split(",")
    if len(parts) != 3:
        raise PayloadError(f"rgb: expected 'r,g,b', got {short(value)}")
    r, g, b = (_channel(v) for v in parts)
    out["rgb"] = (r, g, b)


def _light_json_state(cfg: LightConfig, value: Any, out: dict[str, Any]) -> None:
    data = loads(value, limit=MAX_STATE_BYTES)
    if not isinstance(data, dict):
        raise ValueError("JSON light state is not an object")
    if "state" in data:
        state = bounded_text(data["state"], "state").upper()
        if state not in ("ON", "OFF"):
            raise ValueError(f"state {short(data['state'])}")
        out["on"] = state == "ON"
    if data.get("brightness") is not None:
        out["brightness"] = _percent_of(data["brightness"], cfg.brightness_scale, "brightness")
    if data.get("color_mode"):
        out["color_mode"] = bounded_text(data["color_mode"], "color_mode")
    color = data.get("color")
    if isinstance(color, dict):
        if {"r", "g", "b"} <= color.keys():
            out["rgb"] = (_channel(color["r"]), _channel(color["g"]), _channel(color["b"]))
        elif {"x", "y"} <= color.keys():
            out["rgb"] = xy_to_rgb(_clamped(color["x"], "x", 0, 1), _clamped(color["y"], "y", 0, 1))
        elif {"h", "s"} <= color.keys():
            hue = _clamped(color["h"], "hue", 0, 360)
            sat = _clamped(color["s"], "saturation", 0, 100)
            r, g, b = colorsys.hsv_to_rgb(hue / 360, sat / 100, 1)
            out["rgb"] = (round(r * 255), round(g * 255), round(b * 255))
    if data.get("color_temp") is not None:
        out["color_temp"] = round(_clamped(data["color_temp"], "color_temp", 0, 1_000_000))


def _cover_state(cfg: CoverConfig, value: Any, out: dict[str, Any]) -> None:
    words = {
        cfg.state_open: "open",
        cfg.state_opening: "opening",
        cfg.state_closed: "closed",
        cfg.state_closing: "closing",
        cfg.state_stopped: "stopped",
    }
    text = bounded_text(value, "cover state")
    if text in words:
        out["cover_state"] = words[text]
        if words[text] in ("open", "closed"):
            out["on"] = words[text] == "open"
        return
    if cfg.position_topic is None:  # HA: a numeric state is a position when no position topic
        _cover_position(cfg, value, out)
        return
    raise ValueError(f"unknown cover state {text!r}")


def _cover_position(cfg: CoverConfig, value: Any, out: dict[str, Any]) -> None:
    lo, hi = cfg.position_closed, cfg.position_open  # never equal (wire.py)
    pct = (finite(value, "position") - lo) * 100 / (hi - lo)
    out["position"] = round(min(100.0, max(0.0, pct)), 1)
    out["on"] = out["position"] > 0


def _fan_percentage(cfg: FanConfig, value: Any, out: dict[str, Any]) -> None:
    lo, hi = cfg.speed_range_min, cfg.speed_range_max
    raw = finite(value, "fan speed")
    pct = (raw - lo + 1) * 100 / (hi - lo + 1)  # hi >= lo (wire.py)
    out["percentage"] = 0.0 if raw <= 0 else round(min(100.0, pct), 1)


def _lock_state(cfg: LockConfig, value: Any, out: dict[str, Any]) -> None:
    words = {
        cfg.state_locked: "locked",
        cfg.state_unlocked: "unlocked",
        cfg.state_locking: "locking",
        cfg.state_unlocking: "unlocking",
        cfg.state_jammed: "jammed",
    }
    text = bounded_text(value, "lock state")
    if text not in words:
        raise ValueError(f"unknown lock state {short(text)}")
    out["lock_state"] = words[text]
    if words[text] in ("locked", "unlocked"):
        out["locked"] = words[text] == "locked"


def _sensor(_cfg: SensorConfig, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = finite(value, "sensor value", -1e15, 1e15)
        out["value"] = value if isinstance(value, int) else number
        return
    if isinstance(value, (dict, list)):
        raise ValueError("a sensor value must be a number or text, not JSON structure")
    text = bounded_text(value, "sensor value")
    try:
        number = float(text)
    except ValueError:
        out["value"] = text
        return
    if not math.isfinite(number) or abs(number) > 1e15:
        out["value"] = text  # "nan", "inf", "1e999": kept as the text the device sent
    elif text.strip().lstrip("-").isdigit():
        out["value"] = int(number) if abs(number) < 2**53 else number
    else:
        out["value"] = number


# -- colour helpers ----------------------------------------------------------------------


def rgb_to_xy(rgb: tuple[int, int, int]) -> tuple[float, float]:
    """sRGB -> CIE 1931 xy (what Zigbee bulbs take), rounded to 4 places."""

    def lin(c: float) -> float:
        c /= 255
        return ((c + 0.055) / 1.055) ** 2.4 if c > 0.04045 else c / 12.92

    r, g, b = (lin(v) for v in rgb)
    x = r * 0.4124 + g * 0.3576 + b * 0.1805
    y = r * 0.2126 + g * 0.7152 + b * 0.0722
    z = r * 0.0193 + g * 0.1192 + b * 0.9505
    total = x + y + z
    if total == 0:
        return (0.3127, 0.329)  # D65 white for black: the bulb keeps its white point
    return (round(x / total, 4), round(y / total, 4))


def xy_to_rgb(x: float, y: float) -> tuple[int, int, int]:
    """CIE xy at full brightness -> sRGB (approximate, normalised to max channel 255)."""
    if y <= 0:
        return (255, 255, 255)
    big_y = 1.0
    big_x = big_y / y * x
    big_z = big_y / y * (1 - x - y)
    r = big_x * 3.2406 - big_y * 1.5372 - big_z * 0.4986
    g = -big_x * 0.9689 + big_y * 1.8758 + big_z * 0.0415
    b = big_x * 0.0557 - big_y * 0.2040 + big_z * 1.0570
    rgb = [max(0.0, c) for c in (r, g, b)]
    peak = max(rgb) or 1.0
    rgb = [c / peak for c in rgb]

    def gamma(c: float) -> int:
        c = 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055
        return round(min(1.0, max(0.0, c)) * 255)

    return (gamma(rgb[0]), gamma(rgb[1]), gamma(rgb[2]))
