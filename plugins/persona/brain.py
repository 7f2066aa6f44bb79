"""One answer to a sentence the intent layer did not understand: the model, or the offline self.

The model's reply is streamed and cut into sentences; each finished sentence is published at
once (PersonaSentence) so the room can start speaking before the answer is complete.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from samantha import redact
from samantha.intent_handling import Outcome
from samantha.plugins.people import clock
from samantha.plugins.people.conversations import as_data
from samantha.plugins.people.episodes import IN_PROMPT_SIMILARITY, EpisodeSearch
from samantha.plugins.people.presence import presence_of

from . import feelings
from .events import PersonaSentence
from .llm import StreamEnd, ToolCall
from .offline import DEFAULT_LINES, FEELINGS, clock_values, topic_of
from .profile import PersonaProfile
from .prompt import build_messages, house_data
from .runtime import Runtime
from .sentences import SentenceSplitter
from .tools import Turn, run_tool, tool_specs
from .warmth import leave_thread, memory_line

if TYPE_CHECKING:
    from samantha.house import House

log = logging.getLogger(__name__)

EPISODES_IN_PROMPT = 3
CAP_NOTE = "Tool-call limit for this request reached; nothing more was done. Answer now."


class ModelStalled(Exception):
    """No output from the model within the first-output deadline."""


class Speaker:
    """Collects the reply and publishes each sentence the moment it is complete."""

    def __init__(self, house: House, room: str, persona: PersonaProfile) -> None:
        self.house = house
        self.room = room
        self.persona = persona
        self.turn_id = uuid.uuid4().hex[:12]
        self.sentences: list[str] = []
        self.splitter = SentenceSplitter()

    async def say(self, sentence: str) -> None:
        self.sentences.append(sentence)
        await self.house.bus.publish(PersonaSentence(
            room=self.room, text=sentence, persona=self.persona.name, turn=self.turn_id,
            index=len(self.sentences) - 1))

    async def feed(self, fragment: str) -> None:
        for sentence in self.splitter.feed(fragment):
            await self.say(sentence)

    async def finish(self) -> None:
        rest = self.splitter.flush()
        if rest:
            await self.say(rest)

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


# Said to someone who is hurting or checking we are there, "I can't think deeply right now"
# would be cold; the reply is honest without it, and the thread brings the model back to it.
NO_NOTICE = frozenset({*FEELINGS, "presence", "feedback_shorter", "feedback_longer",
                       "feedback_funny", "feedback_no_jokes", "feedback_dislike"})


def offline_text(rt: Runtime, persona: PersonaProfile, room: str, text: str, *,
                 failed: bool, topic: str | None = None) -> str:
    """Small talk and feelings from templates; otherwise an honest 'I can't think deeply'."""
    topic = topic_of(text) or topic
    person = rt.person_in(room)
    values = {"room": room, "mood": rt.mood.describe(), "person": person or "",
              "comma_name": f", {person.title()}" if person else "",
              "memory_line": memory_line(rt, person, topic, text), **clock_values()}
    key = topic or "not_understood"
    reply = rt.render(persona, [key], values, DEFAULT_LINES[key])
    relationship = rt.relationship(person, persona)
    if relationship is not None and relationship.verbosity == "terse" and not key.startswith(
            "feedback_"):
        reply = first_sentence(reply)  # they asked for shorter: the offline self listens too
    if topic is None or (failed and topic not in NO_NOTICE):
        reply = f"{reply} {persona.offline_notice}"
    return reply


def first_sentence(text: str) -> str:
    splitter = SentenceSplitter()
    sentences = splitter.feed(text)
    return sentences[0] if sentences else (splitter.flush() or text)


def offline_outcome(rt: Runtime, persona: PersonaProfile, room: str, text: str, *,
                    failed: bool, topic: str | None = None) -> Outcome:
    reply = offline_text(rt, persona, room, text, failed=failed, topic=topic)
    topic = topic_of(text)
    if topic in FEELINGS:
        leave_thread(rt, rt.person_in(room), room, topic, text)
    return Outcome(room=room, text=text, reply=reply, source="offline", persona=persona.name)


async def _with_deadline(stream: AsyncIterator[str | StreamEnd], first: float,
                         total_deadline: float) -> AsyncIterator[str | StreamEnd]:
    """Pass the stream through, giving up if the first piece or the whole is too slow."""
    started = False
    try:
        while True:
            remaining = total_deadline - time.monotonic()
            wait = remaining if started else min(first, remaining)
            if wait <= 0:
                raise TimeoutError
            try:
                piece = await asyncio.wait_for(stream.__anext__(), wait)
            except StopAsyncIteration:
                return
            except TimeoutError:
                raise (TimeoutError if started else ModelStalled) from None
            started = True
            yield piece
    finally:
        await stream.aclose()  # type: ignore[attr-defined]


async def think(house: House, rt: Runtime, room: str, text: str) -> Outcome:
    person = rt.person_in(room)
    persona = rt.persona_for(room, person)
    rt.notice(person, room, feelings.read(text))  # before the prompt: this sentence counts
    feedback = rt.grow(person, persona, room, text)  # "you talk too much" shapes this prompt
    said_topic = f"feedback_{feedback[0].kind}" if feedback else None
    if rt.model is None:
        return offline_outcome(rt, persona, room, text, failed=False, topic=said_topic)
    await rt.recall_for_turn()
    turn = Turn(house=house, rt=rt, room=room, person=person, persona=persona, said=text)
    speaker = Speaker(house, room, persona)
    try:
        await _converse(turn, speaker, text)
    except Exception as err:
        log.warning("the model failed (%s); the offline self answers", _describe(err))
        if not speaker.sentences:
            outcome = offline_outcome(rt, persona, room, text, failed=True, topic=said_topic)
            outcome.commands, outcome.results = turn.commands, turn.results
            return outcome
        await speaker.say(persona.offline_notice)
    if turn.question:
        await speaker.say(turn.question)
    elif not speaker.sentences:
        await speaker.say(_plain_result(turn))
    rt.ask_judgement(person, text)  # background: after the reply, never before it
    return Outcome(room=room, text=text, reply=speaker.text, commands=turn.commands,
                   results=turn.results, source="llm", persona=persona.name)


def _plain_result(turn: Turn) -> str:
    """Words for a turn where the model said nothing: only what really happened."""
    if turn.results and all(r.ok for r in turn.results):
        return "Done."
    if turn.results:
        return "I couldn't do all of that."
    return "Hmm, I don't have an answer to that."


def _describe(err: BaseException) -> str:
    if isinstance(err, ModelStalled):
        return "no answer in time"
    if isinstance(err, TimeoutError):
        return "timed out"
    # Error bodies come from the server and may quote the request (the key with it).
    text = redact.redact(str(err))
    return f"{type(err).__name__}: {text[:300]}{'...' if len(text) > 300 else ''}"


async def _condense_first(rt: Runtime, budget: float) -> None:
    """Conversations that ended since the last turn become episodes before we look them up."""
    try:
        await asyncio.wait_for(rt.condense_ended(), budget)
    except Exception as err:  # the turn goes on; the turns stay and are condensed next time
        log.warning("could not condense ended conversations now: %s", _describe(err))


async def _converse(turn: Turn, speaker: Speaker, text: str) -> None:
    rt, house = turn.rt, turn.house
    assert rt.model is not None
    settings = rt.section.llm
    deadline = time.monotonic() + settings.timeout
    where = house.room(turn.room)
    await _condense_first(rt, settings.first_sentence_timeout)
    presence = presence_of(house)
    usual = [p for p in rt.usual_people(turn.room) if presence.where(p).home is not False]
    people = sorted({*usual, *presence.in_room(turn.room),
                     *([turn.person] if turn.person else [])})
    data = house_data(
        room=where.id, room_name=where.name, now=datetime.fromtimestamp(clock.now()),
        person=turn.person, people=people, mood=rt.mood,
        memories=rt.memory.relevant(text, turn.person, rt.section.memory.in_prompt),
        rooms=[r.name for r in house.home.rooms.values()])
    data.update(presence.as_data(known_speaker=turn.person is not None))
    if turn.person is not None:
        # Only the speaker's own past conversations, and nothing at all for a guest.
        names = {r.id: r.name for r in house.home.rooms.values()}
        related = EpisodeSearch(rt.conversations, rt.memory.embedder).search(
            text, turn.person, limit=EPISODES_IN_PROMPT, least=IN_PROMPT_SIMILARITY)
        data.update(as_data(rt.conversations.episodes(turn.person, limit=EPISODES_IN_PROMPT),
                            rt.conversations.open_threads(turn.person), names, related))
        seems = rt.seems(turn.person)
        if seems is not None:
            data["speaker_seems"] = seems
    relationship = rt.relationship(turn.person, turn.persona)
    if relationship is not None:
        data["relationship"] = relationship.as_data()
    max_tokens = relationship.max_tokens(settings.max_tokens) if relationship else None
    messages = build_messages(turn.persona, data, rt.recent(turn.room, turn.person), text,
                              relationship)
    tools = tool_specs(rt)
    capped = False
    for _round in range(settings.max_tool_calls + 2):
        calls: list[ToolCall] = []
        stream = rt.model.stream(messages, tools, allow_tools=not capped, max_tokens=max_tokens)
        async for piece in _with_deadline(stream, settings.first_sentence_timeout, deadline):
            if isinstance(piece, StreamEnd):
                calls = piece.tool_calls
            else:
                await speaker.feed(piece)
        await speaker.finish()
        if not calls:
            return
        if capped:
            log.warning("model asked for %d more tool call(s) after the limit; ignored",
                        len(calls))
            return
        messages.append({"role": "assistant", "content": None,
                         "tool_calls": [c.as_message() for c in calls]})
        for call in calls:
            if turn.calls >= settings.max_tool_calls:
                log.warning("tool-call limit (%d) reached; refusing %s",
                            settings.max_tool_calls, call.name)
                result: dict[str, Any] = {"ok": False, "error": CAP_NOTE}
                capped = True
            else:
                turn.calls += 1
                result = await run_tool(turn, call)
            messages.append({"role": "tool", "tool_call_id": call.id,
                             "content": json.dumps(result, ensure_ascii=False, default=str)})
        if turn.question:
            return  # the house asks for confirmation itself; the model's turn is over
