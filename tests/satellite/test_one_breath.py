"""A command said in the same breath as the wake phrase reaches the hub whole: the start of
it, which the satellite's wake engine had already taken in, is streamed first."""

from __future__ import annotations

from pathlib import Path

import pytest
from sat_harness import LIGHT_TOPIC, Hub, Recorder, satellite, satellite_config, say

from harness.mosquitto import Mosquitto


@pytest.mark.parametrize(("voice", "voice_text"), [
    ("slt", "hey samantha turn off the lights"), ("awb", "hey samantha turn on the lights"),
    ("rms", "hey samantha turn off the lights")])
# kal16 is left out: the hub decodes a streamed command without the wake phrase's audio, so
# its normalisation is the previous utterance's, and kal16's command is misheard after some
# (docs/speech.md); a local room, which has it, hears kal16 (tests/speech/test_voices.py).
def test_one_breath_through_a_satellite(hub: Hub, sat_broker: Mosquitto, recorder: Recorder,
                                        tmp_path: Path, voice: str, voice_text: str) -> None:
    wav = say(voice_text, tmp_path / "breath.wav", pad=(0.5, 1.0), voice=voice)
    config = satellite_config(tmp_path, sat_broker.port)
    sat = satellite(config, "kitchen", wav, tmp_path).start()
    try:
        assert sat.wait(60) == 0, sat.stderr()[-2000:]
    finally:
        sat.kill()
    events = sat.events()
    listen = [e for e in events if e["event"] == "listen"]
    assert listen and listen[0]["wake"], events
    heard = recorder.json_on("hermes/asr/textCaptured")
    want = b"OFF" if "off" in voice_text else b"ON"
    assert [m.payload for m in recorder.messages(LIGHT_TOPIC)] == [want], (
        f"{events}\n{heard}\n--- hub ---\n{hub.stderr()[-3000:]}")
    assert [h["text"] for h in heard] == [voice_text.removeprefix("hey samantha ")]
