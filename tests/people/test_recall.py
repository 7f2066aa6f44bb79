"""Recall by meaning: a question finds the memory it is about without sharing a word with it."""

from __future__ import annotations

import json
import subprocess
import sys
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


# -- the loading thread never outlives the command --------------------------------------------
# A thread still in the model's native code when the interpreter finalizes can abort the process
# (glibc: "FATAL: exception not rethrown"): `samantha say` once died so after printing its reply.
# Each case runs in a fresh interpreter, where the model is not loaded yet.

_THREADS_AT_EXIT = """
import atexit, sys, threading
atexit.register(lambda: print("threads at exit:", sorted(
    t.name for t in threading.enumerate() if t.is_alive() and t is not threading.main_thread())))
from samantha.cli import main
sys.argv = ["samantha", *sys.argv[1:]]
main()
"""


def _run_cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _THREADS_AT_EXIT, *args, "-c", str(config)],
                          capture_output=True, text=True, timeout=120, check=False)


def test_a_one_shot_command_starts_no_loading_thread(config: Path) -> None:
    config.write_text(config.read_text().replace("BASE", "http://127.0.0.1:9/v1"))
    # The persona takes this turn (its model is unreachable: the offline self answers).
    done = _run_cli(config, "say", "how are you feeling today", "--room", "Kitchen")
    assert done.returncode == 0, done.stderr
    assert "threads at exit: []" in done.stdout, done.stdout + done.stderr


def test_a_one_shot_turn_of_the_persona_recalls_by_meaning(config: Path) -> None:
    """`say` loads the model when the persona thinks, and waits for it: the memory about tea
    is found for a question that shares no word with it."""
    with ScriptedOpenAI() as server:
        config.write_text(config.read_text().replace("BASE", server.base_url))
        store = MemoryStore(config.parent / "memory.db")
        store.add("Anna likes jasmine tea", "anna")
        store.add("The bins go out on Tuesday")
        store.close()
        server.script(Reply(text="Jasmine tea, I believe."))
        done = _run_cli(config, "say", "what do I like to drink?", "--room", "Living Room")
        assert done.returncode == 0, done.stderr
        assert "Jasmine tea, I believe." in done.stdout
        assert "threads at exit: []" in done.stdout, done.stdout + done.stderr
        data = json.loads(server.requests[0].messages[1]["content"].split("\n", 1)[1])
        assert [m["text"] for m in data["memories"]] == ["Anna likes jasmine tea"]


_STOP_AT_ONCE = """
import asyncio, sys, threading
from pathlib import Path
from samantha.house import House

async def main() -> None:
    async with House.prepare(Path(sys.argv[1])):
        await asyncio.sleep(0.2)  # the load is under way (it takes a second or more)
        assert any(t.name == "recall-model" for t in threading.enumerate()), "no load started"
    print("alive after stop:", sorted(t.name for t in threading.enumerate() if t.is_alive()))

asyncio.run(main())
"""


def test_a_house_stopped_while_the_model_loads_waits_for_it(config: Path) -> None:
    config.write_text(config.read_text().replace("BASE", "http://127.0.0.1:9/v1"))
    done = subprocess.run([sys.executable, "-c", _STOP_AT_ONCE, str(config)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "alive after stop: ['MainThread']" in done.stdout, done.stdout + done.stderr
