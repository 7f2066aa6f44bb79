"""Tools the model may call: read tools look, act tools change things. Nothing is trusted.

Every call is checked before anything happens: the tool must exist, its JSON arguments must
parse and validate, a device must be one the persona exposes, the action must suit its kind.
Sensitive actions are not done at all: they wait for a spoken 'yes' in the same room. A result
says what really happened (the provider's answer), never what the model hoped for.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from samantha.home import Device
from samantha.kinds import ACTIONS, CommandError, apply
from samantha.providers import Command, CommandResult

from . import consent
from .consent import asked_for
from .llm import ToolCall
from .memory import HOUSEHOLD
from .proactive import announce
from .profile import PersonaProfile
from .runtime import Pending, Runtime
from .schedule import Scheduled, seconds_until
from .timers import firing

if TYPE_CHECKING:
    from samantha.house import House

log = logging.getLogger(__name__)

class Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoArgs(Args):
    pass


class GetDevicesArgs(Args):
    room: str | None = Field(None, description="Only this room (name or id).")


class SearchMemoriesArgs(Args):
    query: str = Field(max_length=200)


class ControlDeviceArgs(Args):
    device: str = Field(description="Device id from get_devices (like d3f9a1c2).")
    action: str = Field(description="turn_on, turn_off, toggle, set_brightness, open, close, "
                        "set_position, set_temperature, lock, unlock, ...")
    params: dict[str, Any] = Field(default_factory=dict,
                                   description="e.g. {brightness: 40}, {temperature: 21}.")


class _When(Args):
    in_minutes: float | None = Field(None, gt=0, le=7 * 24 * 60)
    at: str | None = Field(None, pattern=r"^\d{1,2}:\d{2}$", description="HH:MM, local time.")

    @model_validator(mode="after")
    def _one_time(self) -> _When:
        if (self.in_minutes is None) == (self.at is None):
            raise ValueError("give exactly one of in_minutes or at")
        return self

    def delay(self) -> float:
        return self.in_minutes * 60 if self.in_minutes is not None else seconds_until(
            str(self.at))


class SetTimerArgs(Args):
    seconds: int = Field(ge=1, le=24 * 3600)
    label: str = Field("timer", max_length=60)


class ReminderArgs(_When):
    message: str = Field(max_length=200)
    room: str | None = Field(None, description="Where to say it; default this room.")


class ScheduleActionArgs(_When):
    device: str
    action: str
    params: dict[str, Any] = Field(default_factory=dict)


class CancelArgs(Args):
    id: int = Field(description="Id from get_scheduled.")


class AnnounceArgs(Args):
    room: str
    message: str = Field(max_length=200)


class RememberArgs(Args):
    fact: str = Field(min_length=3, max_length=300)
    about_speaker: bool = Field(True, description="false: a fact about the whole household.")


@dataclass
class Turn:
    """What one model turn has done so far; tools record into it."""

    house: House
    rt: Runtime
    room: str
    person: str | None
    persona: PersonaProfile
    said: str = ""
    commands: list[Command] = field(default_factory=list)
    results: list[CommandResult] = field(default_factory=list)
    question: str | None = None
    calls: int = 0


class ToolFailure(Exception):
    """The call was refused; the message goes back to the model as the tool's result."""


Runner = Callable[[Turn, Any], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Tool:
    name: str
    kind: Literal["read", "act"]
    args: type[Args]
    description: str
    run: Runner


def _device_view(device: Device, rt: Runtime) -> dict[str, Any]:
    return {"id": rt.handle(device), "name": device.name, "room": device.room,
            "kind": device.kind.value, "state": device.state, "available": device.available,
            "needs_confirmation": device.sensitive or device.kind.value == "lock"}


async def get_devices(turn: Turn, args: GetDevicesArgs) -> dict[str, Any]:
    devices = turn.rt.exposed()
    if args.room:
        room = turn.house.home.find_room(args.room)
        if room is None:
            raise ToolFailure(f"no room called {args.room!r}")
        devices = [d for d in devices if d.room == room.id]
    return {"devices": [_device_view(d, turn.rt) for d in devices]}


async def get_rooms(turn: Turn, args: NoArgs) -> dict[str, Any]:
    return {"rooms": [{"id": r.id, "name": r.name, "floor": r.floor}
                      for r in turn.house.home.rooms.values()]}


async def search_memories(turn: Turn, args: SearchMemoriesArgs) -> dict[str, Any]:
    found = turn.rt.memory.relevant(args.query, turn.person, turn.rt.section.memory.in_prompt)
    return {"memories": [{"about": m.owner(), "text": m.text} for m in found]}


def checked_command(turn: Turn, device_id: str, action: str,
                    params: dict[str, Any]) -> tuple[Device, Command]:
    device = turn.rt.exposed_device(device_id)
    if device is None:
        log.warning("model named a device that is not exposed or does not exist: %r", device_id)
        raise ToolFailure(f"there is no device with id {device_id!r}; use get_devices")
    if not device.available:
        raise ToolFailure(f"{device.name} is unavailable right now")
    if action not in ACTIONS[device.kind]:
        raise ToolFailure(f"a {device.kind.value} cannot {action}; it can: "
                          f"{', '.join(sorted(ACTIONS[device.kind])) or 'nothing'}")
    try:
        apply(device.kind, device.state, action, params)  # validates params, changes nothing
    except CommandError as err:
        raise ToolFailure(str(err)) from err
    return device, Command(device=device.id, action=action, params=params)


def _say_action(action: str) -> str:
    return action.replace("_", " ").replace("set ", "set ")


async def control_device(turn: Turn, args: ControlDeviceArgs) -> dict[str, Any]:
    device, command = checked_command(turn, args.device, args.action, args.params)
    if turn.rt.needs_confirmation(device, command):
        if not asked_for(turn.said, device, command):
            log.warning("refused %s on %s: a sensitive action the speaker did not ask for",
                        command.action, device.id)
            raise ToolFailure("refused: this needs a person's yes, and they did not ask for it "
                              "in what they just said. Do not offer it; answer what they said.")
        asked, what = consent.question(turn.persona, device, command, turn.person,
                                       turn.rt.section.heating_limits)
        turn.rt.pending[turn.room] = Pending(
            room=turn.room, commands=[command], question=asked, what=what,
            expires=time.time() + turn.rt.section.confirm_seconds)
        turn.question = asked
        return {"ok": False, "status": "needs_confirmation",
                "note": "Nothing was done. The house will ask the person to confirm; do not "
                        "say it is done."}
    results = await turn.house.execute([command], room=turn.room)
    turn.commands.append(command)
    turn.results.extend(results)
    result = results[0]
    if not result.ok:
        return {"ok": False, "error": result.error}
    return {"ok": True, "device": turn.rt.handle(device),
            "state": turn.house.home.devices[device.id].state}


def _kept(item: Scheduled) -> str:
    return ("Saved; it survives a restart." if item.saved
            else "Could not be saved: a restart would lose it. Tell the person.")


async def set_timer(turn: Turn, args: SetTimerArgs) -> dict[str, Any]:
    label = args.label.strip() or "timer"
    item = turn.rt.scheduler.add("timer", turn.room, args.seconds, label, firing(turn.house),
                                 person=turn.person)
    return {"ok": True, "timer": item.public(), "note": _kept(item)}


async def create_reminder(turn: Turn, args: ReminderArgs) -> dict[str, Any]:
    room = turn.house.home.find_room(args.room) if args.room else turn.house.room(turn.room)
    if room is None:
        raise ToolFailure(f"no room called {args.room!r}")
    item = turn.rt.scheduler.add("reminder", room.id, args.delay(), args.message,
                                 firing(turn.house), person=turn.person)
    return {"ok": True, "reminder": item.public(), "note": _kept(item)}


async def schedule_action(turn: Turn, args: ScheduleActionArgs) -> dict[str, Any]:
    device, command = checked_command(turn, args.device, args.action, args.params)
    if turn.rt.needs_confirmation(device, command):
        raise ToolFailure(f"{device.name} needs a person to confirm at the time; not scheduled")
    item = turn.rt.scheduler.add(
        "action", turn.room, args.delay(), f"{_say_action(command.action)} the {device.name}",
        firing(turn.house), command=command.model_dump(),
        person=turn.person)
    return {"ok": True, "scheduled": item.public(),
            "note": f"One-shot. {_kept(item)} If the house is off when it is due, it is "
                    "skipped, not done late."}


async def get_scheduled(turn: Turn, args: NoArgs) -> dict[str, Any]:
    return {"scheduled": [i.public() for i in turn.rt.scheduler.pending()]}


async def cancel_scheduled(turn: Turn, args: CancelArgs) -> dict[str, Any]:
    item = turn.rt.scheduler.items.get(args.id)
    if not turn.rt.scheduler.cancel(args.id):
        raise ToolFailure(f"nothing pending with id {args.id}; use get_scheduled")
    return {"ok": True, "cancelled": item.public() if item else {"id": args.id}}


async def announce_tool(turn: Turn, args: AnnounceArgs) -> dict[str, Any]:
    room = turn.house.home.find_room(args.room)
    if room is None:
        raise ToolFailure(f"no room called {args.room!r}")
    spoken = await announce(turn.house, room.id, args.message)
    if not spoken:
        return {"ok": False, "error": "quiet hours: nothing was said"}
    return {"ok": True, "room": room.id}


async def remember(turn: Turn, args: RememberArgs) -> dict[str, Any]:
    person = turn.person if args.about_speaker else HOUSEHOLD
    memory = turn.rt.memory.add(args.fact, person, source="model")
    turn.rt.last_memory[turn.room] = memory.id
    return {"ok": True, "remembered": memory.text, "about": memory.owner()}


TOOLS: dict[str, Tool] = {t.name: t for t in [
    Tool("get_devices", "read", GetDevicesArgs,
         "List the devices you may use, with their current state.", get_devices),
    Tool("get_rooms", "read", NoArgs, "List the rooms of the home.", get_rooms),
    Tool("search_memories", "read", SearchMemoriesArgs,
         "Search what you remember about the people and the household.", search_memories),
    Tool("get_scheduled", "read", NoArgs,
         "List pending timers, reminders and scheduled actions.", get_scheduled),
    Tool("control_device", "act", ControlDeviceArgs,
         "Change one device. Locks and other sensitive devices are only done after the "
         "person says yes.", control_device),
    Tool("set_timer", "act", SetTimerArgs, "Start a timer that rings in this room.", set_timer),
    Tool("create_reminder", "act", ReminderArgs, "Say a reminder later.", create_reminder),
    Tool("schedule_action", "act", ScheduleActionArgs,
         "Do one device action later (a simple one-shot automation).", schedule_action),
    Tool("cancel_scheduled", "act", CancelArgs,
         "Cancel a pending timer, reminder or scheduled action.", cancel_scheduled),
    Tool("announce", "act", AnnounceArgs, "Say something in another room.", announce_tool),
    Tool("remember", "act", RememberArgs,
         "Keep a fact or preference the person told you, for later.", remember),
]}


def available_tools(rt: Runtime) -> list[Tool]:
    return [t for t in TOOLS.values() if t.kind == "read" or rt.section.act_tools]


@functools.cache
def _schema(args: type[Args]) -> str:
    # Building JSON Schema costs milliseconds per model; it never changes, so once is enough.
    schema = args.model_json_schema()
    schema.pop("title", None)
    return json.dumps(schema)


def tool_specs(rt: Runtime) -> list[dict[str, Any]]:
    """The OpenAI `tools` list. Fixed text only: devices are named by opaque ids that the
    model learns from get_devices (a tool result, i.e. data), never by a name in the schema."""
    specs = []
    for tool in available_tools(rt):
        schema = json.loads(_schema(tool.args))
        specs.append({"type": "function", "function": {
            "name": tool.name, "description": tool.description, "parameters": schema}})
    return specs


async def run_tool(turn: Turn, call: ToolCall) -> dict[str, Any]:
    """Run one call, turning every kind of bad call into a clear refusal (and a log line)."""
    tool = next((t for t in available_tools(turn.rt) if t.name == call.name), None)
    if tool is None:
        log.warning("model called an unknown tool %r; ignored", call.name)
        return {"ok": False, "error": f"there is no tool called {call.name!r}"}
    try:
        raw = json.loads(call.arguments or "{}")
    except json.JSONDecodeError as err:
        log.warning("model sent invalid JSON arguments to %s: %s", call.name, err)
        return {"ok": False, "error": f"arguments are not valid JSON: {err}"}
    try:
        args = tool.args.model_validate(raw)
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}"
                             for e in err.errors(include_url=False))
        log.warning("model sent invalid arguments to %s: %s", call.name, problems)
        return {"ok": False, "error": f"invalid arguments: {problems}"}
    try:
        return await tool.run(turn, args)
    except ToolFailure as err:
        log.info("tool %s refused: %s", call.name, err)
        return {"ok": False, "error": str(err)}
