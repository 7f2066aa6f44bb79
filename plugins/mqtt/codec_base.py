"""What the MQTT codecs share: abstract commands, outgoing messages, their errors, and the
helpers that render a payload and publish it with the entity's QoS and retain flag."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from typing import Any

from samantha.plugins.mqtt.templates import compile_template


class Action(str, Enum):
    TURN_ON = "turn_on"
    TURN_OFF = "turn_off"
    TOGGLE = "toggle"
    SET_BRIGHTNESS = "set_brightness"
    SET_COLOR = "set_color"
    OPEN = "open"
    CLOSE = "close"
    STOP = "stop"
    SET_POSITION = "set_position"
    SET_TEMPERATURE = "set_temperature"
    SET_HVAC_MODE = "set_hvac_mode"
    SET_PERCENTAGE = "set_percentage"
    LOCK = "lock"
    UNLOCK = "unlock"
    # the kinds named after HA's newer platforms (codec_kinds.py)
    START = "start"
    PAUSE = "pause"
    RETURN_TO_BASE = "return_to_base"
    CLEAN_AREA = "clean_area"
    START_MOWING = "start_mowing"
    DOCK = "dock"
    ARM_HOME = "arm_home"
    ARM_AWAY = "arm_away"
    ARM_NIGHT = "arm_night"
    ARM_VACATION = "arm_vacation"
    DISARM = "disarm"
    TRIGGER = "trigger"
    PRESS = "press"


@dataclass(frozen=True)
class Command:
    """An abstract command; only the fields its action needs are read."""

    action: Action
    brightness: float | None = None  # percent 0-100
    rgb: tuple[int, int, int] | None = None
    position: float | None = None  # percent, 100 = open
    temperature: float | None = None
    hvac_mode: str | None = None
    percentage: float | None = None
    code: str | None = None  # an alarm panel's code, as the person said it
    area: str | None = None  # where a vacuum should clean


@dataclass(frozen=True)
class OutgoingMessage:
    topic: str
    payload: str
    qos: int = 1
    retain: bool = False
    # False: sending it twice would act twice (a button press); the outbox sends it at most once.
    repeatable: bool = True


class CommandError(ValueError):
    """The entity cannot do this (no topic for it, unsupported template, bad value)."""


class StateError(ValueError):
    """A state payload that cannot be understood; log once with the topic and ignore."""


def _msg(cfg: Any, topic: str, payload: Any) -> OutgoingMessage:
    text = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
    return OutgoingMessage(topic, text, qos=max(1, cfg.qos), retain=cfg.retain)


def _unsupported(cfg: Any, action: Action) -> CommandError:
    return CommandError(f"{cfg.platform} cannot {action.value} (no topic for it)")


def _render(template: str | None, value: Any, **extra: Any) -> str:
    if template is None:
        return str(value)
    result = compile_template(template).render({"value": value, **extra})
    return result if isinstance(result, str) else str(result)
