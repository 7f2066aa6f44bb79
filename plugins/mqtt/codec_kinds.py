"""Commands and states of vacuums, lawn mowers, valves, alarm panels, scenes and buttons.

Payloads follow Home Assistant's MQTT platforms (homeassistant/components/mqtt/*.py), so a
device built for Home Assistant works unchanged. Normalised state keys: `activity` (vacuum:
cleaning, docked, paused, idle, returning, error; lawn mower: mowing, docked, paused,
returning, error), `battery_level` and `fan_speed` (vacuum), `position` (valve, 0-100, 100 =
open) and `valve_state` (opening, closing), `alarm_state` (HA's alarm states).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from samantha.plugins.mqtt.codec_base import (
    Action,
    Command,
    CommandError,
    OutgoingMessage,
    _msg,
    _render,
    _unsupported,
)
from samantha.plugins.mqtt.payloads import MAX_STATE_BYTES, finite, loads, short
from samantha.plugins.mqtt.payloads import text as bounded_text
from samantha.plugins.mqtt.wire_kinds import (
    REMOTE_CODES,
    AlarmControlPanelConfig,
    ButtonConfig,
    LawnMowerConfig,
    SceneConfig,
    VacuumConfig,
    ValveConfig,
)

KIND_CONFIGS = (VacuumConfig, LawnMowerConfig, ValveConfig, AlarmControlPanelConfig,
                SceneConfig, ButtonConfig)

VACUUM_ACTIVITIES = ("cleaning", "docked", "paused", "idle", "returning", "error")
MOWER_ACTIVITIES = ("mowing", "docked", "paused", "returning", "error")
ALARM_STATES = ("disarmed", "armed_home", "armed_away", "armed_night", "armed_vacation",
                "armed_custom_bypass", "pending", "arming", "disarming", "triggered")


# -- commands --------------------------------------------------------------------------


def encode_kind(cfg: Any, action: Action, c: Command) -> list[OutgoingMessage]:
    if isinstance(cfg, VacuumConfig):
        return _vacuum(cfg, action, c)
    if isinstance(cfg, LawnMowerConfig):
        return _mower(cfg, action)
    if isinstance(cfg, ValveConfig):
        return _valve(cfg, action, c)
    if isinstance(cfg, AlarmControlPanelConfig):
        return _alarm(cfg, action, c)
    if isinstance(cfg, SceneConfig):
        if action is not Action.TURN_ON or cfg.command_topic is None:
            raise _unsupported(cfg, action)
        return [_msg(cfg, cfg.command_topic, cfg.payload_on)]
    assert isinstance(cfg, ButtonConfig)
    if action is not Action.PRESS:
        raise _unsupported(cfg, action)
    press = _msg(cfg, cfg.command_topic, _render(cfg.command_template, cfg.payload_press))
    return [dataclasses.replace(press, repeatable=False)]


_VACUUM = {  # action -> (feature the vacuum must list, payload option)
    Action.START: ("start", "payload_start"),
    Action.PAUSE: ("pause", "payload_pause"),
    Action.STOP: ("stop", "payload_stop"),
    Action.RETURN_TO_BASE: ("return_home", "payload_return_to_base"),
}


def _vacuum(cfg: VacuumConfig, action: Action, c: Command) -> list[OutgoingMessage]:
    if action is Action.CLEAN_AREA:
        if cfg.send_command_topic is None or "send_command" not in cfg.supported_features:
            raise CommandError("this vacuum cannot be sent to one area (no send_command)")
        body = {"command": "clean_area", "area": c.area}
        return [_msg(cfg, cfg.send_command_topic, body)]
    if action not in _VACUUM:
        raise _unsupported(cfg, action)
    feature, option = _VACUUM[action]
    if cfg.command_topic is None or feature not in cfg.supported_features:
        raise CommandError(f"this vacuum does not support {feature.replace('_', ' ')}")
    return [_msg(cfg, cfg.command_topic, getattr(cfg, option))]


_MOWER = {Action.START_MOWING: "start_mowing", Action.PAUSE: "pause", Action.DOCK: "dock"}


def _mower(cfg: LawnMowerConfig, action: Action) -> list[OutgoingMessage]:
    name = _MOWER.get(action)
    topic = getattr(cfg, f"{name}_command_topic") if name else None
    if name is None or topic is None:
        raise _unsupported(cfg, action)
    # HA renders each command's template with the command's own name as the value.
    return [_msg(cfg, topic, _render(getattr(cfg, f"{name}_command_template"), name))]


def _valve(cfg: ValveConfig, action: Action, c: Command) -> list[OutgoingMessage]:
    if cfg.command_topic is None:
        raise _unsupported(cfg, action)
    if cfg.reports_position and action in (Action.OPEN, Action.CLOSE, Action.SET_POSITION):
        pct = {Action.OPEN: 100.0, Action.CLOSE: 0.0}.get(action, c.position)
        if pct is None:
            raise _unsupported(cfg, action)
        pct = min(100.0, max(0.0, float(pct)))
        # HA's percentage_to_ranged_value over (position_closed + 1, position_open).
        span = cfg.position_open - cfg.position_closed
        value = round(span * pct / 100 + cfg.position_closed)
        payload = _render(cfg.command_template, value, position=round(pct),
                          position_open=cfg.position_open,
                          position_closed=cfg.position_closed)
        return [_msg(cfg, cfg.command_topic, payload)]
    words = {Action.OPEN: cfg.payload_open, Action.CLOSE: cfg.payload_close,
             Action.STOP: cfg.payload_stop}
    word = words.get(action)
    if word is None:
        raise _unsupported(cfg, action)
    return [_msg(cfg, cfg.command_topic, _render(cfg.command_template, word))]


_ALARM = {  # action -> (feature, payload option, which code_*_required applies)
    Action.ARM_HOME: ("arm_home", "payload_arm_home", "arm"),
    Action.ARM_AWAY: ("arm_away", "payload_arm_away", "arm"),
    Action.ARM_NIGHT: ("arm_night", "payload_arm_night", "arm"),
    Action.ARM_VACATION: ("arm_vacation", "payload_arm_vacation", "arm"),
    Action.DISARM: (None, "payload_disarm", "disarm"),
    Action.TRIGGER: ("trigger", "payload_trigger", "trigger"),
}


def _alarm(cfg: AlarmControlPanelConfig, action: Action, c: Command) -> list[OutgoingMessage]:
    if action not in _ALARM:
        raise _unsupported(cfg, action)
    feature, option, kind = _ALARM[action]
    if feature is not None and feature not in cfg.supported_features:
        raise CommandError(f"this alarm panel does not support {feature.replace('_', ' ')}")
    required = getattr(cfg, f"code_{kind}_required")
    if required and cfg.code is not None:
        if cfg.code in REMOTE_CODES:
            if not c.code:
                raise CommandError("this alarm panel needs a code")
        elif c.code != cfg.code:
            # Never echo either code: replies and logs are seen by others.
            raise CommandError("wrong code for the alarm panel")
    payload = _render(cfg.command_template, None, action=getattr(cfg, option), code=c.code)
    return [_msg(cfg, cfg.command_topic, payload)]


# -- states ----------------------------------------------------------------------------


def kind_roles(cfg: Any) -> list[tuple[str | None, str | None, Any]]:
    """(topic, value template, decoder) for each state topic of these kinds."""
    if isinstance(cfg, VacuumConfig):
        return [(cfg.state_topic, None, _vacuum_state)]
    if isinstance(cfg, LawnMowerConfig):
        return [(cfg.activity_state_topic, cfg.activity_value_template, _mower_activity)]
    if isinstance(cfg, ValveConfig):
        return [(cfg.state_topic, cfg.value_template, _valve_state)]
    if isinstance(cfg, AlarmControlPanelConfig):
        return [(cfg.state_topic, cfg.value_template, _alarm_state)]
    return []  # scenes and buttons have no state


def _word(value: Any, what: str, words: tuple[str, ...]) -> str:
    text = bounded_text(value, what)
    if text not in words:
        raise ValueError(f"unknown {what} {short(text)} (expected one of {', '.join(words)})")
    return text


def _vacuum_state(_cfg: VacuumConfig, value: Any, out: dict[str, Any]) -> None:
    data = loads(value, limit=MAX_STATE_BYTES) if isinstance(value, str) else value
    if not isinstance(data, dict):
        raise ValueError("a vacuum's state is a JSON object")
    if data.get("state") is not None:
        out["activity"] = _word(data["state"], "vacuum state", VACUUM_ACTIVITIES)
    if data.get("battery_level") is not None:
        out["battery_level"] = round(min(100.0, max(0.0, finite(data["battery_level"],
                                                                "battery_level"))))
    if data.get("fan_speed") is not None:
        out["fan_speed"] = bounded_text(data["fan_speed"], "fan_speed")


def _mower_activity(_cfg: LawnMowerConfig, value: Any, out: dict[str, Any]) -> None:
    out["activity"] = _word(value, "lawn mower activity", MOWER_ACTIVITIES)


def _valve_state(cfg: ValveConfig, value: Any, out: dict[str, Any]) -> None:
    state: Any = value
    position: Any = value
    if isinstance(value, str) and value.lstrip().startswith("{"):
        data = loads(value, limit=MAX_STATE_BYTES)
        if not isinstance(data, dict):
            raise ValueError("a valve's JSON state is an object")
        state, position = data.get("state"), data.get("position")
    if state is not None and state in (cfg.state_opening, cfg.state_closing):
        out["valve_state"] = "opening" if state == cfg.state_opening else "closing"
    if cfg.reports_position:
        if position is None or position in (cfg.state_opening, cfg.state_closing):
            if "valve_state" not in out:
                raise ValueError("this valve reports a position, but none was given")
            return
        # HA's ranged_value_to_percentage over (position_closed + 1, position_open).
        span = cfg.position_open - cfg.position_closed
        pct = (finite(position, "valve position") - cfg.position_closed) * 100 / span
        out["position"] = round(min(100.0, max(0.0, pct)), 1)
        return
    if "valve_state" in out:
        return
    words = {cfg.state_open: 100, cfg.state_closed: 0}
    text = bounded_text(state, "valve state")
    if text not in words:
        raise ValueError(f"unknown valve state {short(text)}")
    out["position"] = words[text]


def _alarm_state(_cfg: AlarmControlPanelConfig, value: Any, out: dict[str, Any]) -> None:
    out["alarm_state"] = _word(value, "alarm state", ALARM_STATES)
