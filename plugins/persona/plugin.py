"""The persona plugin: hooks that give the house its character, memory and language model."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from samantha import hookimpl
from samantha.events import BaseEvent, DeviceStateChanged, UtteranceHeard
from samantha.intent_handling import IntentHandler, Outcome
from samantha.references import References

from . import feelings, local_intents, timer_intents
from .brain import think
from .later import ACTION_INTENTS
from .memory import HOUSEHOLD
from .mood import EVENT_ENERGY
from .proactive import on_state_change
from .runtime import forget_runtime, runtime_of
from .settings import PersonaSection
from .timers import restore
from .treatment import treatment

if TYPE_CHECKING:
    from samantha.checks import Check
    from samantha.house import House

log = logging.getLogger(__name__)

_OKAY = re.compile(r"^okay[,.]?\s+", re.IGNORECASE)


@hookimpl
def samantha_config_sections() -> dict[str, type[BaseModel]]:
    return {"persona": PersonaSection}


@hookimpl
def samantha_config_references(config: Any) -> References | None:
    section: PersonaSection = getattr(config, "persona", None) or PersonaSection()
    return section.references()


@hookimpl
def samantha_sentences(house: House, language: str) -> dict[str, Any] | None:
    return local_intents.sentences(language)


@hookimpl
def samantha_intent_handlers(house: House) -> dict[str, IntentHandler]:
    # Time, date, "hello" and timers are built-in intents no other plugin answers yet.
    return {**local_intents.SMALL_TALK_HANDLERS, **local_intents.HANDLERS,
            **timer_intents.HANDLERS}


@hookimpl
async def samantha_startup(house: House) -> None:
    runtime_of(house).start_model()
    runtime_of(house).start_recall()
    await restore(house)  # timers, reminders and scheduled actions saved before a restart


@hookimpl
async def samantha_shutdown(house: House) -> None:
    rt = forget_runtime(house)
    if rt is not None:
        await rt.close()


@hookimpl
async def samantha_unrecognized(house: House, room: str, text: str) -> Outcome:
    return await think(house, runtime_of(house), room, text)


def _template_keys(outcome: Outcome) -> tuple[list[str], bool]:
    """The template keys to try, best first, and whether the reply carries a reason that the
    wording must keep (a refusal or a failure: "I don't know a room called garage")."""
    if outcome.intent is None:
        # The house refused a sentence it could parse (an unknown room, floor or device):
        # that is not "I didn't understand", and the reason must stay.
        return ["refused"], True
    failed = outcome.refused or any(not r.ok for r in outcome.results) or (
        outcome.intent in ACTION_INTENTS and not outcome.commands)
    if failed:  # the intent's own template is worded for success ("Done. {detail}")
        return [f"{outcome.intent}.failed", "failed"], True
    return [outcome.intent, "default"], False


@hookimpl
def samantha_outcome(house: House, outcome: Outcome) -> Outcome:
    """Put every reply in character. Never calls the model: understood sentences don't wait."""
    rt = runtime_of(house)
    person = rt.person_in(outcome.room)
    persona = rt.persona_for(outcome.room, person)
    if outcome.source in {"llm", "offline"}:
        rt.record(outcome.room, outcome.text, outcome.reply, person)
        return outcome.model_copy(update={"persona": outcome.persona or persona.name})
    if outcome.intent in ("HassNevermind", "SamanthaStop"):
        rt.pending.pop(outcome.room, None)
    # Small talk says how someone is; a device command only that (and when) they spoke.
    conversational = outcome.intent in local_intents.TOPIC_OF_INTENT
    if outcome.intent != "SamanthaForgetMe":  # noticing would keep a trace of them
        rt.notice(person, outcome.room, feelings.read(outcome.text) if conversational else None)
    reply = outcome.reply
    if reply:
        detail = _OKAY.sub("", reply)
        detail = detail[:1].upper() + detail[1:]
        keys, keep_reason = _template_keys(outcome)
        reply = rt.render(persona, keys,
                          {"reply": reply, "detail": detail, "room": outcome.room,
                           "person": person or ""}, "{reply}", keep_reply=keep_reason)
    if outcome.intent != "SamanthaForgetMe":  # keeping that sentence would undo it
        rt.record(outcome.room, outcome.text, reply, person)
    return outcome.model_copy(update={"reply": reply, "persona": persona.name,
                                      "source": "intent"})


@hookimpl
def samantha_event(house: House, event: BaseEvent) -> Any:
    rt = runtime_of(house)
    if isinstance(event, UtteranceHeard):
        # Fair: only what is aimed at the house can hurt it; venting draws it closer.
        rt.nudge(*treatment(event.text, rt.house_names).mood_effect())
    elif getattr(event, "type", None) in EVENT_ENERGY:
        rt.nudge(0.0, EVENT_ENERGY[str(event.type)])  # type: ignore[attr-defined]
    if isinstance(event, DeviceStateChanged) and rt.section.triggers:
        return on_state_change(house, event)
    return None


@hookimpl
def samantha_phrase(house: House, room: str | None, message: str) -> str | None:
    """Automations' `say`/`phrase` actions speak through the room's persona."""
    rt = runtime_of(house)
    found = house.home.find_room(room) if room else None
    persona = rt.persona_for(found.id, rt.person_in(found.id)) if found else rt.default
    return rt.render(persona, ["announcement"], {"message": message,
                                                 "room": found.id if found else ""},
                     persona.announcement)


@hookimpl
def samantha_remember(house: House, fact: str, person: str | None) -> bool:
    """Automations' `remember` action: a household fact, or one about `person`."""
    runtime_of(house).memory.add(fact, person or HOUSEHOLD, source="said")
    return True




@hookimpl
def samantha_checks(house: House) -> list[Check]:
    from .checks import persona_checks

    return persona_checks(house.section("persona") or PersonaSection(), house.config_path)
