"""What an intent handler receives and returns, and how it finds the devices a sentence means."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from samantha.home import Device, Room
from samantha.kinds import Kind
from samantha.providers import Command, CommandResult

if TYPE_CHECKING:
    from samantha.house import House


class Outcome(BaseModel):
    """Everything that came of one sentence: what was understood, done and said."""

    room: str
    text: str
    intent: str | None = None
    slots: dict[str, Any] = Field(default_factory=dict)
    reply: str = ""
    commands: list[Command] = Field(default_factory=list)
    results: list[CommandResult] = Field(default_factory=list, exclude=True)
    source: str = "intent"
    persona: str | None = None

    def public(self) -> dict[str, Any]:
        """The JSON shape `samantha say --json` prints."""
        data = self.model_dump(exclude={"results"})
        if data["persona"] is None:
            del data["persona"]
        # What became of each command: "done" (delivered), "queued" (waiting to be sent,
        # e.g. while the MQTT broker is away) or "failed" (with the reason).
        data["results"] = [
            {"device": r.command.device, "action": r.command.action, "status": r.status,
             "error": r.error}
            for r in self.results
        ]
        return data


@dataclass
class IntentRequest:
    """A recognized sentence handed to an intent handler."""

    house: House
    room: Room
    text: str
    intent: str
    slots: dict[str, Any]
    commands: list[Command] = field(default_factory=list)

    def slot(self, name: str, default: Any = None) -> Any:
        return self.slots.get(name, default)

    def outcome(self, reply: str, results: Iterable[CommandResult] = ()) -> Outcome:
        return Outcome(room=self.room.id, text=self.text, intent=self.intent, slots=self.slots,
                       reply=reply, commands=self.commands, results=list(results))

    async def execute(self, commands: Iterable[Command]) -> list[CommandResult]:
        """Run commands through their providers; record them for the outcome."""
        commands = list(commands)
        self.commands.extend(commands)
        return await self.house.execute(commands, room=self.room.id)


IntentHandler = Callable[[IntentRequest], Awaitable[Outcome]]


class TargetError(Exception):
    """The sentence names something the home does not have; `reply` says so kindly."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


def _as_set(value: Any) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, (list, tuple, set)):
        return {str(v) for v in value}
    return {str(value)}


KIND_WORDS = {
    Kind.LIGHT: ("light", "lights"),
    Kind.SWITCH: ("switch", "switches"),
    Kind.FAN: ("fan", "fans"),
    Kind.COVER: ("blind", "blinds"),
    Kind.CLIMATE: ("thermostat", "thermostats"),
    Kind.LOCK: ("lock", "locks"),
    Kind.SENSOR: ("sensor", "sensors"),
    Kind.BINARY_SENSOR: ("sensor", "sensors"),
    Kind.MEDIA_PLAYER: ("speaker", "speakers"),
    Kind.SCENE: ("scene", "scenes"),
    Kind.SCRIPT: ("script", "scripts"),
    Kind.BUTTON: ("button", "buttons"),
    Kind.WEATHER: ("weather service", "weather services"),
    Kind.TODO: ("list", "lists"),
    Kind.VALVE: ("valve", "valves"),
    Kind.VACUUM: ("vacuum", "vacuums"),
    Kind.LAWN_MOWER: ("lawn mower", "lawn mowers"),
    Kind.ALARM_CONTROL_PANEL: ("alarm", "alarms"),
    Kind.PERSON: ("person", "people"),
}


def resolve_targets(request: IntentRequest, *, kinds: Iterable[Kind] | None = None) -> list[Device]:
    """The devices a request refers to.

    A named device wins; otherwise the area (said, or else the room the sentence was said in) and
    the domain/device class narrow the home down. Never widens to the whole house by accident.
    """
    home = request.house.home
    domains = _as_set(request.slot("domain"))
    classes = _as_set(request.slot("device_class"))
    allowed = {k.value for k in kinds} if kinds is not None else None

    def fits(device: Device) -> bool:
        if allowed is not None and device.kind.value not in allowed:
            return False
        if domains and device.kind.value not in domains:
            return False
        return not classes or device.device_class in classes or (
            device.device_class is None and device.kind is Kind.COVER and "blind" in classes
        )

    name = request.slot("name")
    area_id = request.slot("area")
    room = home.rooms.get(area_id) if area_id else None
    if area_id and room is None:
        raise TargetError(f"I don't know a room called {area_id}.")
    if name:
        found = [d for d in home.find_devices(str(name)) if fits(d) or not (domains or classes)]
        if room is not None:
            found = [d for d in found if d.room == room.id] or found
        if len({d.room for d in found}) > 1:
            here = [d for d in found if d.room == request.room.id]
            if here:
                return here
            places = " or ".join(
                f"the one in the {home.rooms[d.room].name}" if d.room in home.rooms else d.id
                for d in found
            )
            raise TargetError(f"There is more than one {name}. Did you mean {places}?")
        if not found:
            raise TargetError(f"I don't know a device called {name}.")
        return found

    rooms: list[Room]
    floor = request.slot("floor")
    if room is not None:
        rooms = [room]
    elif floor:
        rooms = home.rooms_on_floor(floor)
        if not rooms:
            raise TargetError(f"I don't know a floor called {floor}.")
    else:
        rooms = [request.room]
    found = [d for r in rooms for d in home.devices_in(r.id) if fits(d)]
    if not found:
        what = describe_kind(domains, classes)
        where = rooms[0].name if len(rooms) == 1 else f"the {floor}"
        raise TargetError(f"There are no {what} in the {where}." if len(rooms) == 1
                          else f"There are no {what} on {where}.")
    return found


def describe_kind(domains: set[str], classes: set[str]) -> str:
    if classes:
        word = sorted(classes)[0]
        return word if word.endswith("s") else word + "s"
    for kind, (_, plural) in KIND_WORDS.items():
        if kind.value in domains:
            return plural
    return "devices"


def describe_targets(devices: list[Device], request: IntentRequest) -> str:
    """'the kitchen lights', 'the desk lamp', 'the desk lamp and the floor lamp'."""
    if request.slot("name") or len(devices) <= 2:
        names = [f"the {d.name}" for d in devices]
        if len(names) <= 2:
            return " and ".join(names)
        return ", ".join(names[:-1]) + " and " + names[-1]
    kinds = {d.kind for d in devices}
    rooms = {d.room for d in devices}
    noun = KIND_WORDS[next(iter(kinds))][1] if len(kinds) == 1 else "devices"
    if len(rooms) == 1:
        room = request.house.home.rooms.get(next(iter(rooms)) or "")
        return f"the {room.name.lower()} {noun}" if room else f"the {noun}"
    return f"the {noun}"
