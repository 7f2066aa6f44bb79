"""A command said in the same breath as the wake phrase reaches the hub whole: the start of
it, which the satellite's wake engine had already taken in, is streamed first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sat_harness import LIGHT_TOPIC, Hub, Recorder, satellite, satellite_config, say

from harness.mosquitto import Mosquitto


def replay(text: str, voice: str, pad: tuple[float, float], port: int,
           tmp_path: Path) -> list[dict[str, Any]]:
    """`text` said by `voice` to the kitchen's satellite, which runs to the end of it; its
    events."""
    wav = say(text, tmp_path / "said.wav", pad=pad, voice=voice)
    sat = satellite(satellite_config(tmp_path, port), "kitchen", wav, tmp_path).start()
    try:
        assert sat.wait(60) == 0, sat.stderr()[-2000:]
    finally:
        sat.kill()
    return sat.events()


# The satellite streams the wake phrase's audio first (HotwordDetected.lead_s), so the hub
# decodes each command with this voice's normalisation, whoever spoke before: without it kal16's
# command was misheard after other voices, and awb's once in CI ("and the lights").
@pytest.mark.parametrize(("voice", "voice_text"), [
    ("slt", "hey samantha turn off the lights"), ("awb", "hey samantha turn on the lights"),
    ("kal16", "hey samantha turn off the lights"), ("rms", "hey samantha turn on the lights"),
    ("kal", "hey samantha turn off the lights")])
def test_one_breath_through_a_satellite(hub: Hub, sat_broker: Mosquitto, recorder: Recorder,
                                        tmp_path: Path, voice: str, voice_text: str) -> None:
    events = replay(voice_text, voice, (0.5, 1.0), sat_broker.port, tmp_path)
    listen = [e for e in events if e["event"] == "listen"]
    assert listen and listen[0]["wake"], events
    assert 0.5 < listen[0]["lead_s"] <= 3.0, listen  # the wake phrase went first
    heard = recorder.json_on("hermes/asr/textCaptured")
    want = b"OFF" if "off" in voice_text else b"ON"
    assert [m.payload for m in recorder.messages(LIGHT_TOPIC)] == [want], (
        f"{events}\n{heard}\n--- hub ---\n{hub.stderr()[-3000:]}")
    # kal (8 kHz flite) is at times heard as "... the light": the same command.
    assert [h["text"].removesuffix("s") for h in heard] == [
        voice_text.removeprefix("hey samantha ").removesuffix("s")]


def test_a_command_cut_short_through_a_satellite_moves_nothing_and_asks_for_the_rest(
        hub: Hub, sat_broker: Mosquitto, recorder: Recorder, tmp_path: Path) -> None:
    """The hub's recognizer lets a sentence stop unfinished as a room's does: "set the kitchen
    lights to" and silence is not finished as "... to eight" (tests/speech/test_cut_short.py);
    the hub asks the satellite's room for all of it."""
    replay("hey samantha set the kitchen lights to", "slt", (0.5, 1.5), sat_broker.port,
           tmp_path)
    recorder.wait_for(lambda m: m.topic == "hermes/tts/say", 20, "the hub's reply")
    said = [m["text"] for m in recorder.json_on("hermes/tts/say")]
    assert recorder.messages(LIGHT_TOPIC) == [], said
    assert any("set the kitchen lights to" in s and "then nothing" in s for s in said), (
        f"{said}\n--- hub ---\n{hub.stderr()[-3000:]}")
