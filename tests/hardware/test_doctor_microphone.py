"""`samantha doctor` captures a second from each room's microphone and reports its level."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from harness.pulse import RATE, PulseAudio

CONFIG = """\
rooms: [{name: Kitchen}, {name: Office}]
speech:
  rooms:
    kitchen: {input: {device: vmic}}
    office: {input: {device: no-such-mic}}
"""


def doctor(pulse: PulseAudio, cfg: Path, tone: bool) -> dict[str, dict[str, str]]:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}, **pulse.env}
    exe = Path(sys.executable).parent / "samantha"
    child = subprocess.Popen([str(exe), "doctor", "--json", "-c", str(cfg)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if tone:
        # Longer than the doctor needs to get to its capture: the second it records is loud.
        t = np.arange(int(RATE * 20)) / RATE
        pulse.inject("vmic", (0.25 * 32767 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
                     .reshape(-1, 1))
    try:
        out, err = child.communicate(timeout=90)
    finally:
        if child.poll() is None:
            child.kill()
    assert out, err
    return {f["name"]: f for f in json.loads(out)}


def test_microphone_levels_and_a_missing_mic(pulse: PulseAudio, tmp_path: Path) -> None:
    cfg = tmp_path / "samantha.yaml"
    cfg.write_text(CONFIG)
    quiet = doctor(pulse, cfg, tone=False)
    kitchen = quiet["microphone (kitchen)"]
    assert kitchen["status"] == "warn", kitchen  # the feeder writes digital silence
    assert "silence" in kitchen["detail"] and "gain" in kitchen["fix"]
    office = quiet["microphone (office)"]
    assert office["status"] == "fail" and "'no-such-mic'" in office["detail"]
    assert "samantha audio devices" in office["fix"]

    loud = doctor(pulse, cfg, tone=True)["microphone (kitchen)"]
    assert loud["status"] == "ok", loud
    level = float(loud["detail"].split("level ")[1].split(" dBFS")[0])
    assert -20 < level < -5, loud  # a 0.25 sine is -15 dBFS
