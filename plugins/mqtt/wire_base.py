"""The shared parts of the discovery config models: bounded names, numbers and lists, device
and origin info, availability, and the options every MQTT entity has (see wire.py).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from samantha.plugins.mqtt.payloads import MAX_LIST_ITEMS, MAX_NAME_CHARS
from samantha.plugins.mqtt.topics import topic_problem

Name = Annotated[str, StringConstraints(max_length=MAX_NAME_CHARS)]
Temperature = Annotated[float, Field(ge=-1000, le=1000, allow_inf_nan=False)]
Position = Annotated[int, Field(ge=-1_000_000, le=1_000_000)]
Seconds = Annotated[int, Field(ge=0, le=10_000_000)]


def _list(default_factory: Any = list) -> Any:
    return Field(default_factory=default_factory, max_length=MAX_LIST_ITEMS)



class _Wire(BaseModel):
    # Unknown options are kept (extra="allow") so that nothing is lost on a round trip.
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    @model_validator(mode="after")
    def _topics_are_concrete(self) -> _Wire:
        # Extras included: an unknown `*_topic` option is followed too (see state_topics).
        for key, value in {**self.__dict__, **(self.__pydantic_extra__ or {})}.items():
            if key.endswith("topic") and value is not None:
                problem = topic_problem(value)
                if problem is not None:
                    raise ValueError(f"{key}: {problem}")
        return self


class DeviceInfo(_Wire):
    identifiers: list[str] = _list()
    connections: list[tuple[str, str]] = _list()
    name: Name | None = None
    manufacturer: str | None = None
    model: str | None = None
    model_id: str | None = None
    sw_version: str | None = None
    hw_version: str | None = None
    serial_number: str | None = None
    suggested_area: Name | None = None
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
    name: Name
    sw_version: str | None = None
    support_url: str | None = None


class Availability(_Wire):
    topic: str
    payload_available: str = "online"
    payload_not_available: str = "offline"
    value_template: str | None = None


class _EntityConfig(_Wire):
    name: Name | None = None
    unique_id: Name | None = None
    object_id: Name | None = None
    device: DeviceInfo | None = None
    origin: Origin | None = None
    availability: list[Availability] = _list()
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
