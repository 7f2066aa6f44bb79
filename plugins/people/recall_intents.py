"""Asking about past conversations, answered without a model from the speaker's own episodes:

    what did we talk about regarding the interview   -> the episode(s) about it, by meaning
    what did I tell you about my mum                 -> the same
    what did we talk about [yesterday|last time]     -> the latest episodes

A guest or unknown speaker has no conversations to hear about: the house asks who they are.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from samantha.intent_handling import IntentHandler, IntentRequest, Outcome

from . import clock
from .episodes import EpisodeSearch, describe, topic_of

log = logging.getLogger(__name__)

TOPIC = "conversation_topic"
CONDENSE_BUDGET_S = 3.0  # the model words ended conversations first, if it is quick about it
SENTENCES = [
    "what did we (talk|speak|chat) about (regarding|concerning|about|on) {" + TOPIC + "}",
    "what did (i|we) (say|tell you) (about|regarding|concerning) {" + TOPIC + "}",
    "what did we (talk|speak|chat) about [(recently|lately|last time|yesterday)]",
    "(remind me|tell me) what we (talked|spoke) about [(recently|lately|last time|yesterday)]",
    "(remind me|tell me) what we (talked|spoke) about (regarding|concerning) {" + TOPIC + "}",
]
WHO = ("I don't know who you are, so I can't tell you about our conversations. Who are you?")


def sentences() -> dict[str, Any]:
    return {"intents": {"SamanthaRecallConversation": {"data": [{"sentences": SENTENCES}]}},
            "lists": {TOPIC: {"wildcard": True}}}


async def recall_conversation(request: IntentRequest) -> Outcome:
    from samantha.plugins.persona.runtime import runtime_of  # it owns the memory file

    rt = runtime_of(request.house)
    person = rt.person_in(request.room.id)
    if person is None:
        return request.outcome(WHO)
    try:  # conversations that ended since are episodes too
        await asyncio.wait_for(rt.condense_ended(), CONDENSE_BUDGET_S)
    except Exception as err:
        log.warning("could not condense ended conversations now: %s", err)
    topic = request.slot(TOPIC, None)
    if topic:
        found = EpisodeSearch(rt.conversations, rt.memory.embedder).search(
            str(topic), person, limit=2, topic=topic_of(str(topic)))
        if not found:
            return request.outcome("I don't remember us talking about that.")
    else:
        found = rt.conversations.episodes(person, limit=2)
        if not found:
            return request.outcome("I haven't kept any of our conversations yet.")
    names = {r.id: r.name for r in request.house.home.rooms.values()}
    return request.outcome(" ".join(describe(e, names.get(e.room, e.room), clock.now())
                                    for e in found))


HANDLERS: dict[str, IntentHandler] = {"SamanthaRecallConversation": recall_conversation}
