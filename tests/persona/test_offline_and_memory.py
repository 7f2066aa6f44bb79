"""No model: the offline self answers in character; memory works by voice and on the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from harness.cli import samantha_cli
from samantha.house import House
from samantha.plugins.persona.memory import MemoryStore

from .conftest import WriteConfig

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "persona_house.yaml"


def env_for(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env["SAMANTHA_DATA_DIR"] = str(tmp_path / "data")
    return env


async def test_default_persona_offline_on_the_demo_house() -> None:
    async with House.prepare(None) as house:
        unknown = await house.handle_text("what is the meaning of life", "kitchen")
        hello = await house.handle_text("hello", "kitchen")
        lights = await house.handle_text("turn on the lights", "kitchen")
    assert unknown.source == "offline" and unknown.persona == "Samantha"
    assert "didn't understand" in unknown.reply and "think deeply" in unknown.reply
    assert hello.persona == "Samantha" and hello.reply.startswith(("Hello", "Hi"))
    assert lights.source == "intent" and lights.persona == "Samantha" and lights.commands


def test_say_json_has_persona_and_source(tmp_path: Path) -> None:
    out = samantha_cli("say", "-", "--room", "office", "-c", str(EXAMPLE), "--json",
                       stdin="turn on the desk lamp\nwhat is love\n", env=env_for(tmp_path))
    assert out.returncode == 0, out.stderr
    first, second = (json.loads(line) for line in out.stdout.splitlines())
    assert (first["persona"], first["source"]) == ("Ada", "intent")
    assert first["reply"] == "Done. The Desk Lamp is on."
    assert (second["persona"], second["source"]) == ("Ada", "offline")
    assert "reasoning engine is unavailable" in second["reply"]


def test_two_personas_word_the_same_outcome_differently(tmp_path: Path) -> None:
    replies = {}
    for room in ("kitchen", "office"):
        out = samantha_cli("say", "turn off the lights", "--room", room, "-c", str(EXAMPLE),
                           "--json", env=env_for(tmp_path))
        data = json.loads(out.stdout)
        replies[data["persona"]] = data["reply"]
    assert set(replies) == {"Samantha", "Ada"}
    assert replies["Ada"].startswith("Done.") and not replies["Samantha"].startswith("Done.")


async def test_remember_recall_and_forget_by_voice(write_config: WriteConfig,
                                                   tmp_path: Path) -> None:
    async with House.prepare(write_config()) as house:
        said = await house.handle_text("remember that I like the living room at 21 degrees",
                                       "living room")
        assert said.intent == "SamanthaRemember"
        assert "Anna likes the living room at 21 degrees" in said.reply
        await house.handle_text("remember that the bins go out on tuesday", "kitchen")
        known = await house.handle_text("what do you know about me", "living room")
        assert "Anna likes the living room" in known.reply and "bins" in known.reply
        gone = await house.handle_text("forget that the bins go out on tuesday", "living room")
        assert "forgotten" in gone.reply
        await house.handle_text("remember that my keys are in the blue bowl", "living room")
        assert "forgotten" in (await house.handle_text("forget that", "living room")).reply
    store = MemoryStore(tmp_path / "memory.db")
    assert [(m.person, m.text) for m in store.all()] == [
        ("anna", "Anna likes the living room at 21 degrees")]
    store.close()


def test_memory_cli_list_forget_export(tmp_path: Path, write_config: WriteConfig) -> None:
    cfg = write_config()
    store = MemoryStore(tmp_path / "memory.db")
    kept = store.add("Anna likes jazz", "anna")
    dropped = store.add("The cat is called Miso")
    store.close()
    env = env_for(tmp_path)
    listed = samantha_cli("memory", "list", "-c", str(cfg), "--json", env=env)
    assert [m["text"] for m in json.loads(listed.stdout)] == ["Anna likes jazz",
                                                              "The cat is called Miso"]
    forgot = samantha_cli("memory", "forget", str(dropped.id), "-c", str(cfg), env=env)
    assert forgot.returncode == 0 and "forgot 1 memory" in forgot.stdout
    missing = samantha_cli("memory", "forget", "999", "-c", str(cfg), env=env)
    assert missing.returncode == 1 and "no memory with id 999" in missing.stderr
    exported = samantha_cli("memory", "export", "-c", str(cfg), env=env)
    data = json.loads(exported.stdout)
    assert [(m["id"], m["person"], m["text"]) for m in data["memories"]] == [
        (kept.id, "anna", "Anna likes jazz")]


def test_relevant_memories_only(tmp_path: Path) -> None:
    store = MemoryStore(tmp_path / "m.db")
    store.add("Anna likes the living room at 21 degrees", "anna")
    store.add("Ben takes his coffee black", "ben")
    store.add("The bins go out on Tuesday")
    found = store.relevant("it's cold in the living room", "anna", 5)
    assert [m.text for m in found] == ["Anna likes the living room at 21 degrees"]
    assert store.relevant("when do the bins go out", "anna", 5)[0].text.startswith("The bins")
    assert store.relevant("what about coffee", "anna", 5) == []  # Ben's, not Anna's
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


WRITER = """
import sys
from pathlib import Path
from samantha.plugins.persona.memory import MemoryStore
store = MemoryStore(Path(sys.argv[1]))
i = 0
while True:
    m = store.add(f"fact number {i}")
    print(m.id, flush=True)
    i += 1
"""


def test_killed_during_writes_loses_no_committed_memory(tmp_path: Path) -> None:
    path = tmp_path / "kill.db"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    committed: list[int] = []
    deadline = time.monotonic() + 20
    while len(committed) < 50 and time.monotonic() < deadline:
        committed.append(int(proc.stdout.readline()))
    os.kill(proc.pid, signal.SIGKILL)  # in the middle of the next write
    proc.wait()
    proc.stdout.close()
    store = MemoryStore(path)
    ids = {m.id for m in store.all()}
    store.close()
    assert len(committed) == 50 and set(committed) <= ids
