"""A command cut short is never finished by the recognizer.

"hey samantha set the kitchen blinds to" and then silence: pocketsphinx must end its search
on a whole sentence of the grammar, and it squeezed a number into the last word's sound
("... to eight": the blinds went to 8%) for three of the test voices. The grammar may now stop
after any word (plugins/speech/sphinx_engines.py, `_STOP`); a sentence that stopped is checked
against the whole grammar, and one that the whole grammar would finish with a value nobody
said is left unfinished: no command, and the room asks for all of it.
Through the real `samantha listen` CLI on every test voice's one-breath recordings.
"""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from speech.audio import EN_CONFIG
from speech.corpus import VOICES, Corpus, Utterance

from harness.cli import samantha_cli

CUT = [("set the kitchen blinds to", voice) for voice in VOICES] + [
    ("set the brightness", "kal"), ("turn off the lights in the", "slt")]
WHOLE = [("set the kitchen blinds to fifty percent", voice) for voice in ("slt", "joe")]


@pytest.fixture(scope="module")
def heard() -> dict[tuple[str, str], list[dict[str, Any]]]:
    recordings = Corpus().get_many(Utterance(text, voice, "breath") for text, voice in CUT + WHOLE)

    def listen(path: str) -> list[dict[str, Any]]:
        out: subprocess.CompletedProcess[str] = samantha_cli(
            "listen", path, "--room", "kitchen", "-c", str(EN_CONFIG), "--json")
        assert out.returncode == 0, out.stderr
        return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]

    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(listen, [str(r.path) for r in recordings]))
    return dict(zip(CUT + WHOLE, done, strict=True))


@pytest.mark.parametrize(("text", "voice"), CUT)
def test_a_command_cut_short_moves_nothing(
        heard: dict[tuple[str, str], list[dict[str, Any]]], text: str, voice: str) -> None:
    events = heard[(text, voice)]
    said = "\n".join(json.dumps(e) for e in events)
    assert any(e["event"] == "wake" for e in events), f"{voice} did not wake:\n{said}"
    commands = [c for e in events if e["event"] == "intent" for c in e["commands"]]
    assert commands == [], f"{voice} {text!r} acted:\n{said}"
    summary = events[-1]
    assert summary["event"] == "summary" and summary["commands"] == 0, said


def test_the_room_asks_for_the_rest_of_a_sentence_that_stopped(
        heard: dict[tuple[str, str], list[dict[str, Any]]]) -> None:
    """Most voices' "set the kitchen blinds to" is heard as just that: the room quotes it and
    asks for all of it (kal's is misheard, "shut the kitchen blind to", and goes no further
    than the persona)."""
    asked = []
    for voice in VOICES:
        events = heard[("set the kitchen blinds to", voice)]
        transcript = next(e for e in events if e["event"] == "transcript")
        if transcript["unfinished"]:
            replies = [e["text"] for e in events if e["event"] == "reply"]
            assert replies and transcript["heard"] in replies[0], events
            asked.append(voice)
    assert len(asked) >= 4, f"only {asked} were asked for the rest"


@pytest.mark.parametrize(("text", "voice"), WHOLE)
def test_a_whole_command_with_a_value_still_acts(
        heard: dict[tuple[str, str], list[dict[str, Any]]], text: str, voice: str) -> None:
    events = heard[(text, voice)]
    commands = [c for e in events if e["event"] == "intent" for c in e["commands"]]
    assert commands == [{"device": "kitchen.kitchen_blinds", "action": "set_position",
                         "params": {"position": 50}}], events
