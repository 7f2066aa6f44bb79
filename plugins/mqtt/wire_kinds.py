"""Discovery config models of the kinds named after Home Assistant's newer MQTT platforms:
vacuum, lawn_mower, valve, alarm_control_panel, scene and button.

Option names and defaults follow homeassistant/components/mqtt/<platform>.py. Home Assistant
has no MQTT media player platform, so there is none here. Validation is the same as for the
older kinds (wire_base.py): concrete topics, bounded names, lists and numbers.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from samantha.plugins.mqtt.wire_base import Position, _EntityConfig, _list, _payload_text

VACUUM_FEATURES = ("start", "stop", "pause", "return_home", "battery", "status", "locate",
                   "clean_spot", "fan_speed", "send_command")
# HA's default when a vacuum names none.
VACUUM_DEFAULT_FEATURES = ["start", "stop", "return_home", "status", "battery", "clean_spot"]
ALARM_FEATURES = ("arm_home", "arm_away", "arm_night", "arm_vacation", "arm_custom_bypass",
                  "trigger")
# The `code` values that mean "whatever code the person gives is passed on to the panel".
REMOTE_CODES = ("REMOTE_CODE", "REMOTE_CODE_TEXT")


class VacuumConfig(_EntityConfig):
    """HA's "state" vacuum (the only schema since 2024.2): commands as payloads on one
    topic; the state topic carries JSON `{"state": ..., "battery_level": ..., ...}`."""

    platform: Literal["vacuum"] = "vacuum"
    command_topic: str | None = None
    state_topic: str | None = None
    send_command_topic: str | None = None
    set_fan_speed_topic: str | None = None
    fan_speed_list: list[str] = _list()
    supported_features: list[Literal[VACUUM_FEATURES]] = Field(  # type: ignore[valid-type]
        default_factory=lambda: list(VACUUM_DEFAULT_FEATURES), max_length=len(VACUUM_FEATURES))
    payload_start: str = "start"
    payload_pause: str = "pause"
    payload_stop: str = "stop"
    payload_return_to_base: str = "return_to_base"
    payload_clean_spot: str = "clean_spot"
    payload_locate: str = "locate"

    text_payloads = field_validator(
        "payload_start", "payload_pause", "payload_stop", "payload_return_to_base",
        "payload_clean_spot", "payload_locate", mode="before")(_payload_text)


class LawnMowerConfig(_EntityConfig):
    """One command topic per action; each command's payload is its template applied to the
    action's name ("start_mowing", "pause", "dock")."""

    platform: Literal["lawn_mower"] = "lawn_mower"
    activity_state_topic: str | None = None
    activity_value_template: str | None = None
    start_mowing_command_topic: str | None = None
    start_mowing_command_template: str | None = None
    pause_command_topic: str | None = None
    pause_command_template: str | None = None
    dock_command_topic: str | None = None
    dock_command_template: str | None = None


class ValveConfig(_EntityConfig):
    """Open/close payloads on the command topic; or, with `reports_position`, a position
    (position_closed..position_open) for open, close and set position alike."""

    platform: Literal["valve"] = "valve"
    command_topic: str | None = None
    command_template: str | None = None
    state_topic: str | None = None
    value_template: str | None = None
    reports_position: bool = False
    payload_open: str | None = None
    payload_close: str | None = None
    payload_stop: str | None = None
    state_open: str | None = None
    state_opening: str = "opening"
    state_closed: str | None = None
    state_closing: str = "closing"
    position_open: Position = 100
    position_closed: Position = 0
    device_class: str | None = None

    text_payloads = field_validator(
        "payload_open", "payload_close", "payload_stop", mode="before")(_payload_text)

    @model_validator(mode="after")
    def _position_or_words(self) -> ValveConfig:
        given = {"payload_open", "payload_close", "state_open", "state_closed"} & (
            self.model_fields_set)
        if self.reports_position and given:
            raise ValueError(f"{', '.join(sorted(given))} not allowed when the valve reports "
                             "a position")
        if self.position_open <= self.position_closed:
            raise ValueError("position_open must be larger than position_closed")
        if not self.reports_position:
            # HA's defaults, filled in only for valves that speak in words.
            self.payload_open = self.payload_open if self.payload_open is not None else "OPEN"
            self.payload_close = self.payload_close if self.payload_close is not None else "CLOSE"
            self.state_open = self.state_open or "open"
            self.state_closed = self.state_closed or "closed"
        return self


class AlarmControlPanelConfig(_EntityConfig):
    """Commands through `command_template` (default "{{action}}", variables `action` and
    `code`); `code` is checked here unless it is REMOTE_CODE(_TEXT), then passed on."""

    platform: Literal["alarm_control_panel"] = "alarm_control_panel"
    command_topic: str
    state_topic: str
    value_template: str | None = None
    command_template: str = "{{action}}"
    code: str | None = None
    code_arm_required: bool = True
    code_disarm_required: bool = True
    code_trigger_required: bool = True
    supported_features: list[Literal[ALARM_FEATURES]] = Field(  # type: ignore[valid-type]
        default_factory=lambda: list(ALARM_FEATURES), max_length=len(ALARM_FEATURES))
    payload_arm_home: str = "ARM_HOME"
    payload_arm_away: str = "ARM_AWAY"
    payload_arm_night: str = "ARM_NIGHT"
    payload_arm_vacation: str = "ARM_VACATION"
    payload_arm_custom_bypass: str = "ARM_CUSTOM_BYPASS"
    payload_disarm: str = "DISARM"
    payload_trigger: str = "TRIGGER"

    text_payloads = field_validator("code", mode="before")(_payload_text)


class SceneConfig(_EntityConfig):
    platform: Literal["scene"] = "scene"
    command_topic: str | None = None
    payload_on: str = "ON"

    text_payloads = field_validator("payload_on", mode="before")(_payload_text)


class ButtonConfig(_EntityConfig):
    platform: Literal["button"] = "button"
    command_topic: str
    command_template: str | None = None
    payload_press: str = "PRESS"
    device_class: str | None = None

    text_payloads = field_validator("payload_press", mode="before")(_payload_text)
