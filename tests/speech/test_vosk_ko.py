"""The real Vosk path with the small Korean model (loaded once for this module) on espeak-ng
Korean speech. espeak's Korean is robotic, so these check behaviour, not exact transcripts."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest
from speech.audio import KO_CONFIG, Speak, concat, synth

from harness.cli import samantha_cli
from samantha.hardware.frames import AudioFrame
from samantha.hardware.sinks import NullSink
from samantha.hardware.wavio import read_audio
from samantha.home import Device
from samantha.house import House
from samantha.kinds import Kind
from samantha.plugins.speech.endpoint import Decision
from samantha.plugins.speech.grammar import GrammarKeeper, normalize, sentence_grammar
from samantha.plugins.speech.service import SpeechService, resolved
from samantha.plugins.speech.settings import SpeechSettings
from samantha.plugins.speech.vosk_engines import VoskStt, VoskWake, load_model, vocabulary

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def settings() -> SpeechSettings:
    loaded = House.prepare(KO_CONFIG).section("speech")
    return resolved(loaded, KO_CONFIG.parent)


@pytest.fixture(scope="module")
def model_path(settings: SpeechSettings) -> Path:
    assert settings.stt.model is not None
    load_model(settings.stt.model, {"max-active": 3000, "beam": 10.0, "lattice-beam": 2.0})
    return settings.stt.model


def stream(stt: VoskStt, wav: Path) -> tuple[list[str], str]:
    samples, _ = read_audio(wav)
    pcm = samples.astype("<i2").tobytes()
    stt.start()
    partials: list[str] = []
    for i in range(0, len(pcm), 1024):
        partial = stt.accept(pcm[i:i + 1024])
        if partial and (not partials or partials[-1] != partial):
            partials.append(partial)
    return partials, stt.finish().text


def test_vocabulary_is_read_from_the_model(model_path: Path) -> None:
    words = vocabulary(model_path)
    assert words is not None and len(words) > 100_000
    assert "<UNK>" in words and "[unk]" not in words and "[21]" in words


def test_streaming_partials_and_grammar_restricts_output(model_path: Path, say_ko: Speak
                                                         ) -> None:
    stt = VoskStt(model_path, {"max-active": 3000, "beam": 10.0, "lattice-beam": 2.0})
    allowed = ["오늘 날씨 어때", "음악 틀어 줘", "지금 몇 시야"]
    stt.set_grammar(sentence_grammar(allowed, "brackets"))
    partials, final = stream(stt, say_ko("오늘 날씨 어때"))
    assert len(partials) >= 2  # the transcript grows while the audio streams
    assert final == "오늘 날씨 어때"
    # Unrelated speech comes out as allowed words or nothing, never as free words.
    _, other = stream(stt, say_ko("고양이가 창문 밖을 본다"))
    assert set(other.split()) <= {w for s in allowed for w in s.split()}


async def test_set_grammar_follows_a_new_device(model_path: Path, settings: SpeechSettings,
                                                say_ko: Speak) -> None:
    house = House.prepare(KO_CONFIG)
    async with house:
        stt = VoskStt(model_path, {"max-active": 3000, "beam": 10.0, "lattice-beam": 2.0})
        keeper = GrammarKeeper(house, settings.stt, stt.missing_words)
        keeper.listeners.append(lambda g: stt.set_grammar(g.for_room("living_room")))
        keeper.install(keeper.build())
        assert "음악" not in keeper.grammar.graph.words
        house.home.add_device(Device(id="living_room.audio", name="음악", kind=Kind.SWITCH,
                                     room="living_room", provider="virtual"))
        assert keeper.stale and await keeper.refresh()
        assert "음악" in keeper.grammar.graph.words, "the new device's name is in the grammar"
        assert stt.grammar is not None and any("음악" in p.split() for p in stt.grammar)


def test_wake_grammar_with_fillers_ignores_noise_and_other_speech(
        model_path: Path, settings: SpeechSettings, say_ko: Speak, say_en: Speak,
        audio_dir: Path) -> None:
    w = settings.wake
    wake = VoskWake(model_path, w.phrases, w.fillers, w.garbage, w.threshold, False,
                    {"max-active": 3000, "beam": 10.0, "lattice-beam": 2.0})

    def fires(wav: Path) -> bool:
        samples, _ = read_audio(wav)
        pcm = samples.astype("<i2").tobytes() + bytes(16000)  # trailing silence ends it
        wake.reset()
        return any(wake.process(pcm[i:i + 1024]) for i in range(0, len(pcm), 1024))

    assert fires(say_ko("안녕하세요"))
    negatives = [synth("whitenoise", 1.5, audio_dir / "ko_white.wav"),
                 synth("pinknoise", 1.5, audio_dir / "ko_pink.wav"),
                 synth("sine", 1.0, audio_dir / "ko_tone.wav", "440"),
                 say_ko("오늘 날씨 어때"), say_ko("음악 틀어 줘"), say_ko("지금 몇 시야"),
                 say_en("turn on the kitchen lights")]
    assert [n.name for n in negatives if fires(n)] == []


def test_wake_words_missing_from_the_model_are_reported(
        model_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        wake = VoskWake(model_path, ["안녕하세요"], ["네", "zzqxv"], "<UNK>", None, False,
                        {"max-active": 3000, "beam": 10.0, "lattice-beam": 2.0})
    assert wake.missing == {"zzqxv"}
    assert "zzqxv" in caplog.text


async def test_endpoint_ends_early_when_the_grammar_result_is_stable(
        model_path: Path, settings: SpeechSettings, say_ko: Speak, audio_dir: Path) -> None:
    house = House.prepare(KO_CONFIG)
    async with house:
        service = SpeechService(house, settings)
        # Rebuild the example's settings with our model options (the module's loaded model).
        room = await service.add_room("거실", sink=NullSink())
        sentence = next(
            " ".join(words) for words in room.keeper.grammar.graph.paths(200_000)
            if words[:2] == ["거실", "조명"] and not any("[" in w for w in words)
            and (found := house.recognize(" ".join(words), house.room("거실"))) is not None
            and found.intent.name == "HassTurnOn")
        speech = say_ko(sentence, pad=(0.2, 2.0))
        samples, _ = read_audio(speech)
        ends: list[tuple[Decision, float]] = []
        original = room.endpointer.update

        def spy(*args: object) -> Decision:
            decision = original(*args)  # type: ignore[arg-type]
            if decision is not Decision.CONTINUE:
                ends.append((decision, room.now))
            return decision

        room.endpointer.update = spy  # type: ignore[method-assign]
        await room._start_listening()
        for i in range(0, len(samples), 512):
            await room.process(AudioFrame(samples[i:i + 512], 16000, i / 16000))
        await room.end_of_stream()
        await service.stop()
    assert ends, "the utterance ended"
    decision, at = ends[0]
    # Where the voice really stops: espeak leaves its own quiet tail before our 2 s of padding.
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > 500)
    speech_end = loud[-1] / 16000
    silence_ms = settings.endpoint.silence_ms
    if decision is Decision.EARLY:
        assert at < speech_end + silence_ms / 1000
    else:  # espeak's Korean may not match the grammar exactly: then silence ends it
        assert decision is Decision.END and at >= speech_end + silence_ms / 1000 - 0.1


def test_listen_on_korean_speech_runs_the_vosk_path(say_ko: Speak, audio_dir: Path) -> None:
    wav = concat([say_ko("안녕하세요", pad=(0.3, 0.8)), say_ko("오늘 날씨 어때")],
                 audio_dir / "ko_listen.wav")
    out = samantha_cli("listen", str(wav), "--room", "거실", "-c", str(KO_CONFIG), "--json",
                       "--partials")
    assert out.returncode == 0, out.stderr
    events = [json.loads(line) for line in out.stdout.splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "wake" and events[0]["phrase"] == "안녕하세요"
    assert "partial" in kinds and "transcript" in kinds
    transcript = next(e for e in events if e["event"] == "transcript")
    # Understood or not, the heard words are the grammar's words (or free-form fallback).
    assert transcript["heard"] and normalize(transcript["heard"]) == transcript["heard"]


def test_vosk_wake_hands_over_the_command_said_in_one_breath(
        model_path: Path, settings: SpeechSettings, say_ko: Speak) -> None:
    w = settings.wake
    wake = VoskWake(model_path, w.phrases, w.fillers, w.garbage, w.threshold, False,
                    {"max-active": 3000, "beam": 10.0, "lattice-beam": 2.0})
    together = say_ko("안녕하세요 오늘 날씨 어때", pad=(0.3, 0.8))
    alone = say_ko("안녕하세요", pad=(0.3, 0.8))
    for wav, command in ((together, True), (alone, False)):
        samples, _ = read_audio(wav)
        pcm = samples.astype("<i2").tobytes()  # espeak's digital silence around the words
        wake.reset()
        found = [(i, d) for i in range(0, len(pcm), 1024)
                 if (d := wake.process(pcm[i:i + 1024])) is not None]
        assert len(found) == 1, wav.name
        at, detection = found[0]
        trailing = np.frombuffer(detection.trailing, dtype="<i2").astype(np.float64)
        seconds = len(trailing) / 16000
        # The trailing audio starts where Vosk says the phrase ended and runs to the detection.
        assert seconds <= (at + 1024) / 2 / 16000
        loud = np.sqrt(np.mean(trailing ** 2)) if len(trailing) else 0.0
        if command:
            assert seconds > 0.4 and loud > 300, (seconds, loud)  # "오늘 날씨 어때"
        else:
            assert loud < 300, (seconds, loud)  # only the pause after the phrase


def test_vosk_hears_a_file_the_same_every_time(
        model_path: Path, settings: SpeechSettings, say_ko: Speak) -> None:
    """Kaldi dithers every feature frame with new noise on each run: on espeak's exact zeros that
    alone decided whether a new spotter heard the phrase (21 of 30 did), and on the words it
    moved where the phrase ended by 10-20 ms. With the engines' seeded dither and silence floor
    each new spotter hears it and hands over the very same command."""
    w = settings.wake
    pcm = read_audio(say_ko("안녕하세요 오늘 날씨 어때", pad=(0.3, 0.8)))[0].astype("<i2").tobytes()
    assert pcm.count(b"\0\0") > len(pcm) // 8  # a quarter or more of it is digital silence
    handed_over = []
    for _ in range(10):  # a new spotter each time, as each `samantha listen` has
        wake = VoskWake(model_path, w.phrases, w.fillers, w.garbage, w.threshold, False,
                        {"max-active": 3000, "beam": 10.0, "lattice-beam": 2.0})
        found = [d for i in range(0, len(pcm), 1024)
                 if (d := wake.process(pcm[i:i + 1024])) is not None]
        assert len(found) == 1
        handed_over.append(len(found[0].trailing))
    assert len(set(handed_over)) == 1, handed_over
