"""Sentences the persona understands without a model: memory and spoken confirmation.

    remember that the bins go out on tuesday     -> a household (or the speaker's) memory
    what do you know about me                    -> what is remembered (asks who, if unknown)
    forget everything about me                   -> the speaker's memories and conversations
    forget that / forget that anna likes tea     -> drop the last one, or the ones that match
    yes / no                                     -> answer "Shall I unlock the front door?"
"""

from __future__ import annotations

import logging
import re
from typing import Any

from samantha.intent_handling import IntentHandler, IntentRequest, Outcome

from . import proactive
from .brain import offline_text
from .runtime import Runtime, runtime_of

log = logging.getLogger(__name__)

SENTENCES: dict[str, list[str]] = {
    "SamanthaRemember": ["(remember|don't forget) [that] {fact}",
                         "please (remember|don't forget) [that] {fact}"],
    "SamanthaRecall": ["what do you (know|remember) about (me|us)",
                       "what have you (learned|remembered) about (me|us)"],
    "SamanthaForgetLast": ["forget (that|it)", "please forget (that|it)", "forget about (that|it)"],
    "SamanthaForgetMe": ["[please] forget (everything|all) [you know] about me",
                         "[please] forget [all] my data", "[please] forget me",
                         "[please] delete (everything|all) [you know] about me"],
    "SamanthaForget": ["[please] forget [about] [that] {fact}"],
    "SamanthaConfirm": ["yes", "yes please", "yeah", "yep", "sure", "do it", "go ahead",
                        "confirm", "yes do it"],
    "SamanthaDeny": ["no", "no thanks", "nope", "don't", "do not", "no don't"],
}


def sentences(language: str) -> dict[str, Any] | None:
    if language != "en":
        return None  # only English sentences so far; other languages go to the model
    return {
        "language": language,
        "intents": {name: {"data": [{"sentences": templates}]}
                    for name, templates in SENTENCES.items()},
        "lists": {"fact": {"wildcard": True}},
    }


def _first_person(fact: str, person: str | None) -> str:
    """'I like tea' -> 'Anna likes tea' when we know who is speaking; else as said."""
    fact = fact.strip().rstrip(".!")
    if person is None:
        return fact
    fact = re.sub(r"^i\s+(\w+)", lambda m: f"{person.title()} {_third(m.group(1))}", fact,
                  flags=re.IGNORECASE)
    return re.sub(r"\bmy\b", f"{person.title()}'s", fact, flags=re.IGNORECASE)


def _third(verb: str) -> str:
    irregular = {"am": "is", "have": "has", "do": "does", "go": "goes"}
    if verb.casefold() in irregular:
        return irregular[verb.casefold()]
    return verb + ("es" if verb.endswith(("s", "sh", "ch", "x")) else "s")


def _context(request: IntentRequest) -> tuple[Runtime, str | None]:
    rt = runtime_of(request.house)
    return rt, rt.person_in(request.room.id)


WHO_ARE_YOU = ("I'm not sure who I'm talking to: I don't recognise your voice here. I only "
               "share what the whole household has told me. Who are you?")
_PERSONAL = re.compile(r"^(i|i'm|im|my|me)\b", re.IGNORECASE)


async def remember(request: IntentRequest) -> Outcome:
    rt, person = _context(request)
    fact = _first_person(str(request.slot("fact", "")), person)
    if len(fact) < 3:
        return request.outcome("What should I remember?")
    if person is None and _PERSONAL.match(fact):
        # Stored as said, "I am allergic to nuts" would become a household fact about nobody.
        return request.outcome("I don't know who you are yet, so I can't keep that about you. "
                               "Who are you?")
    memory = rt.memory.add(fact, person, source="said")
    rt.last_memory[request.room.id] = memory.id
    return request.outcome(f"Okay, I'll remember that {_lower_first(memory.text)}.")


COMMON_STARTS = frozenset({"the", "a", "an", "my", "our", "we", "it", "there", "this", "that"})


def _lower_first(text: str) -> str:
    """Lower-case a sentence's first word when it is a common word, not a name."""
    first = text.split(" ", 1)[0]
    return text[:1].lower() + text[1:] if first.casefold() in COMMON_STARTS else text


async def recall(request: IntentRequest) -> Outcome:
    rt, person = _context(request)
    if person is None:
        return request.outcome(WHO_ARE_YOU)
    memories = rt.memory.visible(person)
    if not memories:
        return request.outcome("I don't know anything about you yet. Tell me something "
                               "with 'remember that'.")
    if len(memories) == 1:
        rt.last_memory[request.room.id] = memories[0].id
    else:
        rt.last_memory.pop(request.room.id, None)
    listed = "; ".join(m.text for m in memories[-8:])
    return request.outcome(f"Here's what I know: {listed}.")


async def forget_last(request: IntentRequest) -> Outcome:
    rt, _person = _context(request)
    memory_id = rt.last_memory.pop(request.room.id, None)
    memory = rt.memory.get(memory_id) if memory_id is not None else None
    if memory is None:
        return request.outcome("Forget what? Tell me what to forget, like 'forget that Anna "
                               "likes tea'.")
    rt.memory.forget(memory.id)
    return request.outcome(f"Okay, I've forgotten that {_lower_first(memory.text)}.")


async def forget(request: IntentRequest) -> Outcome:
    rt, person = _context(request)
    said = str(request.slot("fact", ""))
    found = rt.memory.matching(said, person) or rt.memory.matching(
        _first_person(said, person), person)
    if not found:
        return request.outcome("I don't remember anything like that.")
    for memory in found:
        rt.memory.forget(memory.id)
    what = "; ".join(m.text for m in found)
    return request.outcome(f"Okay, I've forgotten that {_lower_first(what)}.")


async def forget_me(request: IntentRequest) -> Outcome:
    rt, person = _context(request)
    if person is None:
        return request.outcome("I don't know who you are, so there is nothing of yours I could "
                               "forget. Who are you?")
    gone = rt.memory.forget_person(person)
    gone += rt.forget_conversations(person)
    gone += rt.forget_voice(person)
    rt.last_memory.pop(request.room.id, None)
    if not gone:
        return request.outcome("I didn't have anything about you to forget.")
    return request.outcome("Okay, I've forgotten everything I knew about you.")


async def confirm(request: IntentRequest) -> Outcome:
    rt = runtime_of(request.house)
    pending = rt.take_pending(request.room.id)
    if pending is None:
        offered = await proactive.answer(request.house, request.room.id, "yes")
        return request.outcome(offered or "There's nothing waiting for a yes here.")
    results = await request.execute(pending.commands)
    failed = [r for r in results if not r.ok]
    if failed:
        reasons = "; ".join(r.error or "unknown error" for r in failed)
        return request.outcome(f"I tried to {pending.what}, but it didn't work: {reasons}.",
                               results)
    return request.outcome(f"Okay, done: {pending.what}.", results)


async def deny(request: IntentRequest) -> Outcome:
    rt = runtime_of(request.house)
    pending = rt.pending.pop(request.room.id, None)
    if pending is None:
        return request.outcome(await proactive.answer(request.house, request.room.id, "no")
                               or "Okay.")
    return request.outcome(f"Okay, I won't {pending.what}.")


HANDLERS: dict[str, IntentHandler] = {
    "SamanthaRemember": remember,
    "SamanthaRecall": recall,
    "SamanthaForgetLast": forget_last,
    "SamanthaForget": forget,
    "SamanthaForgetMe": forget_me,
    "SamanthaConfirm": confirm,
    "SamanthaDeny": deny,
}


async def small_talk(request: IntentRequest) -> Outcome:
    """Built-in intents nobody else handles (time, date, 'hello'): the offline self answers."""
    rt, person = _context(request)
    persona = rt.persona_for(request.room.id, person)
    return request.outcome(offline_text(rt, persona, request.room.id, request.text,
                                        failed=False, topic=TOPIC_OF_INTENT.get(request.intent)))


TOPIC_OF_INTENT = {"HassGetCurrentTime": "time", "HassGetCurrentDate": "date",
                   "HassRespond": "greeting"}
SMALL_TALK_HANDLERS: dict[str, IntentHandler] = dict.fromkeys(TOPIC_OF_INTENT, small_talk)
