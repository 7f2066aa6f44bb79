"""What an intent handler receives and returns, and how it finds the devices a sentence means."""

from __future__ import annotations

import math
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from samantha import replies
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
    # Ids of the devices the sentence was about (acted on or asked about): the referents of a
    # later "it" or "them".
    targets: list[str] = Field(default_factory=list, exclude=True)
    # The handler could not do what was asked (no such device, an impossible action, a crash):
    # the reply says why, and whoever rewords it must keep that.
    refused: bool = Field(False, exclude=True)

    def public(self) -> dict[str, Any]:
        """The JSON shape `samantha say --json` prints."""
        data = self.model_dump(exclude={"results", "targets"})
        for command in data["commands"]:
            # An alarm code travels to the panel, never into what is printed or shown.
            if "code" in command["params"]:
                command["params"] = {**command["params"], "code": "***"}
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
    targets: list[str] = field(default_factory=list)
    # The template's answer form (HA's `response` key): "any", "all", "which", "how_many",
    # "one_yesno", ... so a handler answers "are all the doors locked" as it was asked.
    response: str | None = None

    def slot(self, name: str, default: Any = None) -> Any:
        return self.slots.get(name, default)

    def words(self, name: str) -> str | None:
        """A slot as words: None when it is missing, empty or not text (a list, a NaN)."""
        value = self.slots.get(name)
        if isinstance(value, str):
            return " ".join(value.split()) or None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return f"{value:g}" if math.isfinite(value) else None

    def outcome(self, reply: str, results: Iterable[CommandResult] = ()) -> Outcome:
        targets = self.targets or list(dict.fromkeys(c.device for c in self.commands))
        return Outcome(room=self.room.id, text=self.text, intent=self.intent, slots=self.slots,
                       reply=reply, commands=self.commands, results=list(results),
                       targets=targets)

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
    if isinstance(value, (list, tuple, set, frozenset)):
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


# Words that stand for devices named before ("turn it off"); they are values of the `name`
# slot list, so every template with {name} understands them.
PRONOUNS: dict[str, tuple[str, ...]] = {
    "en": ("it", "them", "that", "those", "this", "these"),
}


def is_pronoun(value: Any, language: str) -> bool:
    return isinstance(value, str) and value.casefold() in PRONOUNS.get(language, ())


def resolve_targets(request: IntentRequest, *, kinds: Iterable[Kind] | None = None,
                    everywhere: bool = False, unreferenced_is_here: bool = False
                    ) -> list[Device]:
    """The devices a request refers to, remembered on the request as its targets.

    A named device wins; otherwise the area (said, or else the room the sentence was said in) and
    the domain/device class narrow the home down. Never widens to the whole house by accident:
    only `everywhere` (a question such as "are all the doors locked", which HA asks of the whole
    house) looks beyond the room spoken in when no place was said. With `unreferenced_is_here`,
    a pronoun that refers to nothing yet is read as no name at all (see `unreferenced`).
    """
    found = _resolve(request, kinds, everywhere, unreferenced_is_here)
    request.targets.extend(d.id for d in found if d.id not in request.targets)
    return found


def _referent_ids(request: IntentRequest, word: str) -> list[str]:
    house = request.house
    answers = house.host.call("samantha_referents", house=house, room=request.room.id,
                              word=word)
    ids = answers[-1][1] if answers else []
    return [i for i in ids or [] if i in house.home.devices]


def unreferenced(request: IntentRequest) -> bool:
    """Whether the name said is a pronoun that refers to nothing in this room yet.

    Handlers whose sentence already says what kind of thing is meant ("set that temperature to
    21": a thermostat; "set that brightness to 40%": lights) read it as no name, that is the
    room's: a recognizer hears "the" as "that" often enough, and with nothing said before, the
    room's thermostat or lights are what a person means. Elsewhere ("turn it off") the house
    asks which device.
    """
    name = request.words("name")
    return (is_pronoun(name, request.house.config.language)
            and not _referent_ids(request, str(name)))


def _referents(request: IntentRequest, word: str, kinds: Iterable[Kind] | None) -> list[Device]:
    """The devices a pronoun means here, as the conversation context plugin remembers them."""
    house = request.house
    allowed = {k.value for k in kinds} if kinds is not None else None
    found = [house.home.devices[i] for i in _referent_ids(request, word)]
    fitting = [d for d in found if allowed is None or d.kind.value in allowed]
    if not found:
        raise TargetError(f"Sorry, what do you mean by \"{word}\"? Tell me which device.")
    if not fitting:
        raise TargetError(f"I can't do that with {describe_targets(found, request)}.")
    return fitting


def _resolve(request: IntentRequest, kinds: Iterable[Kind] | None,
             everywhere: bool = False, unreferenced_is_here: bool = False) -> list[Device]:
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

    name = request.words("name")
    if unreferenced_is_here and unreferenced(request):
        name = None
    elif is_pronoun(name, request.house.config.language):
        return _referents(request, str(name), kinds)
    area_id = request.words("area")
    room = home.rooms.get(area_id) if area_id else None
    if area_id and room is None:
        raise TargetError(f"I don't know a room called {area_id}.")
    if name:
        named = home.find_devices(str(name))
        # A name of the wrong kind is still a device this home has: the handler says why it
        # can't, rather than "I don't know a device called ...".
        found = [d for d in named if fits(d)] or named
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
    floor = request.words("floor")
    if room is not None:
        rooms = [room]
    elif floor:
        rooms = home.rooms_on_floor(floor)
        if not rooms:
            raise TargetError(f"I don't know a floor called {floor}.")
    elif everywhere:
        found = [d for d in home.devices.values() if fits(d)]
        if found:
            return found
        raise TargetError(f"There are no {describe_kind(domains or allowed or set(), classes)} "
                          "in this house.")
    else:
        rooms = [request.room]
    found = [d for r in rooms for d in home.devices_in(r.id) if fits(d)]
    if not found:
        what = describe_kind(domains or allowed or set(), classes)
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
    return subject(devices, request)[0]


def subject(devices: list[Device], request: IntentRequest) -> tuple[str, bool]:
    """What the reply calls `devices` and whether that is plural: ('the kitchen lights', True),
    ('the lamp', False), ('the lamp, the fan and the TV', True)."""
    if request.words("name") or len(devices) <= 3:
        plural = len(devices) > 1 or (len(devices) == 1 and is_plural(devices[0]))
        return replies.join([called(d) for d in devices]), plural
    kinds = {d.kind for d in devices}
    rooms = {d.room for d in devices}
    noun = KIND_WORDS[next(iter(kinds))][1] if len(kinds) == 1 else "devices"
    if len(rooms) == 1:
        room = request.house.home.rooms.get(next(iter(rooms)) or "")
        return (f"the {room.name.lower()} {noun}" if room else f"the {noun}"), True
    return f"the {noun}", True


# Kinds whose names are proper names: "Anna", "Movie Night", not "the Anna".
PROPER_KINDS = frozenset({Kind.PERSON, Kind.SCENE, Kind.SCRIPT})


def called(device: Device) -> str:
    """What a reply calls one device: 'the Desk Lamp', but 'Anna' and 'Movie Night'."""
    return device.name if device.kind in PROPER_KINDS else replies.the(device.name)


def is_plural(device: Device) -> bool:
    """'Counter Lights' are, but a person, a scene or a list is one thing ('Chores' is)."""
    if device.kind in PROPER_KINDS or device.kind is Kind.TODO:
        return False
    return replies.is_plural(device.name)


def kind_word(kind: Kind) -> str:
    """'vacuum', 'lawn mower', 'alarm': what a person calls one device of `kind`."""
    return KIND_WORDS[kind][0]


def understood(intent: str, slots: dict[str, Any]) -> str:
    """What was understood of an intent, in words, for a reply that cannot act on it."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", intent.removeprefix("Hass")).lower()
    said = [f"{k} {v}" for k, v in slots.items() if isinstance(v, (str, int, float))
            and k not in ("domain",)]
    return f"{words}" + (f" ({replies.join(said)})" if said else "")


def unhandled_reply(intent: str, slots: dict[str, Any]) -> str:
    """The reply for an intent no plugin handles: what was understood, and why nothing happens."""
    return (f"I understood that as {understood(intent, slots)}, but nothing in this house "
            "handles it: no plugin provides it.")
