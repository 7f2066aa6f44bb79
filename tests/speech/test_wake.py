"""Wake words across voices and in one breath: pocketsphinx, openWakeWord and Vosk, real audio.

Each engine hears "<wake phrase> <command>" from several voices, with a 0.6 s pause and in one
breath, and must (1) wake once and (2) hand the audio after the phrase to the recognizer as
`trailing`: decoding trailing + the rest of the recording with a grammar of the commands gives
the command. Ordinary talk (a third of it naming Samantha) must not lead to an action.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from speech.audio import EN_CONFIG, EXAMPLES
from speech.corpus import RATE, VOICES, Corpus, Utterance, read_pcm, write_pcm
from speech.wakecases import COMMANDS, ORDINARY, background, chunks

from harness.cli import samantha_cli
from samantha.events import DeviceCommand
from samantha.hardware.sinks import NullSink
from samantha.house import House
from samantha.plugins.speech.engines import EngineError, WakeDetection, WakeEngine
from samantha.plugins.speech.grammar import sentence_grammar
from samantha.plugins.speech.oww_engines import OwwWake, phrase_models
from samantha.plugins.speech.service import SpeechService
from samantha.plugins.speech.sphinx_engines import SphinxStt
from samantha.plugins.speech.sphinx_wake import SphinxWake

pytestmark = pytest.mark.slow

OWW_CONFIG = EXAMPLES / "voice_en_openwakeword.yaml"
# Two commands per case keep the suite short; every voice and both forms are covered.
CASES = [(voice, form, COMMANDS[i % len(COMMANDS)])
         for i, (voice, form) in enumerate((v, f) for v in ("slt", "awb", "rms", "kal16",
                                                            "joe")
                                           for f in ("pause", "breath"))]


@pytest.fixture(scope="module")
def sphinx_wake() -> SphinxWake:
    return SphinxWake(["hey samantha"], None, None)


@pytest.fixture(scope="module")
def oww_wake() -> OwwWake:
    return OwwWake(phrase_models(["hey jarvis"], {}, None), None)


@pytest.fixture(scope="module")
def commands_stt() -> SphinxStt:
    stt = SphinxStt(None, {})
    stt.set_grammar(sentence_grammar(COMMANDS))
    return stt


def wake_on(engine: WakeEngine, wav: Path) -> tuple[list[tuple[float, WakeDetection]], bytes]:
    """Detections (time, detection) and the audio after the first one, as a room feeds it."""
    samples = read_pcm(wav)
    for _, block in chunks(background(samples)):
        engine.process(block)
    engine.reset()
    found: list[tuple[float, WakeDetection]] = []
    rest = b""
    for end, block in chunks(samples):
        detection = engine.process(block)
        if detection is not None:
            if not found:
                rest = samples[end:].astype("<i2").tobytes()
            found.append((end / RATE, detection))
    return found, rest


def check_one_breath(engine: WakeEngine, stt: SphinxStt, corpus: Corpus, wake: str,
                     voice: str, form: str, command: str) -> None:
    rec = corpus.get(Utterance(command, voice, form, wake))
    found, rest = wake_on(engine, rec.path)
    assert len(found) == 1, f"{voice}/{form}: {len(found)} wakes on {wake!r} + {command!r}"
    t, detection = found[0]
    assert detection.phrase == wake
    speech_end = rec.speech_end_s
    # The wake fires after the phrase, before the command is over (not at the pause after it).
    assert t < speech_end, f"{voice}/{form}: woke at {t:.2f}s, speech ended {speech_end:.2f}s"
    # The audio before the command, phrase included, for the recognizer's normalisation.
    assert len(detection.lead) / 2 / RATE >= 0.5, f"{voice}/{form}: lead {len(detection.lead)}"
    stt.start()
    stt.accept(detection.trailing + rest)
    heard = stt.finish().text
    assert heard == command, f"{voice}/{form}: trailing + rest decoded as {heard!r}"


@pytest.mark.parametrize(("voice", "form", "command"), CASES)
def test_pocketsphinx_wakes_and_hands_over_the_command(
        sphinx_wake: SphinxWake, commands_stt: SphinxStt, corpus: Corpus, voice: str,
        form: str, command: str) -> None:
    check_one_breath(sphinx_wake, commands_stt, corpus, "hey samantha", voice, form, command)


@pytest.mark.parametrize(("voice", "form", "command"), CASES)
def test_openwakeword_wakes_and_hands_over_the_command(
        oww_wake: OwwWake, commands_stt: SphinxStt, corpus: Corpus, voice: str, form: str,
        command: str) -> None:
    check_one_breath(oww_wake, commands_stt, corpus, "hey jarvis", voice, form, command)


# kal's "set the thermostat ..." and "make the lights blue": in the room what was left of
# "samantha" fitted "hey to" and "hey man" better, and the verifier turned the wake down until
# "to" and "man" were no longer among its words ("hey man what's up" is still turned down: by
# "hey mom", "hey sam", ...).
NOISY_WAKES = [(v, "turn on the desk lamp") for v in VOICES] + [
    ("kal", "set the thermostat to twenty two degrees"), ("kal", "make the lights blue")]


@pytest.mark.parametrize("room", [False, True], ids=["dry", "noisy_room"])
def test_pocketsphinx_wakes_in_one_breath_in_a_noisy_reverberant_room(
        sphinx_wake: SphinxWake, corpus: Corpus, room: bool) -> None:
    for voice, command in NOISY_WAKES:
        rec = corpus.get(Utterance(command, voice, "room" if room else "breath"))
        found, _ = wake_on(sphinx_wake, rec.path)
        assert len(found) == 1, f"{voice}: {len(found)} wakes"
        # It wakes while the command is still being said (the dry speech's end, which the
        # room version keeps), and hands over what followed.
        assert found[0][0] < rec.speech_end_s, voice
        assert found[0][1].trailing, voice


def ordinary_talk(corpus: Corpus, voice: str, dst: Path) -> Path:
    """Ordinary sentences naming Samantha or starting with "hey" (the hard ones; the benchmark
    has all 30), in one voice, one after another (each recording ends in 1.2 s of silence)."""
    hard = [s for s in ORDINARY if "samantha" in s.lower() or s.lower().startswith("hey")]
    talk = corpus.get_many(Utterance(s, voice, "breath", None) for s in hard)
    return write_pcm(dst, np.concatenate([np.zeros(RATE, np.int16),
                                          *(read_pcm(r.path) for r in talk)]))


@pytest.mark.parametrize("voice", ["slt", "joe"])
async def test_ordinary_talk_naming_samantha_leads_to_no_action(
        corpus: Corpus, voice: str, tmp_path: Path) -> None:
    wav = ordinary_talk(corpus, voice, tmp_path / f"talk_{voice}.wav")
    house = House.prepare(EN_CONFIG)
    heard: list[str] = []
    commands: list[DeviceCommand] = []
    async with house:
        house.bus.subscribe(DeviceCommand, commands.append)
        service = SpeechService(house, house.section("speech"),
                                report=lambda m: heard.append(m.event))  # type: ignore[attr-defined]
        try:
            await service.listen_file("kitchen", wav, realtime=False, sink=NullSink())
        finally:
            await service.stop()
    assert commands == []
    assert "wake" not in heard, heard


async def test_talk_that_wakes_a_noisy_room_by_mistake_does_nothing(corpus: Corpus) -> None:
    """kal16's "hey Sam can you pass the salt" in the noisy room wakes it (the benchmark's one
    false wake on talk), and what follows is talk, not a command. When a noisy room's speech
    model ended an utterance after one quiet window, it ended inside the talk and "can you
    pass" was read as "the those zero": a brightness was set."""
    wav = corpus.get(Utterance("hey Sam can you pass the salt", "kal16", "room", None)).path
    house = House.prepare(EN_CONFIG)
    commands: list[DeviceCommand] = []
    async with house:
        house.bus.subscribe(DeviceCommand, commands.append)
        service = SpeechService(house, house.section("speech"))
        try:
            await service.listen_file("kitchen", wav, realtime=False, sink=NullSink())
        finally:
            await service.stop()
    assert commands == []


def test_listen_one_breath_with_openwakeword_example(corpus: Corpus) -> None:
    wav = corpus.get(Utterance("turn on the kitchen lights", "slt", "breath", "hey jarvis")).path
    out = samantha_cli("listen", str(wav), "--room", "kitchen", "-c", str(OWW_CONFIG),
                       "--json")
    assert out.returncode == 0, out.stderr
    events = [json.loads(line) for line in out.stdout.splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds[:2] == ["wake", "transcript"], events
    assert events[0]["phrase"] == "hey jarvis"
    assert events[1]["heard"].startswith("turn on"), events[1]


def test_listen_one_breath_with_pocketsphinx_example(corpus: Corpus) -> None:
    wav = corpus.get(Utterance("turn on the kitchen lights", "rms", "breath")).path
    out = samantha_cli("listen", str(wav), "--room", "kitchen", "-c", str(EN_CONFIG), "--json")
    assert out.returncode == 0, out.stderr
    events = [json.loads(line) for line in out.stdout.splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds[:2] == ["wake", "transcript"], events
    assert events[1]["heard"].startswith("turn on"), events[1]


def test_openwakeword_model_settings_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match=r"no bundled model 'hey_samantha'.*hey_jarvis"):
        phrase_models(["hey samantha"], {"hey samantha": "hey_samantha"}, None)
    with pytest.raises(EngineError, match=r"missing\.onnx does not exist"):
        phrase_models(["hey samantha"], {"hey samantha": str(tmp_path / "missing.onnx")}, None)
    with pytest.raises(EngineError, match=r"not in wake\.phrases: hey marvin"):
        phrase_models(["hey jarvis"], {"hey marvin": "hey_marvin"}, None)
    with pytest.raises(EngineError, match="wake phrase 'computer': no model"):
        phrase_models(["computer"], {}, None)
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    with pytest.raises(EngineError, match=r"could not load .*broken\.onnx"):
        OwwWake(phrase_models(["hey samantha"], {}, broken), None)


def test_openwakeword_does_not_fire_twice_on_one_phrase(oww_wake: OwwWake,
                                                        corpus: Corpus) -> None:
    wav = corpus.get(Utterance("turn off the lights", "rms", "pause", "hey jarvis")).path
    samples = read_pcm(wav)
    oww_wake.reset()
    fired = 0
    for _, block in chunks(samples):
        if oww_wake.process(block) is not None:
            fired += 1  # the room resets the engine after the utterance: do the same here
    assert fired == 1
