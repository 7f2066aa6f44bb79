"""Owner-written sentences (`intents:` and `lists:`) mapped to replies and device actions.

    intents:
      GoodNight:
        sentences: ["good night", "[it's] bed time"]
        reply: "Good night. I've turned off the lights."
        actions:
          - {action: turn_off, kind: light, room: all}
      MovieTime:
        sentences: ["movie time [in [the] {area}]"]
        reply: "Enjoy the film."
        actions:
          - {action: set_brightness, kind: light, room: "{area}", params: {brightness: 20}}
"""

from __future__ import annotations

import string
from typing import Any

from pydantic import BaseModel, Field, RootModel

from samantha import hookimpl
from samantha.config import Section, SentenceTemplates
from samantha.house import BEST_METADATA, House
from samantha.intent_handling import IntentHandler, IntentRequest, Outcome
from samantha.kinds import Kind
from samantha.providers import Command
from samantha.references import References


class SentenceAction(Section):
    action: str = Field(description="turn_on, turn_off, toggle, set_brightness, open, lock, ...")
    device: str | None = Field(None, description="A device name or id.")
    kind: Kind | None = Field(None, description="All devices of this kind in `room`.")
    room: str | None = Field(
        None, description="Room name, '{area}' for the room said, 'all' for the whole house; "
        "defaults to the room the sentence was said in.")
    params: dict[str, Any] = Field(
        default_factory=dict, description="Action parameters, e.g. {brightness: 20}; {slot} "
        "values are filled in.")


class CustomIntent(Section):
    sentences: SentenceTemplates
    reply: str = Field("Okay.", description="What to say; {slot} is replaced by its value.")
    actions: list[SentenceAction] = Field(
        default_factory=list, description="What the sentence does.")


class CustomIntents(RootModel[dict[str, CustomIntent]]):
    """Your own sentences: templates mapped to replies and actions."""

    @property
    def intents(self) -> dict[str, CustomIntent]:
        return self.root


class ListValue(Section):
    in_: str = Field(alias="in", description="What people say.")
    out: Any = Field(description="The slot value it gives.")


class CustomLists(RootModel[dict[str, list[str | ListValue]]]):
    """Slot lists for your templates: name -> values (text, or {in: text, out: value})."""


def _fill(template: str, slots: dict[str, Any]) -> str:
    names = {field for _, field, _, _ in string.Formatter().parse(template) if field}
    return template.format(**{n: slots.get(n, "") for n in names})


def _targets(request: IntentRequest, spec: SentenceAction) -> list[str]:
    home = request.house.home
    if spec.device:
        if spec.device in home.devices:
            return [spec.device]
        found = home.find_devices(spec.device)
        return [d.id for d in found]
    room_name = _fill(spec.room, request.slots) if spec.room else request.room.id
    if room_name == "all":
        devices = list(home.devices.values())
    else:
        room = home.find_room(room_name) or request.room
        devices = home.devices_in(room.id)
    return [d.id for d in devices if spec.kind is None or d.kind == spec.kind]


def make_handler(intent: CustomIntent) -> IntentHandler:
    async def handle(request: IntentRequest) -> Outcome:
        commands = [Command(device=device, action=spec.action, params=spec.params)
                    for spec in intent.actions for device in _targets(request, spec)]
        results = await request.execute(commands) if commands else []
        failed = [r for r in results if not r.ok]
        if failed:
            reasons = "; ".join(f"{r.command.device}: {r.error}" for r in failed)
            return request.outcome(f"I couldn't do all of that. {reasons}.", results)
        return request.outcome(_fill(intent.reply, request.slots), results)

    return handle


@hookimpl
def samantha_config_references(config: Any) -> References | None:
    """Rooms and devices your sentences act on must exist ('{area}' and 'all' always do)."""
    section: CustomIntents | None = getattr(config, "intents", None)
    if section is None:
        return None
    found = References()
    for name, intent in section.root.items():
        for index, action in enumerate(intent.actions):
            at = ("intents", name, "actions", index)
            found.refer("room", action.room, (*at, "room"), accept=["all"], template=True)
            found.refer("device", action.device, (*at, "device"), template=True)
    return found


@hookimpl
def samantha_config_sections() -> dict[str, type[BaseModel]]:
    return {"intents": CustomIntents, "lists": CustomLists}


@hookimpl
def samantha_sentences(house: House, language: str) -> dict[str, Any] | None:
    section: CustomIntents | None = house.section("intents")
    lists: CustomLists | None = house.section("lists")
    if not section and not lists:
        return None
    data: dict[str, Any] = {"language": language, "intents": {}}
    for name, intent in (section.intents if section else {}).items():
        data["intents"][name] = {"data": [{"sentences": intent.sentences,
                                           "metadata": {BEST_METADATA: True}}]}
    if lists and lists.root:
        data["lists"] = {
            name: {"values": [v if isinstance(v, str) else {"in": v.in_, "out": v.out}
                              for v in values]}
            for name, values in lists.root.items()
        }
    return data


@hookimpl
def samantha_intent_handlers(house: House) -> dict[str, IntentHandler]:
    section: CustomIntents | None = house.section("intents")
    return {name: make_handler(i) for name, i in (section.intents if section else {}).items()}
