"""Home Assistant MQTT discovery: config topics and payloads -> entities for the home model.

Abbreviations and `~` live in abbreviations.py, the typed option models in wire.py.

`parse_discovery(topic, payload, prefix)` turns one retained config message into a
`DiscoveryResult` (zero or more `DiscoveredEntity`, or a removal). Malformed input raises
`DiscoveryError(topic, reason)`; the caller logs it once and keeps going.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from samantha.plugins.mqtt.abbreviations import expand_abbreviations, expand_base_topic
from samantha.plugins.mqtt.payloads import (
    MAX_DISCOVERY_BYTES,
    MAX_LIST_ITEMS,
    MAX_NAME_CHARS,
    MAX_TEMPLATE_CHARS,
    PayloadError,
    check_shape,
    check_size,
    clip,
    loads,
    short,
)
from samantha.plugins.mqtt.templates import TemplateError, compile_template
from samantha.plugins.mqtt.wire import (
    COMPONENTS,
    CONFIG_MODELS,
    AlarmControlPanelConfig,
    Availability,
    BinarySensorConfig,
    ButtonConfig,
    ClimateConfig,
    Component,
    CoverConfig,
    DeviceInfo,
    EntityConfig,
    FanConfig,
    LawnMowerConfig,
    LightConfig,
    LockConfig,
    SceneConfig,
    SensorConfig,
    SwitchConfig,
    VacuumConfig,
    ValveConfig,
    _EntityConfig,
)

__all__ = [
    "COMPONENTS", "CONFIG_MODELS", "BinarySensorConfig", "ClimateConfig", "CoverConfig",
    "DiscoveredEntity", "DiscoveryError", "DiscoveryResult", "DiscoveryTopic", "FanConfig",
    "LightConfig", "LockConfig", "SensorConfig", "SwitchConfig", "build_entity",
    "capabilities", "expand_abbreviations", "expand_base_topic", "friendly_name",
    "parse_discovery", "parse_discovery_topic",
]

MAX_COMPONENTS = 64  # entities in one device bundle
MAX_ENTITY_CHARS = 16 * 1024  # one entity's options (shared bundle options included), as JSON

_DEFAULT_NAMES = {c: "MQTT " + c.replace("_", " ").title() for c in COMPONENTS}
_DEFAULT_NAMES["binary_sensor"] = "MQTT Binary sensor"


class DiscoveryError(ValueError):
    """A discovery message that cannot be used; log once with the topic and ignore."""

    def __init__(self, topic: str, reason: str) -> None:
        super().__init__(f"{topic}: {reason}")
        self.topic = topic
        self.reason = reason


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
    if not all(
        p and len(p) <= MAX_NAME_CHARS and set(p) <= _ID_CHARS
        for p in (component, object_id, node_id or "x")
    ):
        return None
    return DiscoveryTopic(component, node_id, object_id)



def parse_discovery(
    topic: str, payload: bytes | str, prefix: str = "homeassistant"
) -> DiscoveryResult:
    """Parse one discovery message. Raises DiscoveryError for anything unusable."""
    where = parse_discovery_topic(topic, prefix)
    if where is None:
        raise DiscoveryError(topic, "not a discovery config topic")
    if where.component != "device" and where.component not in COMPONENTS:
        raise DiscoveryError(topic, f"unsupported component {short(where.component)}")
    try:
        check_size(payload, MAX_DISCOVERY_BYTES)
        if not payload.strip():
            return DiscoveryResult(where, removed=True)
        raw = loads(payload, limit=MAX_DISCOVERY_BYTES)
        # Templates are the longest legitimate strings; lists and objects stay small too.
        check_shape(raw, max_string=MAX_TEMPLATE_CHARS, max_items=MAX_LIST_ITEMS * 2)
    except PayloadError as exc:
        raise DiscoveryError(topic, str(exc)) from None
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
    if len(components) > MAX_COMPONENTS:
        raise DiscoveryError(topic, f"{len(components)} components, more than {MAX_COMPONENTS}")
    device = data.pop("device", None)
    if not isinstance(device, dict):
        raise DiscoveryError(topic, "device discovery without a 'device' (dev) object")
    origin = data.pop("origin", None)
    entities = []
    for object_id, comp in components.items():
        if not isinstance(comp, dict):
            raise DiscoveryError(topic, f"component {short(object_id)} is not an object")
        platform = comp.get("platform")
        if len(comp) == 1 and platform:
            continue  # {"p": "light"} alone removes that component: leave it out
        if platform not in COMPONENTS:
            raise DiscoveryError(
                topic, f"component {short(object_id)}: unsupported {short(platform)}")
        # Options at the top of a bundle are shared; the component's own options win.
        merged = expand_base_topic({**data, **comp, "device": device, "origin": origin})
        if "unique_id" not in merged:
            raise DiscoveryError(topic, f"component {short(object_id)} has no unique_id")
        entities.append(_entity(topic, where, platform, merged, object_id))
    return DiscoveryResult(where, entities)


def _entity(
    topic: str, where: DiscoveryTopic, component: str, data: dict[str, Any], object_id: str
) -> DiscoveredEntity:
    data = {k: v for k, v in data.items() if v is not None or k == "name"}
    data["platform"] = component
    # Bounds what one entity keeps in memory, whatever a bundle shares among its components.
    size = len(json.dumps(data, separators=(",", ":")))
    if size > MAX_ENTITY_CHARS:
        raise DiscoveryError(topic, f"{component} config of {size} characters, more than "
                                    f"{MAX_ENTITY_CHARS}")
    try:
        config = CONFIG_MODELS[component].model_validate(data)
    except ValidationError as exc:
        reasons = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'payload'}: {err['msg']}"
            for err in exc.errors()
        )
        raise DiscoveryError(topic, f"invalid {component} config: {clip(reasons, 400)}") from None
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
    if isinstance(config, ValveConfig):
        return Capabilities(
            on_off=config.command_topic is not None,
            position=config.reports_position,
            position_range=(config.position_closed, config.position_open),
            stop=config.command_topic is not None and config.payload_stop is not None,
            device_class=config.device_class,
        )
    if isinstance(config, (VacuumConfig, LawnMowerConfig, AlarmControlPanelConfig,
                           SceneConfig, ButtonConfig)):
        # Only the kinds that declare device_class validated it; on the others it is an unknown
        # option kept as sent, any JSON value at all.
        declared = "device_class" in type(config).model_fields
        return Capabilities(device_class=getattr(config, "device_class", None) if declared
                            else None)
    assert isinstance(config, BinarySensorConfig)
    return Capabilities(read_only=True, device_class=config.device_class)


_MIN_T = {"C": 7.0, "F": 45.0}
_MAX_T = {"C": 35.0, "F": 95.0}
