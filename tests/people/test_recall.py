"""Recall by meaning: a question finds the memory it is about without sharing a word with it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.openai_server import Reply, ScriptedOpenAI
from samantha.house import House
from samantha.plugins.people.recall import embedder
from samantha.plugins.persona.memory import MemoryStore, words
from samantha.plugins.persona.runtime import runtime_of

from .paraphrases import DISTRACTORS, PAIRS

TARGET_RECALL_AT_3 = 0.9


def test_the_paraphrase_set_shares_no_content_word() -> None:
    assert len(PAIRS) >= 50 and len(DISTRACTORS) >= 20
    for question, memory in PAIRS:
        assert not words(question) & words(memory), (question, memory)


def test_recall_at_3_on_the_paraphrase_set(tmp_path: Path) -> None:
    model = embedder()
    assert model is not None, "the packaged MiniLM model must be installed (see Makefile)"
    store = MemoryStore(tmp_path / "m.db", model)
    ids = {}
    for _, memory in PAIRS:
        ids[memory] = store.add(memory).id  # household memories: everyone may be asked
    for memory in DISTRACTORS:
        store.add(memory)
    hits = 0
    for question, memory in PAIRS:
        found = [m.id for m in store.relevant(question, None, 3)]
        hits += ids[memory] in found
    recall = hits / len(PAIRS)
    print(f"recall@3 = {recall:.3f} on {len(PAIRS)} pairs, {len(DISTRACTORS)} distractors")
    assert recall >= TARGET_RECALL_AT_3
    store.close()


def test_vectors_are_kept_in_the_file_and_filled_in_for_old_memories(tmp_path: Path) -> None:
    old = MemoryStore(tmp_path / "m.db")  # written without a model
    old.add("Anna likes jasmine tea", "anna")
    old.close()
    store = MemoryStore(tmp_path / "m.db", embedder())
    assert [m.text for m in store.relevant("what do I like to drink?", "anna", 3)] == [
        "Anna likes jasmine tea"]
    assert store.db.execute("SELECT COUNT(*) FROM memory_vectors").fetchone()[0] == 1
    assert store.relevant("what do I like to drink?", None, 3) == []  # still Anna's only
    store.forget_person("anna")
    assert store.db.execute("SELECT COUNT(*) FROM memory_vectors").fetchone()[0] == 0
    store.close()


def test_unrelated_memories_stay_out(tmp_path: Path) -> None:
    store = MemoryStore(tmp_path / "m.db", embedder())
    store.add("Anna likes the living room at 21 degrees", "anna")
    store.add("The bins go out on Tuesday")
    store.add("The car needs new tyres")
    found = [m.text for m in store.relevant("it's cold in the living room", "anna", 5)]
    assert found == ["Anna likes the living room at 21 degrees"]
    store.close()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    cfg = tmp_path / "samantha.yaml"
    cfg.write_text("name: T\nrooms: [{name: Living Room}, {name: Kitchen}]\n"
                   "people: {anna: {rooms: [Living Room]}}\n"
                   "persona:\n  memory: {path: memory.db}\n  llm: {base_url: BASE, "
                   "model: scripted, timeout: 3}\n")
    return cfg


async def test_what_do_i_like_to_drink_finds_the_tea(config: Path) -> None:
    with ScriptedOpenAI() as server:
        config.write_text(config.read_text().replace("BASE", server.base_url))
        async with House.prepare(config) as house:
            rt = runtime_of(house)
            if rt.recall_loading is not None:  # the first house in this process loads it
                await rt.recall_loading
            assert rt.memory.embedder is not None
            rt.memory.add("Anna likes jasmine tea", "anna")
            rt.memory.add("The bins go out on Tuesday")
            server.script(Reply(text="Jasmine tea, I believe."))
            await house.handle_text("what do I like to drink?", "living room")
            data = json.loads(server.requests[0].messages[1]["content"].split("\n", 1)[1])
            assert [m["text"] for m in data["memories"]] == ["Anna likes jasmine tea"]
