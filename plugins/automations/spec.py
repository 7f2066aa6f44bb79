"""Base classes of trigger, condition and action types, and the field types they share.

A type is a pydantic model (its YAML) with the method that runs it, so a plugin adds a type by
subclassing one of `TriggerSpec`, `ConditionSpec` or `ActionSpec` and returning it from the
`samantha_automation_types` hook.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    WithJsonSchema,
)
from pydantic_core import core_schema

from samantha.plugins.automations.expr import ExprError, Template

if TYPE_CHECKING:
    from samantha.home import Device
    from samantha.house import House
    from samantha.plugins.automations.context import RunContext, TriggerContext

Detach = Callable[[], "Awaitable[None] | None"]


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def references(self, house: House) -> list[tuple[tuple[str | int, ...], str]]:
        """Problems with names this step refers to (devices, rooms), as (field path, message)."""
        return []


class TriggerSpec(Spec):
    """A trigger type; the `trigger` field names it (`trigger: state`)."""

    trigger: str = Field(description="The trigger type, e.g. state, time, sentence.")
    id: str | None = Field(
        None, description="A name for this trigger, for trigger-id conditions and trigger.id in "
        "templates.")

    async def attach(self, ctx: TriggerContext) -> Detach:
        """Start watching; call `ctx.fire(data, room)` on each occurrence; return a detacher."""
        raise NotImplementedError


class ConditionSpec(Spec):
    """A condition type; the `condition` field names it (`condition: time`)."""

    condition: str = Field(description="The condition type, e.g. state, time, and.")

    def check(self, ctx: RunContext) -> bool | Awaitable[bool]:
        raise NotImplementedError


class ActionSpec(Spec):
    """An action type, named by its one type key (`say: ...`, `delay: ...`)."""

    key: ClassVar[str] = ""
    alias: str | None = Field(None, description="A human name, shown in traces.")
    enabled: bool = Field(True, description="false skips this action.")
    continue_on_error: bool = Field(
        False, description="Go on with the next action when this one fails.")

    async def run(self, ctx: RunContext) -> Any:
        """Do the action; return something short for the trace; raise ActionError on failure."""
        raise NotImplementedError


class ActionError(Exception):
    """An action failed; the run stops (unless continue_on_error) and the trace says why."""


# --- field types ------------------------------------------------------------------------------


def _template(value: Any) -> Template:
    if isinstance(value, Template):
        return value
    if not isinstance(value, (str, int, float, bool)):
        raise ValueError("expected text (a template)")
    try:
        return Template(str(value) if not isinstance(value, bool) else str(value).lower())
    except ExprError as err:
        raise ValueError(str(err)) from None


class _TemplateType:
    @classmethod
    def __get_pydantic_core_schema__(cls, _source: Any,
                                     handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            _template,
            json_schema_input_schema=core_schema.str_schema(),
            serialization=core_schema.plain_serializer_function_ser_schema(lambda t: t.source),
        )


TemplateStr = Annotated[Template, _TemplateType]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|seconds?|m|min|minutes?|h|hours?)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}


def parse_duration(value: Any) -> float:
    """Seconds from 5, "5s", "10 min", "01:30:00", "-00:30" or {minutes: 10}."""
    if isinstance(value, bool):
        raise ValueError("a duration must be a number of seconds or text like '5 min'")
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, dict):
        allowed = {"days": 86400, "hours": 3600, "minutes": 60, "seconds": 1,
                   "milliseconds": 0.001}
        unknown = set(value) - set(allowed)
        if unknown:
            raise ValueError(f"unknown duration keys {sorted(unknown)}; use {list(allowed)}")
        seconds = sum(float(v) * allowed[k] for k, v in value.items())
    elif isinstance(value, str):
        text = value.strip()
        sign = -1.0 if text.startswith("-") else 1.0
        text = text.lstrip("+-")
        if ":" in text:
            parts = text.split(":")
            if len(parts) not in (2, 3) or not all(re.fullmatch(r"\d+(\.\d+)?", p)
                                                   for p in parts):
                raise ValueError(f"{value!r} is not a duration like 01:30 or 00:00:45")
            nums = [float(p) for p in parts] + ([0.0] if len(parts) == 2 else [])
            return sign * (nums[0] * 3600 + nums[1] * 60 + nums[2])
        match = _DURATION.match(text)
        if not match:
            raise ValueError(f"{value!r} is not a duration like '30s', '5 min' or '01:00:00'")
        unit = (match.group(2) or "s")
        factor = _UNITS["ms"] if unit == "ms" else _UNITS[unit[0]]
        return sign * float(match.group(1)) * factor
    else:
        raise ValueError("a duration must be a number of seconds or text like '5 min'")
    return seconds


def _non_negative(value: Any) -> float:
    seconds = parse_duration(value)
    if seconds < 0:
        raise ValueError("a duration cannot be negative here")
    return seconds


_DURATION_SCHEMA = {"anyOf": [{"type": "number"}, {"type": "string"}, {"type": "object"}]}
Duration = Annotated[float, BeforeValidator(_non_negative), WithJsonSchema(_DURATION_SCHEMA)]
Offset = Annotated[float, BeforeValidator(parse_duration), WithJsonSchema(_DURATION_SCHEMA)]


# --- matching state values --------------------------------------------------------------------

_TRUE = {"on", "true", "yes", "open", "home", "detected"}
_FALSE = {"off", "false", "no", "closed", "away", "clear"}


def value_matches(actual: Any, expected: Any) -> bool:
    """Whether a device value matches what the YAML says: "on" matches True, "21" matches 21."""
    if isinstance(expected, list):
        return any(value_matches(actual, e) for e in expected)
    if isinstance(actual, bool):
        if isinstance(expected, bool):
            return actual is expected
        text = str(expected).strip().lower()
        return text in (_TRUE if actual else _FALSE)
    if isinstance(actual, (int, float)) and not isinstance(expected, bool):
        try:
            return float(actual) == float(expected)
        except (TypeError, ValueError):
            return False
    if isinstance(actual, str) and isinstance(expected, (str, int, float)):
        return actual.strip().lower() == str(expected).strip().lower()
    return bool(actual == expected)


def number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def subset_matches(actual: Any, expected: Any) -> bool:
    """Every key of `expected` is in `actual` with a matching value (nested mappings too)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and subset_matches(actual[k], v) for k, v in expected.items())
    return value_matches(actual, expected)


# The attribute a state trigger or condition looks at when none is named.
PRIMARY_ATTRIBUTE = {"cover": "position", "lock": "locked", "sensor": "value",
                     "climate": "hvac_mode"}


def primary_attribute(device: Device) -> str:
    return PRIMARY_ATTRIBUTE.get(device.kind.value, "on")


def find_device(house: House, name: str) -> Device | None:
    """A device by id, or by a name or alias that only one device has."""
    found = house.home.devices.get(name)
    if found is not None:
        return found
    matches = house.home.find_devices(name)
    return matches[0] if len(matches) == 1 else None


def device_problem(house: House, name: str) -> str | None:
    if house.home.devices.get(name) is not None:
        return None
    matches = house.home.find_devices(name)
    if len(matches) == 1:
        return None
    if matches:
        return f"{name!r} names {len(matches)} devices; use one of their ids: " + ", ".join(
            d.id for d in matches)
    return f"no device called {name!r}"
