"""Learning a voice by voice through the real speech room pipeline (`samantha listen` over a
recording, pocketsphinx wake word and recognizer): "this is Anna", three sentences, a profile.
(That the profile then names her is shown with the same audio path in test_enroll_by_voice.)"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from harness.cli import samantha_cli

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "voice_en_pocketsphinx.yaml"
# Two more than needed: a loaded machine may miss a wake word in a paced replay (as a busy
# room may); sentences after the voice is learnt are ordinary sentences again.
SAMPLES = ["I walked the dog along the river this morning.",
           "We are planning a garden party next month.",
           "My favourite book is about a lonely sailor.",
           "Could you play some quiet music for me?",
           "The train was late again this evening."]


def say(tmp: Path, name: str, text: str, pad: str = "1.2") -> Path:
    raw, out = tmp / f"{name}_raw.wav", tmp / f"{name}.wav"
    subprocess.run(["flite", "-voice", "slt", "-t", text, "-o", str(raw)], check=True,
                   timeout=60)
    subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(out),
                    "pad", "0.3", pad], check=True, timeout=60)
    return out


def joined(tmp: Path, name: str, parts: list[Path]) -> Path:
    out = tmp / f"{name}.wav"
    subprocess.run(["sox", *map(str, parts), str(out)], check=True, timeout=60)
    return out


def events(out: subprocess.CompletedProcess[str]) -> list[dict]:
    assert out.returncode == 0, out.stderr[-2000:]
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_this_is_anna_and_three_sentences_teach_the_house_her_voice(tmp_path: Path) -> None:
    cfg = tmp_path / "house.yaml"
    cfg.write_text(EXAMPLE.read_text() + "\npeople: {anna: {}, ben: {}}\n"
                   "persona: {memory: {path: memory.db, by_meaning: false}}\n")
    env = {**os.environ, "SAMANTHA_DATA_DIR": str(tmp_path / "data")}
    wake = say(tmp_path, "wake", "hey samantha", pad="0.2")
    teaching = joined(tmp_path, "teaching", [
        wake, say(tmp_path, "intro", "this is anna", pad="2.0"),
        *[part for i, text in enumerate(SAMPLES)
          for part in (wake, say(tmp_path, f"sample{i}", text, pad="3.0"))]])
    # Paced as a live microphone: the room is busy while it answers, as a real one (the pauses
    # are someone waiting for the answer before the next sentence).
    taught = events(samantha_cli("listen", str(teaching), "--room", "kitchen", "-c", str(cfg),
                                 "--json", "--realtime", env=env, timeout=180))
    transcripts = [e for e in taught if e["event"] == "transcript"]
    replies = [e["text"] for e in taught if e["event"] == "reply"]
    assert transcripts[0]["text"] == "this is anna", transcripts
    assert "learn your voice" in replies[0], replies
    assert "Thank you, Anna: I know your voice now." in replies, replies
    intents = [e["name"] for e in taught if e["event"] == "intent"]
    assert intents[:4] == ["SamanthaLearnVoice", *["SamanthaVoiceSample"] * 3], intents
    # Samples end at silence (the whole sentence), not when their words snap to a command.
    assert all(t["end"] != "early" for t in transcripts[1:4]), transcripts
    listed = samantha_cli("people", "list", "--json", "-c", str(cfg), env=env)
    assert json.loads(listed.stdout)["people"]["anna"]["voice_enrolled"]["samples"] == 3
