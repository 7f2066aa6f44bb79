"""Built-in trigger types: time, state, numeric_state, mqtt, sentence, event, startup."""

from __future__ import annotations

import asyncio
import json
import re
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from samantha.config import SentenceTemplates
from samantha.plugins.automations.cron import Cron, CronError
from samantha.plugins.automations.spec import (
    Detach,
    Duration,
    TemplateStr,
    TriggerSpec,
    device_problem,
    find_device,
    number,
    primary_attribute,
    subset_matches,
    value_matches,
)
from samantha.plugins.automations.timespec import TimeOfDayField

if TYPE_CHECKING:
    from samantha.home import Device
    from samantha.house import House
    from samantha.plugins.automations.context import TriggerContext

Problems = list[tuple[tuple[str | int, ...], str]]


def _devices(house: House, names: str | list[str]) -> list[Device]:
    out = []
    for name in [names] if isinstance(names, str) else names:
        device = find_device(house, name)
        if device is None:
            raise ValueError(device_problem(house, name))
        out.append(device)
    return out


def _device_refs(house: House, names: str | list[str]) -> Problems:
    listed = [names] if isinstance(names, str) else names
    problems: Problems = []
    for i, name in enumerate(listed):
        problem = device_problem(house, name)
        if problem:
            problems.append((("device",) if isinstance(names, str) else ("device", i), problem))
    return problems


def _cancel_all(tasks: dict[str, asyncio.Task[Any]]) -> None:
    for task in tasks.values():
        task.cancel()
    tasks.clear()


class _DeviceChangeTrigger(TriggerSpec):
    """Shared by state and numeric triggers: watch devices, fire now or after `for`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    device: str | list[str] = Field(description="Device id or name, or a list of them.")
    attribute: str | None = Field(None, description="State key; default: on, position, ...")
    for_: Duration | None = Field(
        None, alias="for", description="Fire only once the new state has lasted this long.")

    platform: ClassVar[str]

    def decide(self, old: Any, new: Any) -> tuple[bool, bool]:
        """(cancel a pending `for` wait, fire) for a change of the watched value."""
        raise NotImplementedError

    def details(self) -> dict[str, Any]:
        return {}

    def references(self, house: House) -> Problems:
        return _device_refs(house, self.device)

    async def attach(self, ctx: TriggerContext) -> Detach:
        waiting: dict[str, asyncio.Task[Any]] = {}
        detachers = []
        for device in _devices(ctx.house, self.device):
            attribute = self.attribute or primary_attribute(device)

            def changed(event: Any, device: Device = device, attribute: str = attribute) -> None:
                old, new = event.old.get(attribute), event.new.get(attribute)
                cancel, fire = self.decide(old, new)
                if cancel and (pending := waiting.pop(device.id, None)) is not None:
                    pending.cancel()
                if not fire:
                    return
                data = {"platform": self.platform, "device": device.id, "name": device.name,
                        "attribute": attribute, "from": old, "to": new,
                        "from_state": event.old, "to_state": event.new, **self.details()}
                if self.for_:
                    waiting[device.id] = ctx.spawn(self._later(ctx, data, device.room))
                else:
                    ctx.fire(data, device.room)

            detachers.append(ctx.on_state(device.id, changed))

        def detach() -> None:
            _cancel_all(waiting)
            for undo in detachers:
                undo()

        return detach

    async def _later(self, ctx: TriggerContext, data: dict[str, Any], room: str | None) -> None:
        assert self.for_ is not None
        await ctx.clock.sleep(self.for_)
        ctx.fire(data, room)


class StateTrigger(_DeviceChangeTrigger):
    """A device's state attribute changes (from/to), optionally staying so `for` a while."""

    platform: ClassVar[str] = "state"

    trigger: Literal["state"]
    from_: Any = Field(None, alias="from", description="Fire only when changing from this value.")
    to: Any = Field(None, description="Fire only when changing to this value.")

    def decide(self, old: Any, new: Any) -> tuple[bool, bool]:
        if old == new:
            return False, False
        matches = (self.from_ is None or value_matches(old, self.from_)) and (
            self.to is None or value_matches(new, self.to))
        return True, matches

    def details(self) -> dict[str, Any]:
        return {"for": self.for_}


class NumericStateTrigger(_DeviceChangeTrigger):
    """A device's number crosses into the range above/below (and stays `for` a while)."""

    platform: ClassVar[str] = "numeric_state"

    trigger: Literal["numeric_state"]
    above: float | None = Field(None, description="Fires on crossing above this.")
    below: float | None = Field(None, description="Fires on crossing below this.")

    @model_validator(mode="after")
    def _bounds(self) -> NumericStateTrigger:
        if self.above is None and self.below is None:
            raise ValueError("give above, below or both")
        return self

    def inside(self, value: Any) -> bool:
        num = number(value)
        return num is not None and (self.above is None or num > self.above) and (
            self.below is None or num < self.below)

    def decide(self, old: Any, new: Any) -> tuple[bool, bool]:
        if not self.inside(new):
            return True, False  # left the range: a pending `for` wait is void
        return False, not self.inside(old)  # fire only on entering the range


class TimeTrigger(TriggerSpec):
    """At times of day (`at`), on a cron schedule (`cron`) or every so often (`every`)."""

    trigger: Literal["time"]
    at: TimeOfDayField | list[TimeOfDayField] | None = Field(
        None, description="Time(s) of day, e.g. 07:30, sunset, sunrise+00:30.")
    cron: str | None = Field(None, description="A cron expression, e.g. '0 7 * * mon-fri'.")
    every: Duration | None = Field(None, description="Fire at this interval, e.g. 15 min.")

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                Cron.parse(value)
            except CronError as err:
                raise ValueError(str(err)) from None
        return value

    @model_validator(mode="after")
    def _one(self) -> TimeTrigger:
        given = [n for n in ("at", "cron", "every") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of at, cron, every")
        if self.every is not None and self.every <= 0:
            raise ValueError("every must be longer than zero")
        return self

    def references(self, house: House) -> Problems:
        points = self.at if isinstance(self.at, list) else [self.at] if self.at else []
        if any(p.sun for p in points) and _location(house) is None:
            return [(("at",), "sunrise/sunset need latitude and longitude in "
                              "automation_settings")]
        return []

    async def attach(self, ctx: TriggerContext) -> Detach:
        task = ctx.spawn(self._loop(ctx))
        return task.cancel

    async def _loop(self, ctx: TriggerContext) -> None:
        clock = ctx.clock
        if self.every is not None:
            while True:
                await clock.sleep(self.every)
                ctx.fire({"platform": "time", "now": clock.now().isoformat()}, None)
        cron = Cron.parse(self.cron) if self.cron else None
        points = self.at if isinstance(self.at, list) else [self.at] if self.at else []
        location = _location(ctx.house)
        while True:
            now = clock.now()
            if cron is not None:
                when = cron.next_after(now)
            else:
                when = min(p.next_after(now, location) for p in points)
            await clock.sleep_until(when)
            ctx.fire({"platform": "time", "now": clock.now().isoformat(),
                      "scheduled": when.isoformat()}, None)


def _location(house: House) -> tuple[float, float] | None:
    settings = house.section("automation_settings")
    if settings is None or settings.latitude is None or settings.longitude is None:
        return None
    return (settings.latitude, settings.longitude)


class MqttTrigger(TriggerSpec):
    """An MQTT message on a topic (wildcards + and # allowed), optionally with a payload."""

    trigger: Literal["mqtt"]
    topic: str = Field(description="MQTT topic (wildcards + and # allowed).")
    payload: str | dict[str, Any] | None = Field(
        None, description="Exact text, or a mapping every key of which the JSON must have.")
    qos: Literal[0, 1] = Field(0, description="QoS of the subscription.")

    @field_validator("topic")
    @classmethod
    def _topic(cls, value: str) -> str:
        parts = value.split("/")
        bad = [p for p in parts if ("+" in p and p != "+") or ("#" in p and p != "#")]
        if not value or bad or "#" in parts[:-1]:
            raise ValueError(f"{value!r} is not a valid MQTT topic filter")
        return value

    async def attach(self, ctx: TriggerContext) -> Detach:
        client = await ctx.mqtt()

        def received(message: Any) -> None:
            text = message.text
            parsed: Any = None
            if text[:1] in "{[":
                try:
                    parsed = json.loads(text)
                except ValueError:
                    parsed = None
            if isinstance(self.payload, str) and text != self.payload:
                return
            if isinstance(self.payload, dict) and not subset_matches(parsed, self.payload):
                return
            ctx.fire({"platform": "mqtt", "topic": message.topic, "payload": text,
                      "json": parsed, "qos": message.qos, "retain": message.retain}, None)

        subscription = await client.subscribe(self.topic, received, qos=self.qos)
        return subscription.cancel


_SLOT = re.compile(r"\{(\w+)(?::\w+)?\}")


class SentenceTrigger(TriggerSpec):
    """A spoken sentence (hassil templates); its {slots} become trigger.slots."""

    trigger: Literal["sentence"]
    sentences: SentenceTemplates
    reply: TemplateStr | None = Field(None, description="Said at once; the actions may say more.")

    def slot_names(self) -> set[str]:
        return {m.group(1) for s in self.sentences for m in _SLOT.finditer(s)}

    async def attach(self, ctx: TriggerContext) -> Detach:
        return ctx.engine.sentences.listen(ctx.automation, ctx.path, self, ctx.fire)


_OCCUPANCY_CLASSES = {"occupancy", "motion", "presence"}


class EventTrigger(TriggerSpec):
    """A Samantha event: wake, room_occupied, mood, or any event type on the bus."""

    trigger: Literal["event"]
    event: str = Field(description="wake, room_occupied, mood, or an event type such as "
                                   "utterance_heard, intent_recognized, reply, room_activity.")
    room: str | None = Field(
        None, description="Only events in this room (a declared room, or all).")
    data: dict[str, Any] = Field(default_factory=dict, description="Fields the event must have.")

    def references(self, house: House) -> Problems:
        if self.room and self.room != "all" and house.home.find_room(self.room) is None:
            return [(("room",), f"no room called {self.room!r}")]
        return []

    async def attach(self, ctx: TriggerContext) -> Detach:
        house = ctx.house
        room_id = None
        if self.room:
            found = house.home.find_room(self.room)
            if found is None:
                raise ValueError(f"no room called {self.room!r}")
            room_id = found.id
        name = {"wake": "room_activity", "room_occupied": "device_state_changed",
                "mood": "mood_changed"}.get(self.event, self.event)

        def seen(event: Any) -> None:
            room = getattr(event, "room", None)
            if self.event == "wake" and getattr(event, "activity", None) != "listening":
                return
            if self.event == "room_occupied":
                device = house.home.devices.get(event.device)
                if device is None or device.kind.value != "binary_sensor" or (
                        device.device_class not in _OCCUPANCY_CLASSES):
                    return
                if not event.new.get("on") or event.old.get("on"):
                    return
                room = device.room
            if room_id is not None and room != room_id:
                return
            fields = event.model_dump(mode="json")
            if self.data and not subset_matches(fields, self.data):
                return
            ctx.fire({"platform": "event", "event": self.event, "room": room,
                      "data": fields}, room)

        return ctx.on_event(name, seen)


class StartupTrigger(TriggerSpec):
    """The house has started (not on reload)."""

    trigger: Literal["startup"]

    async def attach(self, ctx: TriggerContext) -> Detach:
        return ctx.engine.on_startup(lambda: ctx.fire({"platform": "startup"}, None))


BUILTIN_TRIGGERS: dict[str, type[TriggerSpec]] = {
    "state": StateTrigger, "numeric_state": NumericStateTrigger, "time": TimeTrigger,
    "mqtt": MqttTrigger, "sentence": SentenceTrigger, "event": EventTrigger,
    "startup": StartupTrigger,
}
