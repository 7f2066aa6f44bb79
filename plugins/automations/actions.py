"""Built-in action types.

Each is named by its type key: command, say, phrase, publish, service, delay, wait_for_trigger,
wait_until, choose, if, repeat, variables, remember, stop, condition.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from samantha.kinds import Kind
from samantha.plugins.automations.context import StopRun, TriggerContext
from samantha.plugins.automations.spec import (
    ActionError,
    ActionSpec,
    Duration,
    TemplateStr,
    device_problem,
    find_device,
)
from samantha.providers import Command

if TYPE_CHECKING:
    from samantha.house import House
    from samantha.plugins.automations.context import RunContext
    from samantha.plugins.automations.triggers import Problems

_MAX_LOOPS = 100_000  # a `while` that never ends must not run forever unnoticed


def _static(value: str) -> bool:
    return "{{" not in value


def _rooms(ctx: RunContext, room: str | list[str] | None) -> list[str]:
    """Room ids for a room field: a name, a list, "all", or None for the trigger's room."""
    house = ctx.house
    if room is None:
        return [ctx.room] if ctx.room else list(house.home.rooms)
    names = room if isinstance(room, list) else [room]
    out = []
    for name in names:
        rendered = str(ctx.render(name))
        if rendered == "all":
            return list(house.home.rooms)
        found = house.home.find_room(rendered)
        if found is None:
            raise ActionError(f"no room called {rendered!r}")
        out.append(found.id)
    return out


def _room_refs(house: House, room: str | list[str] | None) -> Problems:
    names = [room] if isinstance(room, str) else room or []
    return [(("room",), f"no room called {n!r}") for n in names
            if _static(n) and n != "all" and house.home.find_room(n) is None]


async def phrase(ctx: RunContext, room: str | None, message: str) -> str:
    """The message in the house's voice (the persona), or as written when no plugin phrases."""
    answers = await ctx.house.host.acall("samantha_phrase", first=True, house=ctx.house,
                                         room=room, message=message)
    for _plugin, text in answers:
        if isinstance(text, str) and text.strip():
            return text
    return message


class CommandAction(ActionSpec):
    """Send a device command to devices by name, or to a kind of device in a room."""

    key: ClassVar[str] = "command"
    command: str = Field(description="turn_on, turn_off, toggle, set_brightness, open, lock, ...")
    device: str | list[str] | None = Field(
        None, description="Device id or name, or a list of them.")
    room: str | None = Field(None, description="A room name, or all; with `kind`.")
    kind: Kind | None = Field(None, description="All devices of this kind in room (with room).")
    params: dict[str, Any] = Field(default_factory=dict, description="Templates allowed.")

    @model_validator(mode="after")
    def _target(self) -> CommandAction:
        if self.device is None and self.room is None and self.kind is None:
            raise ValueError("give device, or room and/or kind")
        return self

    def references(self, house: House) -> Problems:
        names = [self.device] if isinstance(self.device, str) else self.device or []
        problems: Problems = [(("device",), p) for n in names
                              if _static(n) and (p := device_problem(house, n))]
        return problems + _room_refs(house, self.room)

    def _targets(self, ctx: RunContext) -> list[str]:
        if self.device is not None:
            out = []
            for name in [self.device] if isinstance(self.device, str) else self.device:
                rendered = str(ctx.render(name))
                device = find_device(ctx.house, rendered)
                if device is None:
                    raise ActionError(device_problem(ctx.house, rendered) or rendered)
                out.append(device.id)
            return out
        home = ctx.house.home
        rooms = _rooms(ctx, self.room) if self.room else list(home.rooms)
        return [d.id for r in rooms for d in home.devices_in(r)
                if self.kind is None or d.kind == self.kind]

    async def run(self, ctx: RunContext) -> Any:
        params = ctx.render(self.params) if self.params else {}
        targets = self._targets(ctx)
        if not targets:
            raise ActionError("no device matches")
        results = await ctx.house.execute(
            [Command(device=d, action=self.command, params=params) for d in targets],
            room=ctx.room)
        failed = [f"{r.command.device}: {r.error}" for r in results if not r.ok]
        if failed:
            raise ActionError("; ".join(failed))
        return {"devices": targets}


class SayAction(ActionSpec):
    """Say something in a room, a list of rooms, or all rooms, in the persona's words."""

    key: ClassVar[str] = "say"
    say: TemplateStr = Field(description="What to say; a template.")
    room: str | list[str] | None = Field(None, description="Default: the trigger's room, "
                                                           "else every room.")
    verbatim: bool = Field(False, description="Skip the persona; say the text as written.")

    def references(self, house: House) -> Problems:
        return _room_refs(house, self.room)

    async def run(self, ctx: RunContext) -> Any:
        message = str(ctx.render(self.say))
        spoken = {}
        for room in _rooms(ctx, self.room):
            text = message if self.verbatim else await phrase(ctx, room, message)
            await ctx.house.speak(room, text)
            spoken[room] = text
        return spoken


class PhraseAction(ActionSpec):
    """Ask the persona to phrase a message; the text goes into a variable (default `phrased`)."""

    key: ClassVar[str] = "phrase"
    phrase: TemplateStr = Field(
        description="A message to have the persona word in character; a template.")
    room: str | None = Field(
        None, description="Whose persona words it; default the trigger's room.")
    into: str = Field("phrased", description="Variable that receives the worded text.")

    async def run(self, ctx: RunContext) -> Any:
        room = _rooms(ctx, self.room)[0] if (self.room or ctx.room) else None
        text = await phrase(ctx, room, str(ctx.render(self.phrase)))
        ctx.variables[self.into] = text
        return text


class PublishAction(ActionSpec):
    """Publish an MQTT message; a mapping payload is sent as JSON."""

    key: ClassVar[str] = "publish"
    publish: TemplateStr = Field(description="The topic.")
    payload: Any = Field(
        "", description="The message: text, or a mapping sent as JSON; templates allowed.")
    qos: Literal[0, 1] = Field(0, description="MQTT QoS of the message.")
    retain: bool = Field(
        False, description="Ask the broker to keep the message for later subscribers.")

    async def run(self, ctx: RunContext) -> Any:
        topic = str(ctx.render(self.publish))
        if not topic or "+" in topic or "#" in topic:
            raise ActionError(f"{topic!r} is not a topic to publish to")
        payload = ctx.render(self.payload)
        if not isinstance(payload, (str, bytes)):
            payload = json.dumps(payload)
        client = await ctx.engine.mqtt()
        await client.publish(topic, payload, qos=self.qos, retain=self.retain)
        return {"topic": topic, "payload": payload}


class ServiceAction(ActionSpec):
    """Call a Home Assistant service (action) on entities."""

    key: ClassVar[str] = "service"
    service: str = Field(description="domain.service, e.g. light.turn_on")
    entity_id: str | list[str] = Field(
        description="Home Assistant entity id(s) the service acts on.")
    data: dict[str, Any] = Field(
        default_factory=dict, description="Service data, e.g. {brightness_pct: 40}.")

    @field_validator("service")
    @classmethod
    def _dotted(cls, value: str) -> str:
        domain, dot, service = value.partition(".")
        if not dot or not domain or not service:
            raise ValueError(f"{value!r} is not domain.service (e.g. light.turn_on)")
        return value

    async def run(self, ctx: RunContext) -> Any:
        provider = ctx.house.providers.get("homeassistant")
        link = getattr(provider, "link", None)
        if link is None:
            raise ActionError("Home Assistant is not connected (no homeassistant provider)")
        domain, _, service = self.service.partition(".")
        data = ctx.render(self.data)
        entities = [self.entity_id] if isinstance(self.entity_id, str) else self.entity_id
        done = []
        for entity in entities:
            entity_id = str(ctx.render(entity))
            await link.call(domain, service, entity_id, **data)
            done.append(entity_id)
        return {"service": self.service, "entities": done}


class DelayAction(ActionSpec):
    """Wait a while."""

    key: ClassVar[str] = "delay"
    delay: Duration = Field(description="How long to wait, e.g. 30 s, 5 min, 00:01:30.")

    async def run(self, ctx: RunContext) -> Any:
        await ctx.clock.sleep(self.delay)
        return {"seconds": self.delay}


async def _wait(ctx: RunContext, done: asyncio.Future[Any], timeout: float | None) -> bool:
    if timeout is None:
        await done
        return True
    sleeper = asyncio.ensure_future(ctx.clock.sleep(timeout))
    try:
        await asyncio.wait([done, sleeper], return_when=asyncio.FIRST_COMPLETED)
    finally:
        sleeper.cancel()
    return done.done()


class _WaitAction(ActionSpec):
    """Shared by the waits: a timeout, and whether the run goes on when it passes."""

    timeout: Duration | None = Field(
        None, description="Give up waiting after this long; default wait for ever.")
    continue_on_timeout: bool = Field(
        True, description="After a timeout, go on with the next action (false: stop the run).")

    def finish(self, ctx: RunContext, fired: bool, **wait: Any) -> dict[str, Any]:
        ctx.variables["wait"] = {**wait, "completed": fired}
        if not fired and not self.continue_on_timeout:
            raise StopRun(f"{self.key} timed out")
        return {"completed": fired}


class WaitForTriggerAction(_WaitAction):
    """Wait until one of these triggers fires (a state change, an event, a message...)."""

    key: ClassVar[str] = "wait_for_trigger"
    wait_for_trigger: Triggers = Field(  # noqa: F821
        description="Triggers to wait for; the first that fires ends the wait.")

    async def run(self, ctx: RunContext) -> Any:
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

        def fire(data: dict[str, Any], room: str | None) -> None:
            if not done.done():
                done.set_result(data)

        path = ctx.step
        detachers = []
        try:
            for i, trigger in enumerate(self.wait_for_trigger):
                data_id = {"id": trigger.id} if trigger.id else {}
                tctx = TriggerContext(ctx.engine, ctx.automation,
                                      f"{path}/wait_for_trigger/{i}",
                                      lambda d, r, extra=data_id: fire({**d, **extra}, r))
                detachers.append(await trigger.attach(tctx))
            fired = await _wait(ctx, done, self.timeout)
        finally:
            for undo in detachers:
                result = undo()
                if asyncio.iscoroutine(result):
                    await result
        return self.finish(ctx, fired, trigger=done.result() if fired else None)


class WaitUntilAction(_WaitAction):
    """Wait until conditions hold (checked now and at every device state change)."""

    key: ClassVar[str] = "wait_until"
    wait_until: Conditions = Field(  # noqa: F821
        description="Conditions to wait for; the wait ends when all hold.")

    async def run(self, ctx: RunContext) -> Any:
        path = ctx.step
        if await ctx.check_all(self.wait_until, f"{path}/wait_until"):
            return {"completed": True}
        loop = asyncio.get_running_loop()
        done: asyncio.Future[bool] = loop.create_future()
        checking: list[asyncio.Task[Any]] = []

        async def recheck() -> None:
            if not done.done() and await ctx.check_all(self.wait_until, f"{path}/wait_until"):
                done.set_result(True)

        undo = ctx.engine.dispatch.on_event(
            "device_state_changed", lambda _e: checking.append(ctx.engine.spawn(recheck())))
        try:
            fired = await _wait(ctx, done, self.timeout)
        finally:
            undo()
            for task in checking:
                task.cancel()
        return self.finish(ctx, fired)


class ChooseOption(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conditions: Conditions = Field(  # noqa: F821
        description="When these all hold, this option's sequence runs.")
    sequence: Actions = Field(  # noqa: F821
        description="Actions of this option.")


class ChooseAction(ActionSpec):
    """Run the sequence of the first option whose conditions hold, else `default`."""

    key: ClassVar[str] = "choose"
    choose: list[ChooseOption] = Field(
        description="Options, tried in order: the first whose conditions hold runs.")
    default: Actions = Field(  # noqa: F821
        default_factory=list, description="Actions when no option matches.")

    async def run(self, ctx: RunContext) -> Any:
        path = ctx.step
        for i, option in enumerate(self.choose):
            if await ctx.check_all(option.conditions, f"{path}/choose/{i}/conditions"):
                await ctx.run_sequence(option.sequence, f"{path}/choose/{i}/sequence")
                return {"chosen": i}
        if self.default:
            await ctx.run_sequence(self.default, f"{path}/default")
            return {"chosen": "default"}
        return {"chosen": None}


class IfAction(ActionSpec):
    """If the conditions hold run `then`, else `else`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    key: ClassVar[str] = "if"
    if_: Conditions = Field(  # noqa: F821
        alias="if", description="Conditions; all must hold for then.")
    then: Actions = Field(  # noqa: F821
        description="Actions when the conditions hold.")
    else_: Actions = Field(  # noqa: F821
        default_factory=list, alias="else", description="Actions when they do not.")

    async def run(self, ctx: RunContext) -> Any:
        path = ctx.step
        if await ctx.check_all(self.if_, f"{path}/if"):
            await ctx.run_sequence(self.then, f"{path}/then")
            return {"branch": "then"}
        if self.else_:
            await ctx.run_sequence(self.else_, f"{path}/else")
        return {"branch": "else"}


class Repeat(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    count: int | TemplateStr | None = Field(None, description="Run the sequence this many times.")
    while_: Conditions | None = Field(  # noqa: F821
        None, alias="while", description="Run while these conditions hold (checked before each "
        "pass).")
    until: Conditions | None = Field(  # noqa: F821
        None, description="Run until these conditions hold (checked after each pass).")
    for_each: list[Any] | TemplateStr | None = Field(
        None, description="Run once per item (a list or a template); the item is {{ repeat.item "
        "}}.")
    sequence: Actions = Field(  # noqa: F821
        description="Actions to repeat.")

    @model_validator(mode="after")
    def _one(self) -> Repeat:
        given = [n for n in ("count", "while_", "until", "for_each") if getattr(self, n)
                 is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of count, while, until, for_each")
        return self


class RepeatAction(ActionSpec):
    """Repeat a sequence: `count` times, `while`/`until` conditions hold, or `for_each` item."""

    key: ClassVar[str] = "repeat"
    repeat: Repeat = Field(description="How often and what to repeat.")

    async def run(self, ctx: RunContext) -> Any:
        spec = self.repeat
        path = ctx.step + "/repeat"
        items: list[Any] | None = None
        if spec.for_each is not None:
            items = ctx.render(spec.for_each) if not isinstance(spec.for_each, list) else (
                spec.for_each)
            if not isinstance(items, list):
                raise ActionError(f"for_each must give a list, not {items!r}")
        elif spec.count is not None:
            count = int(ctx.render(spec.count)) if not isinstance(spec.count, int) else (
                spec.count)
            items = list(range(1, count + 1))
        index = 0
        outer = ctx.variables.get("repeat")
        try:
            while True:
                index += 1
                if items is not None and index > len(items):
                    break
                if index > _MAX_LOOPS:
                    raise ActionError(f"stopped after {_MAX_LOOPS} rounds")
                ctx.variables["repeat"] = {
                    "index": index, "first": index == 1,
                    "last": items is not None and index == len(items),
                    "item": items[index - 1] if items is not None else None}
                if spec.while_ is not None and not await ctx.check_all(spec.while_,
                                                                       f"{path}/while"):
                    break
                await ctx.run_sequence(spec.sequence, f"{path}/sequence")
                if spec.until is not None and await ctx.check_all(spec.until, f"{path}/until"):
                    break
                await asyncio.sleep(0)  # a loop of instant steps must not starve the house
        finally:
            ctx.variables["repeat"] = outer
        return {"rounds": index - 1 if items is None or index > len(items) else index}


class VariablesAction(ActionSpec):
    """Set variables (templates are rendered in order, each seeing the ones before)."""

    key: ClassVar[str] = "variables"
    variables: dict[str, Any] = Field(
        description="Values set for the rest of the run, usable as {{ name }}.")

    async def run(self, ctx: RunContext) -> Any:
        for name, value in self.variables.items():
            ctx.variables[name] = ctx.render(value)
        return {name: ctx.variables[name] for name in self.variables}


class RememberAction(ActionSpec):
    """Ask the persona to remember a fact (about a person)."""

    key: ClassVar[str] = "remember"
    remember: TemplateStr = Field(description="A fact for the persona's memory; a template.")
    person: TemplateStr | None = Field(
        None, description="Whom the fact is about; default the household.")

    async def run(self, ctx: RunContext) -> Any:
        fact = str(ctx.render(self.remember))
        person = str(ctx.render(self.person)) if self.person is not None else None
        answers = await ctx.house.host.acall("samantha_remember", first=True, house=ctx.house,
                                             fact=fact, person=person)
        if not any(stored is True for _plugin, stored in answers):
            raise ActionError(f"nothing stored {fact!r}: no plugin keeps memories")
        return {"fact": fact, "person": person}


class StopAction(ActionSpec):
    """End the run here (with `error: true`, as a failure)."""

    key: ClassVar[str] = "stop"
    stop: str = Field(description="Why the run stops (shown in the trace).")
    error: bool = Field(False, description="true: the run counts as failed.")

    async def run(self, ctx: RunContext) -> Any:
        if self.error:
            raise ActionError(self.stop)
        raise StopRun(self.stop)


class ConditionAction(ActionSpec):
    """A condition among the actions: the run stops quietly here when it does not hold."""

    key: ClassVar[str] = "condition"
    condition: ConditionItem = Field(  # noqa: F821
        description="Stop the run quietly unless this condition holds.")

    @model_validator(mode="before")
    @classmethod
    def _wrap(cls, value: Any) -> Any:
        if isinstance(value, dict) and not isinstance(value.get("condition"), dict):
            common = {k: value[k] for k in ("alias", "enabled", "continue_on_error")
                      if k in value}
            rest = {k: v for k, v in value.items() if k not in common}
            return {**common, "condition": rest}
        return value

    async def run(self, ctx: RunContext) -> Any:
        path = ctx.step
        if not await ctx.check(self.condition, f"{path}/condition"):
            raise StopRun("condition did not hold")
        return True


BUILTIN_ACTIONS: dict[str, type[ActionSpec]] = {
    cls.key: cls for cls in (
        CommandAction, SayAction, PhraseAction, PublishAction, ServiceAction, DelayAction,
        WaitForTriggerAction, WaitUntilAction, ChooseAction, IfAction, RepeatAction,
        VariablesAction, RememberAction, StopAction, ConditionAction)
}
