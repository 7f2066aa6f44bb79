"""The conversation context plugin: remembers what each room last talked about, resolves "it"
and follow-ups from it, and takes "stop"/"cancel"/"never mind" before any intent matching."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from samantha import hookimpl
from samantha.intent_handling import IntentHandler, Outcome
from samantha.kinds import Kind
from samantha.plugins.context.followups import HANDLERS
from samantha.plugins.context.memory import memory_of, speaker
from samantha.plugins.context.sentences import SENTENCES
from samantha.plugins.context.settings import ConversationSettings
from samantha.plugins.context.stop import stop_kind

if TYPE_CHECKING:
    from samantha.house import House

STOP_INTENT = "SamanthaStop"


@hookimpl
def samantha_config_sections() -> dict[str, type[BaseModel]]:
    return {"conversation": ConversationSettings}


@hookimpl
def samantha_sentences(house: House, language: str) -> dict[str, Any] | None:
    return SENTENCES.get(language)


@hookimpl
def samantha_intent_handlers(house: House) -> dict[str, IntentHandler]:
    return dict(HANDLERS)


@hookimpl
def samantha_referents(house: House, room: str, word: str) -> list[str] | None:
    exchange = memory_of(house).recall(room, speaker())
    return list(exchange.targets) if exchange is not None else None


@hookimpl
def samantha_outcome(house: House, outcome: Outcome) -> None:
    """Remember what an understood sentence was about (only sentences about devices).

    The persona's own actions (a model's tool calls) have devices but no intent: "it" then
    means those devices, and a follow-up has nothing to repeat.
    """
    targets = outcome.targets or list(dict.fromkeys(c.device for c in outcome.commands))
    if targets and outcome.intent != STOP_INTENT:
        memory_of(house).remember(outcome.room, speaker(), outcome.intent or "",
                                  outcome.slots, targets)


def _media_playing(house: House, room: str) -> bool:
    return any(d.kind is Kind.MEDIA_PLAYER and d.state.get("playback") == "playing"
               for d in house.home.devices_in(room))


@hookimpl
async def samantha_before_intent(house: House, room: str, text: str) -> Outcome | None:
    """Stop words first: while the house speaks they silence it and end the exchange.

    When the house is silent they still end the exchange (a pending question, what "it" was),
    then a sentence the intents know goes on to them: a bare "stop" while music plays in the
    room pauses the music (HassMediaPause), "never mind" is HassNevermind; others get "Okay."
    """
    kind = stop_kind(text, house.config.language)
    if kind is None:
        return None
    speaking = house.activity.get(room) == "speaking"
    if kind == "stop" and not speaking and _media_playing(house, room):
        return None
    memory_of(house).forget(room)
    await house.interrupt(room)
    if speaking:
        # Cut off mid-sentence, the house says nothing more.
        return Outcome(room=room, text=text, intent=STOP_INTENT, reply="")
    if kind == "cancel" and house.recognize(text, house.room(room)) is not None:
        return None
    return Outcome(room=room, text=text, intent=STOP_INTENT, reply="Okay.")
