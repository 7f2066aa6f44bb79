"""Home Assistant MQTT discovery: topics, abbreviations, typed payload models, entities.

`parse_discovery(topic, payload, prefix)` turns one retained config message into a
`DiscoveryResult` (zero or more `DiscoveredEntity`, or a removal). Malformed input raises
`DiscoveryError(topic, reason)`; the caller logs it once and keeps going.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from samantha.plugins.mqtt.templates import TemplateError, compile_template

Component = Literal[
    "light", "switch", "cover", "climate", "fan", "lock", "sensor", "binary_sensor"
]
COMPONENTS: tuple[str, ...] = Component.__args__  # type: ignore[attr-defined]

# HA's abbreviation table (homeassistant/components/mqtt/abbreviations.py), restricted to the
# options of the components above plus the bundle keys; unknown keys are kept as they are.
ABBREVIATIONS: dict[str, str] = {
    "avty": "availability",
    "avty_mode": "availability_mode",
    "avty_t": "availability_topic",
    "avty_tpl": "availability_template",
    "bri_cmd_t": "brightness_command_topic",
    "bri_cmd_tpl": "brightness_command_template",
    "bri_scl": "brightness_scale",
    "bri_stat_t": "brightness_state_topic",
    "bri_val_tpl": "brightness_value_template",
    "bri": "brightness",
    "clrm": "color_mode",
    "clr_temp_cmd_t": "color_temp_command_topic",
    "clr_temp_cmd_tpl": "color_temp_command_template",
    "clr_temp_stat_t": "color_temp_state_topic",
    "clr_temp_val_tpl": "color_temp_value_template",
    "cmd_t": "command_topic",
    "cmd_tpl": "command_template",
    "cmps": "components",
    "curr_temp_t": "current_temperature_topic",
    "curr_temp_tpl": "current_temperature_template",
    "dev": "device",
    "dev_cla": "device_class",
    "e": "encoding",
    "en": "enabled_by_default",
    "ent_cat": "entity_category",
    "fx_list": "effect_list",
    "ic": "icon",
    "json_attr_t": "json_attributes_topic",
    "json_attr_tpl": "json_attributes_template",
    "max_mirs": "max_mireds",
    "min_mirs": "min_mireds",
    "max_temp": "max_temp",
    "min_temp": "min_temp",
    "mode_cmd_t": "mode_command_topic",
    "mode_cmd_tpl": "mode_command_template",
    "mode_stat_t": "mode_state_topic",
    "mode_stat_tpl": "mode_state_template",
    "modes": "modes",
    "name": "name",
    "o": "origin",
    "obj_id": "object_id",
    "on_cmd_type": "on_command_type",
    "opt": "optimistic",
    "p": "platform",
    "pct_cmd_t": "percentage_command_topic",
    "pct_cmd_tpl": "percentage_command_template",
    "pct_stat_t": "percentage_state_topic",
    "pct_val_tpl": "percentage_value_template",
    "pl_avail": "payload_available",
    "pl_cls": "payload_close",
    "pl_lock": "payload_lock",
    "pl_not_avail": "payload_not_available",
    "pl_off": "payload_off",
    "pl_on": "payload_on",
    "pl_open": "payload_open",
    "pl_stop": "payload_stop",
    "pl_unlk": "payload_unlock",
    "pos_clsd": "position_closed",
    "pos_open": "position_open",
    "pos_t": "position_topic",
    "pos_tpl": "position_template",
    "pow_cmd_t": "power_command_topic",
    "pr_mode_cmd_t": "preset_mode_command_topic",
    "pr_mode_cmd_tpl": "preset_mode_command_template",
    "pr_mode_stat_t": "preset_mode_state_topic",
    "pr_mode_val_tpl": "preset_mode_value_template",
    "pr_modes": "preset_modes",
    "qos": "qos",
    "ret": "retain",
    "rgb_cmd_t": "rgb_command_topic",
    "rgb_cmd_tpl": "rgb_command_template",
    "rgb_stat_t": "rgb_state_topic",
    "rgb_val_tpl": "rgb_value_template",
    "schema": "schema",
    "set_pos_t": "set_position_topic",
    "set_pos_tpl": "set_position_template",
    "spd_rng_max": "speed_range_max",
    "spd_rng_min": "speed_range_min",
    "stat_cla": "state_class",
    "stat_clsd": "state_closed",
    "stat_closing": "state_closing",
    "stat_jam": "state_jammed",
    "stat_locked": "state_locked",
    "stat_locking": "state_locking",
    "stat_off": "state_off",
    "stat_on": "state_on",
    "stat_open": "state_open",
    "stat_opening": "state_opening",
    "stat_stopped": "state_stopped",
    "stat_t": "state_topic",
    "stat_tpl": "state_template",
    "stat_unlocked": "state_unlocked",
    "stat_unlocking": "state_unlocking",
    "stat_val_tpl": "state_value_template",
    "sug_dsp_prc": "suggested_display_precision",
    "sup_clrm": "supported_color_modes",
    "t": "topic",
    "temp_cmd_t": "temperature_command_topic",
    "temp_cmd_tpl": "temperature_command_template",
    "temp_stat_t": "temperature_state_topic",
    "temp_stat_tpl": "temperature_state_template",
    "temp_step": "temp_step",
    "temp_unit": "temperature_unit",
    "uniq_id": "unique_id",
    "unit_of_meas": "unit_of_measurement",
    "val_tpl": "value_template",
}
DEVICE_ABBREVIATIONS: dict[str, str] = {
    "cns": "connections",
    "cu": "configuration_url",
    "hw": "hw_version",
    "ids": "identifiers",
    "mdl": "model",
    "mdl_id": "model_id",
    "mf": "manufacturer",
    "name": "name",
    "sa": "suggested_area",
    "sug_area": "suggested_area",  # seen in the wild although HA's table says "sa"
    "sn": "serial_number",
    "sw": "sw_version",
    "via_device": "via_device",
}
ORIGIN_ABBREVIATIONS: dict[str, str] = {"name": "name", "sw": "sw_version", "url": "support_url"}

_DEFAULT_NAMES = {c: "MQTT " + c.replace("_", " ").title() for c in COMPONENTS}
_DEFAULT_NAMES["binary_sensor"] = "MQTT Binary sensor"


class DiscoveryError(ValueError):
    """A discovery message that cannot be used; log once with the topic and ignore."""

    def __init__(self, topic: str, reason: str) -> None:
        super().__init__(f"{topic}: {reason}")
        self.topic = topic
        self.reason = reason


# -- wire models -------------------------------------------------------------------------


class _Wire(BaseModel):
    # Unknown options are kept (extra="allow") so that nothing is lost on a round trip.
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class DeviceInfo(_Wire):
    identifiers: list[str] = Field(default_factory=list)
    connections: list[tuple[str, str]] = Field(default_factory=list)
    name: str | None = None
    manufacturer: str | None = None
    model: str | None = None
    model_id: str | None = None
    sw_version: str | None = None
    hw_version: str | None = None
    serial_number: str | None = None
    suggested_area: str | None = None
    via_device: str | None = None
    configuration_url: str | None = None

    @field_validator("identifiers", mode="before")
    @classmethod
    def _one_identifier(cls, value: Any) -> Any:
        return [value] if isinstance(value, (str, int)) else value

    @field_validator("identifiers", mode="after")
    @classmethod
    def _as_text(cls, value: list[Any]) -> list[str]:
        return [str(v) for v in value]


class Origin(_Wire):
    name: str
    sw_version: str | None = None
    support_url: str | None = None


class Availability(_Wire):
    topic: str
    payload_available: str = "online"
    payload_not_available: str = "offline"
    value_template: str | None = None


class _EntityConfig(_Wire):
    name: str | None = None
    unique_id: str | None = None
    object_id: str | None = None
    device: DeviceInfo | None = None
    origin: Origin | None = None
    availability: list[Availability] = Field(default_factory=list)
    availability_topic: str | None = None
    availability_mode: Literal["all", "any", "latest"] = "latest"
    payload_available: str = "online"
    payload_not_available: str = "offline"
    availability_template: str | None = None
    qos: Literal[0, 1, 2] = 0
    retain: bool = False
    optimistic: bool | None = None
    encoding: str = "utf-8"
    icon: str | None = None
    entity_category: str | None = None
    enabled_by_default: bool = True
    json_attributes_topic: str | None = None
    json_attributes_template: str | None = None

    def availability_list(self) -> list[Availability]:
        items = list(self.availability)
        if self.availability_topic:
            items.append(
                Availability(
                    topic=self.availability_topic,
                    payload_available=self.payload_available,
                    payload_not_available=self.payload_not_available,
                    value_template=self.availability_template,
                )
            )
        return items


def _payload_text(cls: type, value: Any) -> Any:
    # Discovery JSON sometimes carries payloads as numbers or booleans (payload_on: 1);
    # on the wire they are text.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


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
    brightness_scale: int = Field(255, ge=1)
    rgb_command_topic: str | None = None
    rgb_command_template: str | None = None
    rgb_state_topic: str | None = None
    rgb_value_template: str | None = None
    color_temp_command_topic: str | None = None
    color_temp_command_template: str | None = None
    color_temp_state_topic: str | None = None
    color_temp_value_template: str | None = None
    min_mireds: int | None = None
    max_mireds: int | None = None
    effect_list: list[str] = Field(default_factory=list)
    # JSON schema
    brightness: bool | None = None
    color_mode: bool | None = None
    supported_color_modes: list[str] = Field(default_factory=list)

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
    position_open: int = 100
    position_closed: int = 0
    device_class: str | None = None


class ClimateConfig(_EntityConfig):
    platform: Literal["climate"] = "climate"
    modes: list[str] = Field(
        default_factory=lambda: ["auto", "off", "cool", "heat", "dry", "fan_only"]
    )
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
    min_temp: float | None = None
    max_temp: float | None = None
    temp_step: float = 1.0
    temperature_unit: Literal["C", "F"] | None = None
    preset_modes: list[str] = Field(default_factory=list)
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
    speed_range_min: int = Field(1, ge=1)
    speed_range_max: int = Field(100, ge=1)
    preset_modes: list[str] = Field(default_factory=list)
    preset_mode_command_topic: str | None = None
    preset_mode_command_template: str | None = None
    preset_mode_state_topic: str | None = None
    preset_mode_value_template: str | None = None

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
    expire_after: int | None = None
    suggested_display_precision: int | None = None


class BinarySensorConfig(_EntityConfig):
    platform: Literal["binary_sensor"] = "binary_sensor"
    state_topic: str
    value_template: str | None = None
    payload_on: str = "ON"
    payload_off: str = "OFF"
    device_class: str | None = None
    off_delay: int | None = None
    expire_after: int | None = None

    text_payloads = field_validator("payload_on", "payload_off", mode="before")(_payload_text)


EntityConfig = Annotated[
    LightConfig
    | SwitchConfig
    | CoverConfig
    | ClimateConfig
    | FanConfig
    | LockConfig
    | SensorConfig
    | BinarySensorConfig,
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
}

# Which option holds a template, for early "unsupported template" reports.
_TEMPLATE_SUFFIXES = ("_template",)


class Capabilities(BaseModel):
    """What the entity can do, normalised for the home model."""

    model_config = ConfigDict(frozen=True)

    on_off: bool = False
    brightness: bool = False
    brightness_scale: int = 255
    color_modes: list[str] = Field(default_factory=list)
    rgb: bool = False
    color_temp: bool = False
    position: bool = False
    position_range: tuple[int, int] = (0, 100)  # (closed, open)
    stop: bool = False
    min_temp: float | None = None
    max_temp: float | None = None
    temp_step: float | None = None
    temperature_unit: str | None = None
    hvac_modes: list[str] = Field(default_factory=list)
    percentage: bool = False
    speed_range: tuple[int, int] | None = None
    preset_modes: list[str] = Field(default_factory=list)
    lock: bool = False
    read_only: bool = False
    device_class: str | None = None
    unit_of_measurement: str | None = None


class DiscoveredEntity(BaseModel):
    """One entity found through discovery (or declared in YAML), ready for the home model."""

    unique_id: str
    component: Component
    discovery_key: str  # "<component>/<node_id>/<object_id>" or "device/<id>"
    name: str  # friendly name: device name + entity name, HA style
    entity_name: str | None
    suggested_area: str | None
    device: DeviceInfo | None
    config: EntityConfig
    capabilities: Capabilities
    availability: list[Availability] = Field(default_factory=list)
    availability_mode: Literal["all", "any", "latest"] = "latest"
    problems: list[str] = Field(default_factory=list)  # e.g. unsupported templates
    source: Literal["discovery", "yaml"] = "discovery"

    @property
    def state_topics(self) -> list[str]:
        """Every topic to follow for this entity's state (without availability)."""
        topics: list[str] = []
        for key, value in self.config.model_dump().items():
            if (
                isinstance(value, str)
                and key.endswith("_topic")
                and "command" not in key
                and key not in ("availability_topic", "json_attributes_topic")
                and key != "set_position_topic"
                and value not in topics
            ):
                topics.append(value)
        return topics

    @property
    def availability_topics(self) -> list[str]:
        return [a.topic for a in self.availability]


@dataclass(frozen=True)
class DiscoveryTopic:
    component: str
    node_id: str | None
    object_id: str

    @property
    def key(self) -> str:
        if self.component == "device":
            return f"device/{self.object_id}"
        node = f"{self.node_id}/" if self.node_id else ""
        return f"{self.component}/{node}{self.object_id}"


@dataclass
class DiscoveryResult:
    topic: DiscoveryTopic
    entities: list[DiscoveredEntity] = field(default_factory=list)
    removed: bool = False  # an empty payload: forget everything under this key


_ID_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


def parse_discovery_topic(topic: str, prefix: str = "homeassistant") -> DiscoveryTopic | None:
    """Split `<prefix>/<component>/[<node_id>/]<object_id>/config`; None if not that shape."""
    if not topic.startswith(prefix + "/") or not topic.endswith("/config"):
        return None
    parts = topic[len(prefix) + 1 : -len("/config")].split("/")
    if len(parts) == 2:
        component, node_id, object_id = parts[0], None, parts[1]
    elif len(parts) == 3:
        component, node_id, object_id = parts
    else:
        return None
    if not all(p and set(p) <= _ID_CHARS for p in (component, object_id, node_id or "x")):
        return None
    return DiscoveryTopic(component, node_id, object_id)


def expand_abbreviations(payload: dict[str, Any]) -> dict[str, Any]:
    """Full option names for an abbreviated discovery payload (recursing where HA does)."""
    out: dict[str, Any] = {}
    for key, value in payload.items():
        full = ABBREVIATIONS.get(key, key)
        if full == "device" and isinstance(value, dict):
            value = {DEVICE_ABBREVIATIONS.get(k, k): v for k, v in value.items()}
        elif full == "origin" and isinstance(value, dict):
            value = {ORIGIN_ABBREVIATIONS.get(k, k): v for k, v in value.items()}
        elif full == "availability" and isinstance(value, list):
            value = [
                {ABBREVIATIONS.get(k, k): v for k, v in item.items()}
                if isinstance(item, dict)
                else item
                for item in value
            ]
        elif full == "components" and isinstance(value, dict):
            value = {
                k: expand_abbreviations(v) if isinstance(v, dict) else v for k, v in value.items()
            }
        out[full] = value
    return out


def expand_base_topic(payload: dict[str, Any]) -> dict[str, Any]:
    """Replace a leading or trailing `~` in *_topic options by the `~` base topic."""
    base = payload.get("~")
    if not isinstance(base, str):
        return payload
    out = {k: v for k, v in payload.items() if k != "~"}

    def expand(value: str) -> str:
        if value.startswith("~"):
            value = base + value[1:]
        if value.endswith("~"):
            value = value[:-1] + base
        return value

    for key, value in out.items():
        if isinstance(value, str) and value and key.endswith("topic"):
            out[key] = expand(value)
    if isinstance(out.get("availability"), list):
        out["availability"] = [
            {**item, "topic": expand(item["topic"])}
            if isinstance(item, dict) and isinstance(item.get("topic"), str) and item["topic"]
            else item
            for item in out["availability"]
        ]
    return out


def parse_discovery(
    topic: str, payload: bytes | str, prefix: str = "homeassistant"
) -> DiscoveryResult:
    """Parse one discovery message. Raises DiscoveryError for anything unusable."""
    where = parse_discovery_topic(topic, prefix)
    if where is None:
        raise DiscoveryError(topic, "not a discovery config topic")
    if where.component != "device" and where.component not in COMPONENTS:
        raise DiscoveryError(topic, f"unsupported component {where.component!r}")
    try:
        text = payload.decode("utf-8") if isinstance(payload, bytes) else payload
    except UnicodeDecodeError:
        raise DiscoveryError(topic, "payload is not UTF-8") from None
    if not text.strip():
        return DiscoveryResult(where, removed=True)
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise DiscoveryError(topic, f"invalid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise DiscoveryError(topic, "payload is not a JSON object")
    data = expand_abbreviations(raw)

    if where.component != "device":
        data = expand_base_topic(data)
        entity = _entity(topic, where, where.component, data, where.object_id)
        return DiscoveryResult(where, [entity])

    components = data.pop("components", None)
    if not isinstance(components, dict) or not components:
        raise DiscoveryError(topic, "device discovery without a 'components' (cmps) object")
    device = data.pop("device", None)
    if not isinstance(device, dict):
        raise DiscoveryError(topic, "device discovery without a 'device' (dev) object")
    origin = data.pop("origin", None)
    entities = []
    for object_id, comp in components.items():
        if not isinstance(comp, dict):
            raise DiscoveryError(topic, f"component {object_id!r} is not an object")
        platform = comp.get("platform")
        if len(comp) == 1 and platform:
            continue  # {"p": "light"} alone removes that component: leave it out
        if platform not in COMPONENTS:
            raise DiscoveryError(topic, f"component {object_id!r}: unsupported {platform!r}")
        # Options at the top of a bundle are shared; the component's own options win.
        merged = expand_base_topic({**data, **comp, "device": device, "origin": origin})
        if "unique_id" not in merged:
            raise DiscoveryError(topic, f"component {object_id!r} has no unique_id")
        entities.append(_entity(topic, where, platform, merged, object_id))
    return DiscoveryResult(where, entities)


def _entity(
    topic: str, where: DiscoveryTopic, component: str, data: dict[str, Any], object_id: str
) -> DiscoveredEntity:
    data = {k: v for k, v in data.items() if v is not None or k == "name"}
    data["platform"] = component
    try:
        config = CONFIG_MODELS[component].model_validate(data)
    except ValidationError as exc:
        reasons = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'payload'}: {err['msg']}"
            for err in exc.errors()
        )
        raise DiscoveryError(topic, f"invalid {component} config: {reasons}") from None
    if isinstance(config, LightConfig) and config.light_schema == "template":
        raise DiscoveryError(topic, "light schema 'template' is not supported")
    return build_entity(config, where.key, name_given="name" in data, object_id=object_id)


def build_entity(
    config: _EntityConfig,
    discovery_key: str,
    *,
    name_given: bool = True,
    object_id: str | None = None,
    source: Literal["discovery", "yaml"] = "discovery",
) -> DiscoveredEntity:
    """A DiscoveredEntity from a validated config (also used for YAML devices)."""
    component = config.platform  # type: ignore[attr-defined]
    device = config.device
    entity_name = config.name if name_given else _DEFAULT_NAMES[component]
    unique_id = config.unique_id or f"{component}_{discovery_key.replace('/', '_')}"
    problems = []
    for key, value in config.model_dump().items():
        if isinstance(value, str) and key.endswith(_TEMPLATE_SUFFIXES):
            try:
                compile_template(value)
            except TemplateError as exc:
                problems.append(f"{key}: {exc}")
    return DiscoveredEntity(
        unique_id=unique_id,
        component=component,
        discovery_key=discovery_key,
        name=friendly_name(entity_name, device.name if device else None, object_id),
        entity_name=entity_name,
        suggested_area=device.suggested_area if device else None,
        device=device,
        config=config,  # type: ignore[arg-type]
        capabilities=capabilities(config),
        availability=config.availability_list(),
        availability_mode=config.availability_mode,
        problems=problems,
        source=source,
    )


def friendly_name(entity_name: str | None, device_name: str | None, fallback: str | None) -> str:
    """HA's naming: a null entity name means "the device itself"; otherwise the device name
    is prefixed, and a redundant device-name prefix in the entity name is dropped."""
    if not device_name:
        return entity_name or fallback or "unnamed"
    if not entity_name or entity_name.casefold() == device_name.casefold():
        return device_name
    if entity_name.casefold().startswith(device_name.casefold() + " "):
        entity_name = entity_name[len(device_name) + 1 :]
    return f"{device_name} {entity_name}"


def capabilities(config: _EntityConfig) -> Capabilities:
    if isinstance(config, LightConfig):
        if config.light_schema == "json":
            modes = list(config.supported_color_modes)
            has_bri = bool(config.brightness) or any(m not in ("onoff",) for m in modes)
            rgb = bool(set(modes) & {"rgb", "rgbw", "rgbww", "hs", "xy"})
            ct = "color_temp" in modes
        else:
            modes = []
            has_bri = config.brightness_command_topic is not None
            rgb = config.rgb_command_topic is not None
            ct = config.color_temp_command_topic is not None
            if rgb:
                modes.append("rgb")
            if ct:
                modes.append("color_temp")
            if not modes:
                modes.append("brightness" if has_bri else "onoff")
        return Capabilities(
            on_off=True,
            brightness=has_bri,
            brightness_scale=config.brightness_scale,
            color_modes=modes,
            rgb=rgb,
            color_temp=ct,
        )
    if isinstance(config, SwitchConfig):
        return Capabilities(
            on_off=config.command_topic is not None,
            read_only=config.command_topic is None,
            device_class=config.device_class,
        )
    if isinstance(config, CoverConfig):
        return Capabilities(
            on_off=config.command_topic is not None,
            position=config.set_position_topic is not None or config.position_topic is not None,
            position_range=(config.position_closed, config.position_open),
            stop=config.command_topic is not None and config.payload_stop is not None,
            device_class=config.device_class,
        )
    if isinstance(config, ClimateConfig):
        unit = config.temperature_unit or "C"
        return Capabilities(
            on_off=config.power_command_topic is not None or "off" in config.modes,
            min_temp=config.min_temp if config.min_temp is not None else _MIN_T[unit],
            max_temp=config.max_temp if config.max_temp is not None else _MAX_T[unit],
            temp_step=config.temp_step,
            temperature_unit=unit,
            hvac_modes=list(config.modes),
            preset_modes=list(config.preset_modes),
        )
    if isinstance(config, FanConfig):
        return Capabilities(
            on_off=True,
            percentage=config.percentage_command_topic is not None,
            speed_range=(config.speed_range_min, config.speed_range_max),
            preset_modes=list(config.preset_modes),
        )
    if isinstance(config, LockConfig):
        return Capabilities(lock=True)
    if isinstance(config, SensorConfig):
        return Capabilities(
            read_only=True,
            device_class=config.device_class,
            unit_of_measurement=config.unit_of_measurement,
        )
    assert isinstance(config, BinarySensorConfig)
    return Capabilities(read_only=True, device_class=config.device_class)


_MIN_T = {"C": 7.0, "F": 45.0}
_MAX_T = {"C": 35.0, "F": 95.0}
