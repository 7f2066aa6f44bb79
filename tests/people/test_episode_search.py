"""Episodes found by meaning: "what did we talk about regarding the job application?" finds the
conversation about the interview at the bank, from the speaker's own episodes only; the
model gets older episodes about what was just said in HOUSE DATA."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from harness.openai_server import Reply, ScriptedOpenAI
from samantha.house import House
from samantha.plugins.people import clock
from samantha.plugins.people.conversations import Condensed, Turn
from samantha.plugins.people.episodes import EpisodeSearch, topic_of
from samantha.plugins.people.recall import embedder
from samantha.plugins.people.speaker import speaking
from samantha.plugins.persona.runtime import runtime_of

HOUSE = """\
name: Episodes
rooms: [{{name: Living Room}}, {{name: Kitchen}}, {{name: Office}}]
people:
  anna: {{rooms: [Living Room]}}
  ben: {{rooms: [Office]}}
persona:
  memory: {{path: memory.db}}
{llm}
"""
ANNA_SAID = {
    "living room": "I have a job interview at the bank tomorrow and I am nervous about it",
    "kitchen": "We are repainting the bedroom green this weekend with my brother",
    "office": "My mother is coming to stay with us for a whole week on Friday",
}
GAP = 20 * 60.0  # conversations end after 15 minutes of silence


@pytest.fixture(autouse=True)
def fresh_clock() -> Iterator[None]:
    embedder()  # loaded before any house: recall by meaning from the first turn
    clock.reset()
    # Mid-morning: the conversations here span 80 minutes of one day ("Earlier today in the
    # Office"); on the real clock a run after 22:40 saw them cross midnight ("Yesterday").
    morning = (datetime.fromtimestamp(time.time()) + timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0)
    clock.advance(morning.timestamp() - time.time())
    yield
    clock.reset()


def config(tmp_path: Path, llm: str = "") -> Path:
    path = tmp_path / "house.yaml"
    path.write_text(HOUSE.format(llm=llm))
    return path


def test_the_topic_of_a_question_leaves_its_framing_out() -> None:
    assert topic_of("What did we talk about regarding the interview?") == "interview"
    assert topic_of("what did I tell you about my mum") == "my mum"
    assert topic_of("what did we talk about") == "what did we talk about"


async def test_questions_about_past_conversations_find_them_by_meaning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMANTHA_DATA_DIR", str(tmp_path / "data"))
    async with House.prepare(config(tmp_path)) as house:
        for room, said in ANNA_SAID.items():  # three conversations, no model: extractive
            with speaking("anna", 0.93):
                await house.handle_text(said, room)
            clock.advance(GAP)
        await house.handle_text("my car broke down on the motorway again", "office")  # Ben
        clock.advance(GAP)

        async def ask(question: str, room: str, who: str | None) -> str:
            with speaking(who, 0.93 if who else 0.3):
                outcome = await house.handle_text(question, room)
            assert outcome.intent == "SamanthaRecallConversation", outcome
            return outcome.reply

        job = await ask("what did we talk about regarding my job application", "kitchen", "anna")
        assert "job interview at the bank" in job and "you seemed nervous" in job
        assert "in the Living Room, you told me" in job and "repainting" not in job
        mum = await ask("what did I tell you about my mum", "kitchen", "anna")
        assert mum.startswith("Earlier today in the Office") and "mother is coming" in mum
        assert "repainting" in await ask("what did we talk about regarding decorating",
                                         "office", "anna")
        assert "don't remember" in await ask("what did we talk about regarding the car",
                                            "kitchen", "anna")  # that was Ben's
        assert "car broke down" in await ask("what did we talk about regarding my vehicle",
                                             "kitchen", "ben")
        guest = await ask("what did we talk about regarding the interview", "kitchen", None)
        assert "Who are you?" in guest and "bank" not in guest
        latest = await ask("what did we talk about", "kitchen", "anna")
        assert "mother" in latest and "repainting" in latest and "bank" not in latest
        rt = runtime_of(house)
        stored = rt.memory.db.execute("SELECT COUNT(*) FROM episode_vectors").fetchone()[0]
        assert stored == 4  # every episode searched got its vector, kept in the file
        rt.forget_conversations("anna")  # "forget everything about me" takes them too
        stored = rt.memory.db.execute("SELECT COUNT(*) FROM episode_vectors").fetchone()[0]
        assert stored == 1
        # Without the sentence model, a shared word still finds an episode; a paraphrase not.
        words_only = EpisodeSearch(rt.conversations, None)
        assert words_only.search("the motorway", "ben") and not words_only.search(
            "my vehicle", "ben")


async def test_the_model_gets_older_conversations_about_what_was_just_said(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMANTHA_DATA_DIR", str(tmp_path / "data"))
    with ScriptedOpenAI() as server:
        llm = (f"  llm: {{base_url: {server.base_url}, model: scripted, api_key: sk-test-1234,"
               " timeout: 3, first_sentence_timeout: 1.5}")
        async with House.prepare(config(tmp_path, llm)) as house:
            conversations = runtime_of(house).conversations
            topics = ["Anna has a job interview at the bank and is nervous",
                      "Anna is repainting the bedroom green", "Anna's mother is visiting",
                      "Anna watched a film about penguins", "Anna's sister had a baby girl"]
            for at, summary in enumerate(topics):  # the interview is the oldest of five
                turn = Turn(person="anna", room="living_room", said=summary, reply="",
                            at=clock.now() + at * GAP)
                conversations.close_conversation([turn], Condensed(summary=summary), "model")
            server.script(Reply(text="Good luck!"))
            with speaking("anna", 0.9):
                await house.handle_text("I am on my way to meet the hiring manager now",
                                        "kitchen")
    data = json.loads(server.requests[0].messages[1]["content"].split("\n", 1)[1])
    recent = [e["summary"] for e in data["recent_conversations"]]
    assert topics[0] not in recent and len(recent) == 3
    assert [e["summary"] for e in data["related_conversations"]] == [topics[0]]


async def test_a_long_history_gets_its_vectors_a_batch_at_a_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMANTHA_DATA_DIR", str(tmp_path / "data"))
    async with House.prepare(config(tmp_path)) as house:
        rt = runtime_of(house)
        for at in range(40):  # written before the model was there: no vectors yet
            summary = "Anna has a job interview at the bank" if at == 0 else f"Small talk {at}"
            turn = Turn(person="anna", room="kitchen", said=summary, reply="",
                        at=clock.now() + at * GAP)
            rt.conversations.close_conversation([turn], Condensed(summary=summary), "model")
        search = EpisodeSearch(rt.conversations, rt.memory.embedder)

        def stored() -> int:
            return rt.memory.db.execute("SELECT COUNT(*) FROM episode_vectors").fetchone()[0]

        # The first search embeds the newest 32; the oldest, still without a vector, is
        # found by its words.
        assert search.search("the interview", "anna", topic="interview")
        assert stored() == 32
        assert [e.summary for e in search.search("my job application", "anna")] == [
            "Anna has a job interview at the bank"]  # caught up on the next search
        assert stored() == 40
