"""The floor the Vosk engines put under digital silence (plugins/speech/silence_floor.py)."""

from __future__ import annotations

import numpy as np

from samantha.plugins.speech.silence_floor import FLOOR_RMS, SilenceFloor


def test_only_exact_zeros_get_the_floor_and_every_run_the_same_one() -> None:
    speech = (np.sin(np.arange(1600) / 5) * 8000).astype("<i2")
    pcm = np.concatenate([np.zeros(3200, "<i2"), speech, np.zeros(1601, "<i2")]).tobytes()
    pcm += b"\x07"  # a stray odd byte is passed on, not dropped
    floor = SilenceFloor()
    once = floor(pcm)
    out = np.frombuffer(once[:-1], dtype="<i2")
    original = np.frombuffer(pcm[:-1], dtype="<i2")
    assert len(once) == len(pcm) and once[-1:] == b"\x07"
    kept = original != 0
    assert np.array_equal(out[kept], original[kept])  # speech untouched
    silence = out[:3200].astype(float)
    assert 0.7 * FLOOR_RMS < np.sqrt(np.mean(silence ** 2)) < 1.3 * FLOOR_RMS
    assert floor(pcm) != once  # the floor goes on, it does not repeat within a run
    floor.reset()
    assert floor(pcm) == once  # a new utterance gets the same floor again
    assert SilenceFloor()(pcm) == once


def test_audio_without_zeros_is_passed_through_as_is() -> None:
    pcm = (np.arange(1, 513) % 200 + 1).astype("<i2").tobytes()
    assert SilenceFloor()(pcm) is pcm
