"""`samantha listen` reports who spoke on every transcript, from enrolled voices (flite)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from harness.cli import samantha_cli
from samantha.plugins.people.speaker import MIN_SCORE

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "voice_en_pocketsphinx.yaml"


def say(tmp: Path, name: str, voice: str, text: str) -> Path:
    raw, out = tmp / f"{name}_raw.wav", tmp / f"{name}.wav"
    subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(raw)], check=True,
                   timeout=60)
    subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(out),
                    "pad", "0.3", "0.6"], check=True, timeout=60)
    return out


def test_transcripts_carry_the_speaker_and_a_guest_is_nobody(tmp_path: Path) -> None:
    cfg = tmp_path / "house.yaml"
    cfg.write_text(EXAMPLE.read_text() + "\npeople: {anna: {}, ben: {}}\n"
                   "persona: {memory: {path: memory.db}}\n")
    env = {**os.environ, "SAMANTHA_DATA_DIR": str(tmp_path / "data")}
    command = tmp_path / "command.wav"
    parts = [say(tmp_path, "wake", "slt", "hey samantha"),
             say(tmp_path, "lights", "slt", "turn on the kitchen lights")]
    subprocess.run(["sox", *map(str, parts), str(command)], check=True, timeout=60)

    def transcript() -> dict:
        out = samantha_cli("listen", str(command), "--room", "kitchen", "-c", str(cfg),
                           "--json", env=env)
        assert out.returncode == 0, out.stderr
        events = [json.loads(line) for line in out.stdout.splitlines()]
        return next(e for e in events if e["event"] == "transcript")

    nobody_enrolled = transcript()
    assert nobody_enrolled["speaker"] is None and nobody_enrolled["speaker_score"] is None
    ben = [say(tmp_path, f"ben{i}", "rms", text) for i, text in enumerate(
        ["Could you play some quiet music while I am cooking dinner?",
         "Remind me to call my sister when I get home this evening."])]
    assert samantha_cli("people", "enroll", "ben", *map(str, ben), "-c", str(cfg),
                        env=env).returncode == 0
    guest = transcript()  # slt's voice, only rms enrolled: a guest
    assert guest["speaker"] is None and guest["speaker_score"] < MIN_SCORE
    anna = [say(tmp_path, f"anna{i}", "slt", text) for i, text in enumerate(
        ["Could you play some quiet music while I am cooking dinner?",
         "Remind me to call my sister when I get home this evening."])]
    assert samantha_cli("people", "enroll", "anna", *map(str, anna), "-c", str(cfg),
                        env=env).returncode == 0
    known = transcript()
    assert known["speaker"] == "anna" and known["speaker_score"] >= MIN_SCORE
    assert known["heard"] == "turn on the kitchen lights"
