"""Conversation memory across days: a conversation on day 1, a restart, and the follow-up on
day 2 in another room with the same speaker (a controllable clock moves a day at once)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from harness.openai_server import Reply, ScriptedOpenAI
from samantha.house import House
from samantha.plugins.people import clock
from samantha.plugins.people.speaker import speaking
from samantha.plugins.people.voices import VoiceProfiles
from samantha.plugins.persona.runtime import runtime_of

from .conftest import WriteConfig, llm_block

INTERVIEW = "I have a job interview tomorrow morning and I'm really nervous about it"


@pytest.fixture(autouse=True)
def fresh_clock() -> Iterator[None]:
    clock.reset()
    yield
    clock.reset()


def to_next_evening() -> datetime:
    """Move the clock to 19:00 on the next day; returns that day."""
    target = (datetime.fromtimestamp(time.time()) + timedelta(days=1)).replace(
        hour=19, minute=0, second=0, microsecond=0)
    clock.advance(target.timestamp() - time.time())
    return target


def house_data(server: ScriptedOpenAI, index: int) -> dict:
    return json.loads(server.requests[index].messages[1]["content"].split("\n", 1)[1])


async def day_one(cfg: Path, server: ScriptedOpenAI) -> None:
    async with House.prepare(cfg) as house:
        server.script(Reply(text="Oh, good luck! You'll do well."),
                      Reply(text="Get some sleep then."))
        await house.handle_text(INTERVIEW, "living room")  # Anna's usual room
        second = await house.handle_text("they want someone who can teach maths to children",
                                         "living room")
        assert second.source == "llm" and len(server.requests) == 2
        assert runtime_of(house).conversations.pending_turns("anna")


async def test_yesterdays_conversation_is_remembered_and_followed_up_in_another_room(
        server: ScriptedOpenAI, write_config: WriteConfig) -> None:
    cfg = write_config(llm_block(server.base_url, timeout=3, first_sentence_timeout=2))
    await day_one(cfg, server)
    day2 = to_next_evening()
    condensed = {"summary": "Anna has a job interview for a maths teaching job tomorrow morning",
                 "mood": "nervous",
                 "threads": [{"about": "Anna's teaching job interview",
                              "follow_up": day2.strftime("%Y-%m-%d 17:00")}]}
    async with House.prepare(cfg) as house:  # the restart
        server.script(Reply(text=json.dumps(condensed)), Reply(text="Welcome back, Anna!"),
                      Reply(text="Hello there."))
        with speaking("anna", 0.91):  # her voice, in the kitchen (nobody's usual room)
            outcome = await house.handle_text("phew, I am back home", "kitchen")
        assert outcome.reply == "Welcome back, Anna!"
        condense_request, anna_turn = server.requests[2], server.requests[3]
        assert "Condense the conversation" in condense_request.messages[0]["content"]
        assert INTERVIEW in condense_request.messages[1]["content"]
        data = house_data(server, 3)
        assert data["speaker"] == "anna" and data["room"]["id"] == "kitchen"
        assert data["time"].startswith(day2.strftime("%Y-%m-%d 19:0"))
        [episode] = data["recent_conversations"]
        assert episode["summary"] == condensed["summary"] and episode["room"] == "Living Room"
        assert episode["how_they_seemed"] == "nervous"
        assert [t["about"] for t in data["follow_up_now"]] == ["Anna's teaching job interview"]
        assert INTERVIEW not in json.dumps(anna_turn.messages[2:])  # an episode, not the turns
        with speaking(None, 0.2):  # a guest in the same kitchen gets none of it
            await house.handle_text("phew, it is cold outside", "kitchen")
        guest = json.dumps(server.requests[4].body)
        assert "interview" not in guest and "recent_conversations" not in guest
    async with House.prepare(cfg) as house:  # kept across another restart
        [kept] = runtime_of(house).conversations.episodes("anna")
        assert kept.how == "model" and kept.person == "anna" and kept.room == "living_room"


async def test_without_a_usable_model_summary_the_conversation_is_kept_extractively(
        server: ScriptedOpenAI, write_config: WriteConfig) -> None:
    cfg = write_config(llm_block(server.base_url, timeout=3, first_sentence_timeout=2))
    await day_one(cfg, server)
    to_next_evening()
    async with House.prepare(cfg) as house:
        server.script(Reply(text="Sure! Here is a summary: she talked."),  # not the JSON asked
                      Reply(text="Welcome back."))
        with speaking("anna"):
            await house.handle_text("phew, I am back home", "kitchen")
        data = house_data(server, 3)
        [episode] = data["recent_conversations"]
        assert "job interview tomorrow morning" in episode["summary"]
        assert episode["how_they_seemed"] == "nervous"
        [thread] = data["follow_up_now"]
        assert thread["about"].startswith("I have a job interview tomorrow")
        [kept] = runtime_of(house).conversations.episodes("anna")
        assert kept.how == "extractive"


async def test_forget_everything_about_me_erases_conversations_too(
        server: ScriptedOpenAI, write_config: WriteConfig) -> None:
    cfg = write_config(llm_block(server.base_url, timeout=3, first_sentence_timeout=2))
    await day_one(cfg, server)
    to_next_evening()
    async with House.prepare(cfg) as house:
        await runtime_of(house).condense_ended()
        assert runtime_of(house).conversations.episodes("anna")
        voices = VoiceProfiles(runtime_of(house).memory, "test-model")
        voices.enroll("anna", [np.ones(4, dtype=np.float32)], 3.0)
        await house.handle_text("forget everything about me", "living room")
        conversations = runtime_of(house).conversations
        assert conversations.export("anna") == {"episodes": [], "threads": [],
                                                "unfinished_conversation": []}
        assert voices.profiles() == {}
