"""The dither the Vosk engines add to the samples in place of Kaldi's (plugins/speech/dither.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from samantha.plugins.speech.dither import DITHER_RMS, FLOOR_RMS, SeededDither
from samantha.plugins.speech.vosk_engines import model_with_options


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x.astype(float) ** 2)))


def test_speech_gets_the_dither_silence_the_floor_and_every_run_the_same() -> None:
    speech = (np.sin(np.arange(16000) / 5) * 8000).astype("<i2")
    speech[speech == 0] = 1  # no exact zeros inside the speech part
    pcm = np.concatenate([np.zeros(3200, "<i2"), speech, np.zeros(1601, "<i2")]).tobytes()
    pcm += b"\x07"  # a stray odd byte is passed on, not dropped
    dither = SeededDither()
    once = dither(pcm)
    out = np.frombuffer(once[:-1], dtype="<i2").astype(int)
    assert len(once) == len(pcm) and once[-1:] == b"\x07"
    # Rounded to whole sample steps, Kaldi's one step of Gaussian noise: about 1.1 steps rms.
    assert 0.8 * DITHER_RMS < rms(out[3200:19200] - speech) < 1.4 * DITHER_RMS
    assert 0.8 * FLOOR_RMS < rms(out[:3200]) < 1.2 * FLOOR_RMS
    assert dither(pcm) != once  # the noise goes on, it does not repeat within a run
    dither.reset()
    assert dither(pcm) == once  # a new utterance gets the same noise again
    assert SeededDither()(pcm) == once  # and so does a new recognizer


def test_full_scale_speech_is_clipped_not_wrapped() -> None:
    pcm = np.array([32767, -32768] * 500, "<i2").tobytes()
    out = np.frombuffer(SeededDither()(pcm), dtype="<i2").astype(int)
    assert out[::2].min() > 32000 and out[1::2].max() < -32000


def test_kaldis_own_dither_is_off_in_the_model_vosk_loads(tmp_path: Path) -> None:
    model = tmp_path / "model"
    (model / "conf").mkdir(parents=True)
    (model / "am").mkdir()
    (model / "conf" / "mfcc.conf").write_text("--use-energy=false\n--dither=1.0\n")
    (model / "conf" / "model.conf").write_text("--beam=13.0\n")
    overlay = model_with_options(model, {"beam": 10.0})
    assert (overlay / "conf" / "mfcc.conf").read_text() == "--use-energy=false\n--dither=0\n"
    assert (overlay / "conf" / "model.conf").read_text() == "--beam=10.0\n"
    assert (overlay / "am").resolve() == (model / "am").resolve()
    assert (model / "conf" / "mfcc.conf").read_text().endswith("--dither=1.0\n")  # untouched
