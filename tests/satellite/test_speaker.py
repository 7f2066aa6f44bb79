"""Who spoke, on satellites: the hub identifies the speaker from the audio a satellite streams
(real Mosquitto, hub and satellite processes, flite voices enrolled by file) and puts it on the
transcript it publishes (`hermes/asr/textCaptured`: speaker and speakerScore)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sat_harness import LIGHT_TOPIC, SAMANTHA, Hub, Recorder, hub_config, satellite, say
from sat_harness import satellite_config as sat_config

from harness.mosquitto import Mosquitto
from samantha.plugins.people.speaker import MIN_SCORE

ENROLL = ["The quick brown fox jumps over the lazy dog near the river bank.",
          "What is the weather going to be like tomorrow morning in town?",
          "Remind me to call my sister when I get home this evening."]


def flite(voice: str, text: str, out: Path) -> Path:
    raw = out.with_suffix(".raw.wav")
    subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(raw)], check=True,
                   timeout=60)
    subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(out), "pad",
                    "0.2", "0.8"], check=True, timeout=60)
    return out


@pytest.fixture(scope="module")
def speaker_hub(sat_broker: Mosquitto, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[tuple[Hub, Path]]:
    work = tmp_path_factory.mktemp("speaker-hub")
    config = hub_config(work, sat_broker.port, extra=(
        "people: {anna: {}, ben: {}}\n"
        f"persona: {{memory: {{path: {work / 'memory.db'}, by_meaning: false}}}}\n"))
    env = {"SAMANTHA_DATA_DIR": str(work / "data")}
    for name, voice in (("anna", "slt"), ("ben", "rms")):
        files = [str(flite(voice, text, work / f"{name}{i}.wav")) for i, text in enumerate(ENROLL)]
        done = subprocess.run([SAMANTHA, "people", "enroll", name, *files, "-c", str(config)],
                              capture_output=True, text=True, timeout=120,
                              env={**os.environ, **env})
        assert done.returncode == 0, done.stderr
    running = Hub(config, work).start()
    try:
        running.wait_ready()
        yield running, work
    finally:
        running.stop()


# Ben (rms) is enrolled too: Anna is told from another enrolled voice, not just from nobody.
@pytest.mark.parametrize(("voice", "person"), [("slt", "anna"), ("awb", None)])
def test_the_hub_names_the_speaker_of_a_satellites_utterance(
        speaker_hub: tuple[Hub, Path], sat_broker: Mosquitto, recorder: Recorder,
        tmp_path: Path, voice: str, person: str | None) -> None:
    hub, _work = speaker_hub
    wake = say("hey samantha", tmp_path / "wake.wav")
    command = flite(voice, "turn on the lights", tmp_path / "command.wav")
    recording = tmp_path / "utterance.wav"
    subprocess.run(["sox", str(wake), str(command), str(recording)], check=True, timeout=60)
    sat = satellite(sat_config(tmp_path, sat_broker.port), "kitchen", recording,
                    tmp_path).start()
    try:
        assert sat.wait(60) == 0, sat.stderr()[-2000:]
    finally:
        sat.kill()
    captured = recorder.wait_for(lambda m: m.topic == "hermes/asr/textCaptured", 10,
                                 "a transcript").json()
    assert captured["text"] == "turn on the lights"
    assert captured.get("speaker") == person
    if person is None:  # a voice nobody enrolled: a guest, with how close the nearest was
        assert captured["speakerScore"] < MIN_SCORE
    else:
        assert captured["speakerScore"] >= MIN_SCORE
    assert recorder.messages(LIGHT_TOPIC), "the command was still carried out"
    assert hub.alive()
