"""Built-in condition types: state, numeric_state, time, room, person, and/or/not, template,
trigger."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from samantha.plugins.automations.spec import (
    ConditionSpec,
    Duration,
    TemplateStr,
    device_problem,
    find_device,
    number,
    primary_attribute,
    value_matches,
)
from samantha.plugins.automations.timespec import TimeOfDayField
from samantha.plugins.automations.triggers import Problems, _location

if TYPE_CHECKING:
    from samantha.house import House
    from samantha.plugins.automations.context import RunContext

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _device_value(ctx: RunContext, name: str, attribute: str | None) -> tuple[str, str, Any]:
    device = find_device(ctx.house, name)
    if device is None:
        raise ValueError(device_problem(ctx.house, name))
    key = attribute or primary_attribute(device)
    return device.id, key, device.state.get(key)


class StateCondition(ConditionSpec):
    """A device's state attribute has a value (one of a list), optionally `for` a while."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    condition: Literal["state"]
    device: str = Field(description="Device id or name.")
    attribute: str | None = Field(
        None, description="State key; default on, position, locked, value or hvac_mode by kind.")
    state: Any = Field(description="The value it must have (or a list of values).")
    for_: Duration | None = Field(
        None, alias="for", description="...and have had it at least this long.")

    def references(self, house: House) -> Problems:
        problem = device_problem(house, self.device)
        return [(("device",), problem)] if problem else []

    def check(self, ctx: RunContext) -> bool:
        device_id, key, value = _device_value(ctx, self.device, self.attribute)
        if not value_matches(value, self.state):
            return False
        if self.for_:
            since = ctx.engine.dispatch.changed_at(device_id, key)
            return ctx.clock.monotonic() - since >= self.for_
        return True


class NumericCondition(ConditionSpec):
    """A device's number (or a template's) is above and/or below limits."""

    condition: Literal["numeric_state"]
    device: str | None = Field(None, description="Device id or name.")
    attribute: str | None = Field(
        None, description="State key; default the kind's main one (value for sensors).")
    value: TemplateStr | None = Field(
        None, description="A template giving the number instead of a device.")
    above: float | None = Field(None, description="Holds when the number is above this.")
    below: float | None = Field(None, description="Holds when the number is below this.")

    @model_validator(mode="after")
    def _what(self) -> NumericCondition:
        if (self.device is None) == (self.value is None):
            raise ValueError("give either device or value")
        if self.above is None and self.below is None:
            raise ValueError("give above, below or both")
        return self

    def references(self, house: House) -> Problems:
        problem = self.device and device_problem(house, self.device)
        return [(("device",), problem)] if problem else []

    def check(self, ctx: RunContext) -> bool:
        if self.device is not None:
            raw = _device_value(ctx, self.device, self.attribute)[2]
        else:
            raw = ctx.render(self.value)
        num = number(raw)
        if num is None:
            raise ValueError(f"{raw!r} is not a number")
        return (self.above is None or num > self.above) and (
            self.below is None or num < self.below)


class TimeCondition(ConditionSpec):
    """The time is after/before a time of day or sun event, on given weekdays."""

    condition: Literal["time"]
    after: TimeOfDayField | None = Field(
        None, description="Holds after this time of day (e.g. 07:00, sunset).")
    before: TimeOfDayField | None = Field(None, description="Holds before this time of day.")
    weekday: list[str] | None = Field(None, description="Days it holds on, e.g. [mon, tue].")

    @field_validator("weekday", mode="before")
    @classmethod
    def _days(cls, value: Any) -> Any:
        days = [value] if isinstance(value, str) else value
        if isinstance(days, list):
            days = [str(d).strip().lower()[:3] for d in days]
            wrong = [d for d in days if d not in WEEKDAYS]
            if wrong:
                raise ValueError(f"unknown weekday {wrong[0]!r}; use {', '.join(WEEKDAYS)}")
        return days

    @model_validator(mode="after")
    def _some(self) -> TimeCondition:
        if self.after is None and self.before is None and not self.weekday:
            raise ValueError("give after, before or weekday")
        return self

    def references(self, house: House) -> Problems:
        for name in ("after", "before"):
            point = getattr(self, name)
            if point is not None and point.sun and _location(house) is None:
                return [((name,), "sunrise/sunset need latitude and longitude in "
                                  "automation_settings")]
        return []

    def check(self, ctx: RunContext) -> bool:
        now = ctx.clock.now()
        if self.weekday and WEEKDAYS[now.weekday()] not in self.weekday:
            return False
        location = _location(ctx.house)
        after = self.after.on(now.date(), now.tzinfo, location) if self.after else None
        before = self.before.on(now.date(), now.tzinfo, location) if self.before else None
        if (self.after and after is None) or (self.before and before is None):
            return False  # the sun does not rise or set today
        if after is not None and before is not None and after > before:
            return now >= after or now < before  # a window across midnight
        return (after is None or now >= after) and (before is None or now < before)


class RoomCondition(ConditionSpec):
    """The run was triggered in a room (sentence, event, device), optionally in an activity."""

    condition: Literal["room"]
    room: str | list[str] | None = Field(
        None, description="The run's room is one of these (declared rooms).")
    activity: str | None = Field(None, description="idle, listening, speaking, muted, ...")

    def references(self, house: House) -> Problems:
        rooms = [self.room] if isinstance(self.room, str) else self.room or []
        return [(("room",), f"no room called {r!r}") for r in rooms
                if house.home.find_room(r) is None]

    def check(self, ctx: RunContext) -> bool:
        if self.room is not None:
            names = [self.room] if isinstance(self.room, str) else self.room
            wanted = {r.id for n in names if (r := ctx.house.home.find_room(n)) is not None}
            if ctx.room not in wanted:
                return False
        if self.activity is not None:
            if ctx.room is None:
                return False
            return ctx.house.activity.get(ctx.room, "idle") == self.activity
        return True


class PersonCondition(ConditionSpec):
    """The person the run is about (the `person` variable or trigger.person) is one of these."""

    condition: Literal["person"]
    person: str | list[str] = Field(description="The person the run is about is one of these.")

    def check(self, ctx: RunContext) -> bool:
        trigger = ctx.variables.get("trigger") or {}
        who = ctx.variables.get("person") or trigger.get("person")
        names = [self.person] if isinstance(self.person, str) else self.person
        return who is not None and str(who).lower() in {n.lower() for n in names}


class TemplateCondition(ConditionSpec):
    """A template expression is true; a plain string "{{ ... }}" is short for this."""

    condition: Literal["template"]
    value_template: TemplateStr = Field(description="A template that must be true.")

    @model_validator(mode="before")
    @classmethod
    def _short(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"condition": "template", "value_template": value}
        return value

    def check(self, ctx: RunContext) -> bool:
        result = ctx.render(self.value_template)
        if isinstance(result, str):
            return result.strip().lower() in {"true", "yes", "on", "1"}
        return bool(result)


class TriggerIdCondition(ConditionSpec):
    """The run was started by the trigger with this id."""

    condition: Literal["trigger"]
    id: str | list[str] = Field(
        description="The trigger that started the run has one of these ids.")

    def check(self, ctx: RunContext) -> bool:
        ids = [self.id] if isinstance(self.id, str) else self.id
        return (ctx.variables.get("trigger") or {}).get("id") in ids


class AndCondition(ConditionSpec):
    condition: Literal["and"]
    conditions: Conditions = Field(  # noqa: F821
        description="All of these hold.")

    async def check(self, ctx: RunContext) -> bool:
        return await ctx.check_all(self.conditions, f"{ctx.current}/conditions")


async def _any_holds(ctx: RunContext, conditions: list[Any]) -> bool:
    """Whether one of `conditions` holds (checked in order, traced each under this step)."""
    base = ctx.current
    for i, cond in enumerate(conditions):
        if await ctx.check(cond, f"{base}/conditions/{i}"):
            return True
    return False


class OrCondition(ConditionSpec):
    condition: Literal["or"]
    conditions: Conditions = Field(  # noqa: F821
        description="At least one of these holds.")

    async def check(self, ctx: RunContext) -> bool:
        return await _any_holds(ctx, self.conditions)


class NotCondition(ConditionSpec):
    condition: Literal["not"]
    conditions: Conditions = Field(  # noqa: F821
        description="None of these holds.")

    async def check(self, ctx: RunContext) -> bool:
        return not await _any_holds(ctx, self.conditions)


BUILTIN_CONDITIONS: dict[str, type[ConditionSpec]] = {
    "state": StateCondition, "numeric_state": NumericCondition, "time": TimeCondition,
    "room": RoomCondition, "person": PersonCondition, "template": TemplateCondition,
    "trigger": TriggerIdCondition, "and": AndCondition, "or": OrCondition, "not": NotCondition,
}
