"""Privacy by default: a guest or unknown speaker gets household memories only, never a
person's, in the reply and in what the model is sent (the scripted server records it)."""

from __future__ import annotations

import json
from pathlib import Path

from harness.cli import samantha_cli
from harness.openai_server import Call, Reply, ScriptedOpenAI
from samantha.house import House
from samantha.plugins.people.speaker import speaking
from samantha.plugins.persona.runtime import runtime_of

from .conftest import WriteConfig, llm_block

PRIVATE = "Anna is seeing a therapist on fridays"
BENS = "Ben is planning a surprise party for Anna"
HOUSEHOLD = "The bins go out on Tuesday"
TWO_IN_THE_LIVING_ROOM = "people:\n  ben: {rooms: [Living Room], aliases: [benji]}\n"


def plant(house: House) -> None:
    memory = runtime_of(house).memory
    memory.add(PRIVATE, "anna")
    memory.add(BENS, "ben")
    memory.add(HOUSEHOLD)


def everything_sent(server: ScriptedOpenAI) -> str:
    return json.dumps([r.body for r in server.requests])


async def test_an_unknown_speaker_gets_nothing_personal_in_prompt_tools_or_reply(
        house: House, server: ScriptedOpenAI) -> None:
    plant(house)
    server.script(Reply(tool_calls=[Call("search_memories", {"query": "therapist friday"})]),
                  Reply(text="I don't know of anything on friday."))
    outcome = await house.handle_text("I wonder about the therapist on friday and the bins",
                                      "kitchen")
    assert outcome.source == "llm"
    sent = everything_sent(server)
    assert "therapist on fridays" not in sent and "surprise party" not in sent
    data = json.loads(server.requests[0].messages[1]["content"].split("\n", 1)[1])
    assert data["speaker"] is None
    assert [m["text"] for m in data["memories"]] == [HOUSEHOLD]
    assert "recent_conversations" not in data
    tool_result = json.loads(server.requests[1].messages[-1]["content"])
    assert {m["about"] for m in tool_result["memories"]} <= {"household"}


async def test_what_do_you_know_about_me_asks_an_unknown_speaker_who_they_are(
        house: House) -> None:
    plant(house)
    outcome = await house.handle_text("what do you know about me", "kitchen")
    assert "Who are you?" in outcome.reply
    assert "therapist" not in outcome.reply and "Tuesday" not in outcome.reply
    known = await house.handle_text("what do you know about me", "living room")
    assert PRIVATE in known.reply and HOUSEHOLD in known.reply and BENS not in known.reply


async def test_two_people_in_one_room_are_told_apart_by_voice_only(
        server: ScriptedOpenAI, write_config: WriteConfig) -> None:
    cfg = write_config(llm_block(server.base_url, timeout=3, first_sentence_timeout=1.5),
                       extra=TWO_IN_THE_LIVING_ROOM)
    async with House.prepare(cfg) as house:
        plant(house)
        nobody = await house.handle_text("what do you know about me", "living room")
        assert "Who are you?" in nobody.reply
        with speaking("ben", 0.93):
            ben = await house.handle_text("what do you know about me", "living room")
        assert BENS in ben.reply and PRIVATE not in ben.reply
        with speaking("anna", 0.9):
            anna = await house.handle_text("what do you know about me", "living room")
        assert PRIVATE in anna.reply and BENS not in anna.reply
        with speaking("anna", 0.4):  # heard, but too unlike Anna: a guest
            unsure = await house.handle_text("what do you know about me", "living room")
        assert "Who are you?" in unsure.reply
        with speaking(None, 0.0):  # a voice nobody enrolled, in Anna's usual room
            server.script(Reply(text="Hello."))
            await house.handle_text("tell me about fridays and therapy", "living room")
        assert "therapist" not in everything_sent(server)


async def test_one_speakers_recent_conversation_is_not_sent_for_another(
        server: ScriptedOpenAI, write_config: WriteConfig) -> None:
    cfg = write_config(llm_block(server.base_url, timeout=3, first_sentence_timeout=1.5),
                       extra=TWO_IN_THE_LIVING_ROOM)
    async with House.prepare(cfg) as house:
        server.script(Reply(text="That sounds hard."), Reply(text="Hi Ben."))
        with speaking("anna"):
            await house.handle_text("my doctor called about the test results", "living room")
        with speaking("ben"):
            await house.handle_text("hello there how is it going", "living room")
        assert "doctor" not in json.dumps(server.requests[1].body)


async def test_forget_everything_about_me(house: House) -> None:
    plant(house)
    guest = await house.handle_text("forget everything about me", "kitchen")
    assert "Who are you?" in guest.reply
    assert len(runtime_of(house).memory.all()) == 3
    outcome = await house.handle_text("forget everything about me", "living room")
    assert outcome.reply.startswith("Okay, I've forgotten everything")
    assert [m.text for m in runtime_of(house).memory.all()] == [BENS, HOUSEHOLD]


async def test_a_guest_cannot_plant_a_first_person_fact(house: House) -> None:
    outcome = await house.handle_text("remember that I am allergic to nuts", "kitchen")
    assert "Who are you?" in outcome.reply
    assert runtime_of(house).memory.all() == []


def test_memory_export_for_one_person(tmp_path: Path, write_config: WriteConfig) -> None:
    cfg = write_config()
    from samantha.plugins.persona.memory import MemoryStore

    store = MemoryStore(tmp_path / "memory.db")
    store.add(PRIVATE, "anna")
    store.add(BENS, "ben")
    store.add(HOUSEHOLD)
    store.close()
    env = {"PATH": "/usr/bin:/bin", "SAMANTHA_DATA_DIR": str(tmp_path / "data"),
           "HOME": str(tmp_path)}
    result = samantha_cli("memory", "export", "--person", "Anna", "-c", str(cfg), env=env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["person"] == "anna"
    assert [m["text"] for m in data["memories"]] == [PRIVATE]
    assert data["episodes"] == [] and data["threads"] == []
