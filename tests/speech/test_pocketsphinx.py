"""English end to end with pocketsphinx (bundled en-us model) on flite speech."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from speech.audio import EN_CONFIG, Speak, concat, synth

from harness.cli import samantha_cli
from samantha.hardware.sinks import NullSink, WavFileSink
from samantha.hardware.wavio import read_audio
from samantha.house import House
from samantha.plugins.speech.messages import parse_message
from samantha.plugins.speech.service import SpeechService


def listen(wav: Path, *extra: str, config: Path = EN_CONFIG, room: str = "kitchen"
           ) -> list[dict]:
    out = samantha_cli("listen", str(wav), "--room", room, "-c", str(config), "--json", *extra)
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_listen_wakes_hears_and_turns_on_the_kitchen_lights(say_en: Speak, audio_dir: Path
                                                            ) -> None:
    wav = concat([say_en("hey samantha"), say_en("turn on the kitchen lights")],
                 audio_dir / "command.wav")
    events = listen(wav)
    kinds = [e["event"] for e in events]
    assert kinds[:4] == ["wake", "transcript", "intent", "reply"], events
    wake, transcript, intent, reply = events[:4]
    assert wake["phrase"] == "hey samantha"
    assert transcript["heard"] == "turn on the kitchen lights" and transcript["understood"]
    assert intent["name"] == "HassTurnOn"
    assert intent["commands"] == [{"device": "kitchen.kitchen_lights", "action": "turn_on",
                                   "params": {}}]
    assert "Kitchen Lights" in reply["text"]
    assert wake["t"] < transcript["t"] <= intent["t"] <= reply["t"]
    for event in events:
        assert parse_message(event).model_dump()["event"] == event["event"]


def test_no_wake_on_noise_tone_or_other_speech(say_en: Speak, audio_dir: Path) -> None:
    parts = [synth("whitenoise", 1.5, audio_dir / "white.wav"),
             synth("sine", 1.0, audio_dir / "tone.wav", "440"),
             say_en("turn on the kitchen lights"), say_en("hey siri"), say_en("hi samuel"),
             say_en("hey sam"), say_en("what is the weather like today", voice="rms")]
    # Sentences naming Samantha (which must not wake either) are in test_wake.py.
    events = listen(concat(parts, audio_dir / "negatives.wav"))
    assert [e["event"] for e in events] == ["summary"], events
    assert not events[0]["wake_heard"] and events[0]["commands"] == 0
    assert "no wake phrase heard" in events[0]["outcome"]


def test_recording_with_bad_audio_gives_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    out = samantha_cli("listen", str(bad), "--room", "kitchen", "-c", str(EN_CONFIG), "--json")
    assert out.returncode != 0
    said = "".join(out.stderr.split())  # rich wraps long lines
    assert "broken.wav" in said and "notareadableWAV" in said
    out = samantha_cli("listen", str(tmp_path / "missing.wav"), "--room", "kitchen", "-c",
                       str(EN_CONFIG))
    assert out.returncode != 0 and "missing.wav" in out.stderr


async def test_reply_is_spoken_with_espeak_into_a_wav_sink(say_en: Speak, audio_dir: Path,
                                                           tmp_path: Path) -> None:
    wav = concat([say_en("hey samantha"), say_en("turn off the reading lamp")],
                 audio_dir / "reading.wav")
    reply = tmp_path / "reply.wav"
    house = House.prepare(EN_CONFIG)
    activities: list[str] = []
    async with house:
        house.bus.subscribe(__import__("samantha").events.RoomActivityChanged,
                            lambda e: activities.append(e.activity))
        service = SpeechService(house, house.section("speech"))
        try:
            await service.listen_file("living room", wav, realtime=False,
                                      sink=WavFileSink(reply))
        finally:
            await service.stop()
        assert house.home.devices["living_room.reading_lamp"].state.get("on") is False
    samples, rate = read_audio(reply)
    assert rate == 16000 and len(samples) > rate * 0.5  # a second or so of espeak speech
    assert np.abs(samples.astype(np.int32)).max() > 1000
    assert activities[:3] == ["listening", "thinking", "speaking"] and activities[-1] == "idle"


async def test_wake_is_suppressed_while_the_room_speaks(say_en: Speak) -> None:
    house = House.prepare(EN_CONFIG)
    heard: list[str] = []
    async with house:
        service = SpeechService(house, house.section("speech"),
                                report=lambda m: heard.append(m.event))  # type: ignore[attr-defined]
        room = await service.add_room("kitchen", sink=NullSink(realtime=True))
        samples, _ = read_audio(say_en("hey samantha"))
        from samantha.hardware.frames import AudioFrame

        speaking = room.say("I am talking now, hey samantha")
        await __import__("asyncio").sleep(0.3)
        assert room.speaking
        for i in range(0, len(samples), 512):
            await room.process(AudioFrame(samples[i:i + 512], 16000, i / 16000))
        assert "wake" not in heard
        await speaking
        await service.stop()


async def test_a_muted_room_hears_nothing(say_en: Speak, audio_dir: Path) -> None:
    wav = concat([say_en("hey samantha"), say_en("turn on the kitchen lights")],
                 audio_dir / "muted.wav")
    house = House.prepare(EN_CONFIG)
    heard: list[object] = []
    async with house:
        await house.set_muted("kitchen", True)
        service = SpeechService(house, house.section("speech"), report=heard.append)
        try:
            room = await service.listen_file("kitchen", wav, realtime=False, sink=NullSink())
        finally:
            await service.stop()
        assert heard == [] and room.frames_heard == 0
        assert house.home.devices["kitchen.kitchen_lights"].state.get("on") is not True


@pytest.mark.slow
def test_real_capture_through_a_pulseaudio_virtual_mic(say_en: Speak, audio_dir: Path,
                                                       tmp_path: Path) -> None:
    import os
    import subprocess
    import sys
    import time

    from harness.pulse import PulseAudio

    wav = concat([say_en("hey samantha"), say_en("turn on the kitchen lights")],
                 audio_dir / "pulse.wav")
    config = tmp_path / "pulse.yaml"
    text = EN_CONFIG.read_text().split("  rooms:\n")[0]
    config.write_text(text + "  rooms:\n    kitchen:\n      input: {device: vmic}\n"
                      "      output: {sink: none}\n")
    child = Path(__file__).with_name("pulse_child.py")
    with PulseAudio() as pa:
        proc = subprocess.Popen([sys.executable, str(child), str(config)],
                                env={**os.environ, **pa.env}, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            assert proc.stdout is not None
            first = proc.stdout.readline().strip()
            assert first == "ready", proc.stderr.read() if proc.stderr else ""
            time.sleep(0.5)
            samples, _ = read_audio(wav)
            pa.inject("vmic", samples)
            pa.wait_injected("vmic")
            out, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert [e["event"] for e in events][:3] == ["wake", "transcript", "intent"], err
    assert events[2]["name"] == "HassTurnOn"
    assert events[2]["commands"][0]["device"] == "kitchen.kitchen_lights"


def test_a_decoder_never_repeats_an_old_utterance_nor_crashes_between_utterances(
        say_en: Speak) -> None:
    """What the satellite hub's follow-ups rely on: a finished utterance is not heard again
    (pocketsphinx keeps its last hypothesis), audio outside an utterance does not crash the
    decoder (it segfaults), and a grammar changed mid-utterance waits for the next one."""
    from samantha.plugins.speech.grammar import sentence_grammar
    from samantha.plugins.speech.sphinx_engines import SphinxStt

    samples, _rate = read_audio(say_en("turn off the lights"))
    pcm = samples[:, 0].astype("<i2").tobytes()
    chunks = [pcm[i:i + 3200] for i in range(0, len(pcm), 3200)]
    stt = SphinxStt(None, {})
    stt.set_grammar(sentence_grammar(["turn on the lights", "turn off the lights"]))

    stt.start()
    for chunk in chunks[: len(chunks) // 2]:
        stt.accept(chunk)
    # The home changed while the person spoke: the sentence under way keeps its grammar.
    stt.set_grammar(sentence_grammar(["open the blinds", "close the blinds"]))
    for chunk in chunks[len(chunks) // 2:]:
        stt.accept(chunk)
    assert stt.finish().text == "turn off the lights"
    assert stt.finish().text == ""  # no new utterance: not the old one again

    stt.accept(b"\0" * 3200)  # audio without start(): an utterance of its own, no crash
    assert stt.finish().text != "turn off the lights"

    stt.start()
    for chunk in chunks:
        stt.accept(chunk)
    assert stt.finish().text in ("", "open the blinds", "close the blinds")  # the new grammar
