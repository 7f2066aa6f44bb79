"""Typed models of Home Assistant discovery configs (full option names), one per component.

The models are also the validation of what the network sends: every option whose name ends
in `topic` must be a concrete, valid topic (topics.py), names and ids are at most
MAX_NAME_CHARS, lists at most MAX_LIST_ITEMS, numbers finite and within sane ranges (a cover
whose open and closed positions are equal, or a fan whose speed range is empty, would divide
by zero on every state message). Shared parts are in wire_base.py; the kinds named after
Home Assistant's newer domains (vacuum, lawn mower, valve, alarm panel, scene, button) in
wire_kinds.py.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from samantha.plugins.mqtt.wire_base import (
    Availability,
    DeviceInfo,
    Name,
    Origin,
    Position,
    Seconds,
    Temperature,
    _EntityConfig,
    _list,
    _payload_text,
    _Wire,
)
from samantha.plugins.mqtt.wire_kinds import (
    AlarmControlPanelConfig,
    ButtonConfig,
    LawnMowerConfig,
    SceneConfig,
    VacuumConfig,
    ValveConfig,
)

__all__ = [
    "AlarmControlPanelConfig",
    "Availability",
    "BinarySensorConfig",
    "ButtonConfig",
    "ClimateConfig",
    "CoverConfig",
    "DeviceInfo",
    "FanConfig",
    "LawnMowerConfig",
    "LightConfig",
    "LockConfig",
    "Name",
    "Origin",
    "SceneConfig",
    "Seconds",
    "SensorConfig",
    "SwitchConfig",
    "VacuumConfig",
    "ValveConfig",
    "_EntityConfig",
    "_Wire",
]

Component = Literal[
    "light", "switch", "cover", "climate", "fan", "lock", "sensor", "binary_sensor",
    "vacuum", "lawn_mower", "valve", "alarm_control_panel", "scene", "button",
]
COMPONENTS: tuple[str, ...] = Component.__args__  # type: ignore[attr-defined]

class LightConfig(_EntityConfig):
    platform: Literal["light"] = "light"
    light_schema: Literal["default", "basic", "json", "template"] = Field(
        "default", alias="schema"
    )
    command_topic: str
    state_topic: str | None = None
    payload_on: str = "ON"
    payload_off: str = "OFF"
    state_value_template: str | None = None
    on_command_type: Literal["last", "first", "brightness"] = "last"
    brightness_command_topic: str | None = None
    brightness_command_template: str | None = None
    brightness_state_topic: str | None = None
    brightness_value_template: str | None = None
    brightness_scale: int = Field(255, ge=1, le=1_000_000)
    rgb_command_topic: str | None = None
    rgb_command_template: str | None = None
    rgb_state_topic: str | None = None
    rgb_value_template: str | None = None
    color_temp_command_topic: str | None = None
    color_temp_command_template: str | None = None
    color_temp_state_topic: str | None = None
    color_temp_value_template: str | None = None
    min_mireds: Position | None = None
    max_mireds: Position | None = None
    effect_list: list[str] = _list()
    # JSON schema
    brightness: bool | None = None
    color_mode: bool | None = None
    supported_color_modes: list[str] = _list()

    text_payloads = field_validator("payload_on", "payload_off", mode="before")(_payload_text)


class SwitchConfig(_EntityConfig):
    platform: Literal["switch"] = "switch"
    command_topic: str | None = None
    command_template: str | None = None
    state_topic: str | None = None
    payload_on: str = "ON"
    payload_off: str = "OFF"
    state_on: str | None = None
    state_off: str | None = None
    value_template: str | None = None
    device_class: str | None = None

    text_payloads = field_validator(
        "payload_on", "payload_off", "state_on", "state_off", mode="before"
    )(_payload_text)


class CoverConfig(_EntityConfig):
    platform: Literal["cover"] = "cover"
    command_topic: str | None = None
    state_topic: str | None = None
    value_template: str | None = None
    payload_open: str | None = "OPEN"
    payload_close: str | None = "CLOSE"
    payload_stop: str | None = "STOP"
    state_open: str = "open"
    state_opening: str = "opening"
    state_closed: str = "closed"
    state_closing: str = "closing"
    state_stopped: str = "stopped"
    position_topic: str | None = None
    position_template: str | None = None
    set_position_topic: str | None = None
    set_position_template: str | None = None
    position_open: Position = 100
    position_closed: Position = 0
    device_class: str | None = None

    @model_validator(mode="after")
    def _positions_differ(self) -> CoverConfig:
        if self.position_open == self.position_closed:
            raise ValueError("position_open and position_closed are equal")
        return self


class ClimateConfig(_EntityConfig):
    platform: Literal["climate"] = "climate"
    modes: list[str] = _list(lambda: ["auto", "off", "cool", "heat", "dry", "fan_only"])
    mode_command_topic: str | None = None
    mode_command_template: str | None = None
    mode_state_topic: str | None = None
    mode_state_template: str | None = None
    temperature_command_topic: str | None = None
    temperature_command_template: str | None = None
    temperature_state_topic: str | None = None
    temperature_state_template: str | None = None
    current_temperature_topic: str | None = None
    current_temperature_template: str | None = None
    power_command_topic: str | None = None
    payload_on: str = "ON"
    payload_off: str = "OFF"
    min_temp: Temperature | None = None
    max_temp: Temperature | None = None
    temp_step: float = Field(1.0, gt=0, le=100, allow_inf_nan=False)
    temperature_unit: Literal["C", "F"] | None = None
    preset_modes: list[str] = _list()
    preset_mode_command_topic: str | None = None
    preset_mode_state_topic: str | None = None
    preset_mode_value_template: str | None = None


class FanConfig(_EntityConfig):
    platform: Literal["fan"] = "fan"
    command_topic: str
    command_template: str | None = None
    state_topic: str | None = None
    state_value_template: str | None = None
    payload_on: str = "ON"
    payload_off: str = "OFF"
    percentage_command_topic: str | None = None
    percentage_command_template: str | None = None
    percentage_state_topic: str | None = None
    percentage_value_template: str | None = None
    speed_range_min: int = Field(1, ge=1, le=1_000_000)
    speed_range_max: int = Field(100, ge=1, le=1_000_000)
    preset_modes: list[str] = _list()
    preset_mode_command_topic: str | None = None
    preset_mode_command_template: str | None = None
    preset_mode_state_topic: str | None = None
    preset_mode_value_template: str | None = None

    @model_validator(mode="after")
    def _speed_range(self) -> FanConfig:
        if self.speed_range_min > self.speed_range_max:
            raise ValueError("speed_range_min is larger than speed_range_max")
        return self

    text_payloads = field_validator("payload_on", "payload_off", mode="before")(_payload_text)


class LockConfig(_EntityConfig):
    platform: Literal["lock"] = "lock"
    command_topic: str
    command_template: str | None = None
    state_topic: str | None = None
    value_template: str | None = None
    payload_lock: str = "LOCK"
    payload_unlock: str = "UNLOCK"
    payload_open: str | None = None
    state_locked: str = "LOCKED"
    state_unlocked: str = "UNLOCKED"
    state_locking: str = "LOCKING"
    state_unlocking: str = "UNLOCKING"
    state_jammed: str = "JAMMED"


class SensorConfig(_EntityConfig):
    platform: Literal["sensor"] = "sensor"
    state_topic: str
    value_template: str | None = None
    unit_of_measurement: str | None = None
    device_class: str | None = None
    state_class: str | None = None
    expire_after: Seconds | None = None
    suggested_display_precision: int | None = Field(None, ge=0, le=20)


class BinarySensorConfig(_EntityConfig):
    platform: Literal["binary_sensor"] = "binary_sensor"
    state_topic: str
    value_template: str | None = None
    payload_on: str = "ON"
    payload_off: str = "OFF"
    device_class: str | None = None
    off_delay: Seconds | None = None
    expire_after: Seconds | None = None

    text_payloads = field_validator("payload_on", "payload_off", mode="before")(_payload_text)


EntityConfig = Annotated[
    LightConfig
    | SwitchConfig
    | CoverConfig
    | ClimateConfig
    | FanConfig
    | LockConfig
    | SensorConfig
    | BinarySensorConfig
    | VacuumConfig
    | LawnMowerConfig
    | ValveConfig
    | AlarmControlPanelConfig
    | SceneConfig
    | ButtonConfig,
    Field(discriminator="platform"),
]
CONFIG_MODELS: dict[str, type[_EntityConfig]] = {
    "light": LightConfig,
    "switch": SwitchConfig,
    "cover": CoverConfig,
    "climate": ClimateConfig,
    "fan": FanConfig,
    "lock": LockConfig,
    "sensor": SensorConfig,
    "binary_sensor": BinarySensorConfig,
    "vacuum": VacuumConfig,
    "lawn_mower": LawnMowerConfig,
    "valve": ValveConfig,
    "alarm_control_panel": AlarmControlPanelConfig,
    "scene": SceneConfig,
    "button": ButtonConfig,
}

