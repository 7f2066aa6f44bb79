"""The endpointer's speech model (Silero VAD from openwakeword's bundle) on real speech, noise and
tones, fed in the frame sizes rooms, replays and the hub use."""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
import pytest
from speech.corpus import VOICES, Corpus, Utterance, read_pcm

from samantha.plugins.speech import silero_vad
from samantha.plugins.speech.endpoint import speech_model
from samantha.plugins.speech.settings import EndpointSettings
from samantha.plugins.speech.silero_vad import WINDOW, SileroVad, SpeechModelError

RATE = 16000


def pcm(samples: np.ndarray) -> bytes:
    return np.clip(np.round(samples), -32768, 32767).astype("<i2").tobytes()


def probabilities(audio: bytes, piece: int) -> list[float]:
    model = SileroVad()
    found: list[float] = []
    for start in range(0, len(audio), piece * 2):
        found += model.hear(audio[start:start + piece * 2])
    return found


def test_it_hears_every_voice_and_not_a_fan_or_a_tone(corpus: Corpus) -> None:
    recordings = corpus.get_many(Utterance("turn off the lights", v, "breath") for v in VOICES)
    for rec in recordings:
        heard = probabilities(read_pcm(rec.path).tobytes(), WINDOW)
        assert max(heard) > 0.9, rec.describe()
    brown = np.cumsum(np.random.default_rng(3).standard_normal(RATE * 2))
    brown -= np.convolve(brown, np.ones(200) / 200, mode="same")
    fan = brown / np.sqrt(np.mean(brown ** 2)) * 32768 * 10 ** (-35 / 20)
    tone = 32768 * 0.1 * np.sin(2 * np.pi * 300 * np.arange(RATE * 2) / RATE)
    for name, audio in (("fan", fan), ("tone", tone)):
        assert max(probabilities(pcm(audio), WINDOW)) < 0.5, name


def test_frames_of_any_size_make_the_same_windows(corpus: Corpus) -> None:
    """A room's replay, the hub's pieces and odd-sized frames: the model still hears whole
    512-sample windows in order, so its judgement does not depend on how audio arrives."""
    audio = read_pcm(corpus.get(Utterance("turn off the lights", "kal", "room")).path).tobytes()
    whole = probabilities(audio, WINDOW)
    assert len(whole) == len(audio) // 2 // WINDOW
    for piece in (160, 300, 1000, 1280):
        assert np.allclose(probabilities(audio, piece), whole, atol=1e-5), piece


def test_a_new_utterance_forgets_what_came_before(corpus: Corpus) -> None:
    audio = read_pcm(corpus.get(Utterance("turn off the lights", "slt", "room")).path).tobytes()
    model = SileroVad()
    first = model.hear(audio)
    model.hear(b"\x01\x00" * 700)  # an odd leftover that must not shift the next windows
    model.restart()
    assert np.allclose(model.hear(audio), first, atol=1e-5)


def test_the_settings_choose_the_detector() -> None:
    assert speech_model(EndpointSettings(speech_model="energy")) is None
    assert isinstance(speech_model(EndpointSettings(speech_model="silero")), SileroVad)
    assert isinstance(speech_model(EndpointSettings()), SileroVad)  # auto: installed here


def test_without_the_wake_extra_auto_uses_energy_and_silero_says_why(
        monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "openwakeword" else real(name, *args)

    monkeypatch.setattr(silero_vad.importlib.util, "find_spec", find_spec)
    assert not silero_vad.available()
    assert speech_model(EndpointSettings()) is None
    with pytest.raises(SpeechModelError, match="wake extra"):
        speech_model(EndpointSettings(speech_model="silero"))
