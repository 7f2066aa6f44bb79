"""Answers to what the house raised on its own: yes / no (through the persona's own yes/no),
"not now" (snoozed for `snooze_minutes`) and "don't ask me that" (that kind, for that person,
never again; kept in the memory file, so it holds across restarts)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from samantha.intent_handling import IntentHandler, IntentRequest, Outcome

from .speakfirst import KIND_WORDS, recent, snooze
from .state import Care, Raised, care_for

if TYPE_CHECKING:
    from samantha.house import House

SENTENCES: dict[str, list[str]] = {
    "SamanthaNotNow": ["not now", "not right now", "[maybe] later", "ask me later",
                       "not at the moment", "not today"],
    "SamanthaNeverAsk": ["(don't|do not|never) ask [me] (that|this|about that) [again]",
                         "stop asking [me] [(that|this|about that)]",
                         "I don't want to be asked (that|this) [again]"],
}


def sentences(language: str) -> dict[str, Any] | None:
    if language != "en":
        return None
    return {"language": language,
            "intents": {name: {"data": [{"sentences": templates}]}
                        for name, templates in SENTENCES.items()}}


async def answer_offer(house: House, room: str, said: Literal["yes", "no"]) -> str | None:
    """Registered with the persona: a yes/no to a suggestion the house made in this room."""
    care = care_for(house)
    raised = recent(care, room)
    if raised is None or raised.offer is None:
        return None
    _answered(care, room, said)
    return await (raised.offer.yes() if said == "yes" else raised.offer.no())


def _answered(care: Care, room: str, said: str) -> Raised | None:
    """What the house just raised in `room`, now answered with `said` (recorded); None if
    nothing was."""
    raised = recent(care, room)
    if raised is not None:
        del care.raised[room]
        care.store.answer(raised.utterance, said)
    return raised


async def not_now(request: IntentRequest) -> Outcome:
    care = care_for(request.house)
    raised = _answered(care, request.room.id, "not now")
    if raised is None:
        return request.outcome("Okay.")
    snooze(care, raised)
    return request.outcome("Okay, not now.")


async def never_ask(request: IntentRequest) -> Outcome:
    care = care_for(request.house)
    raised = _answered(care, request.room.id, "never")
    if raised is None:
        return request.outcome("I haven't asked you anything just now.")
    care.store.never(raised.person, raised.kind, care.ts())
    if raised.kind == "habit" and raised.offer is not None:
        await raised.offer.no()  # and this habit is declined, not just the kind
    return request.outcome(f"Okay, I'll stop {KIND_WORDS.get(raised.kind, 'asking that')}.")


HANDLERS: dict[str, IntentHandler] = {"SamanthaNotNow": not_now, "SamanthaNeverAsk": never_ask}
