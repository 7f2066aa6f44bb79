"""Fixtures for hardware tests: sox-made array recordings and a private PulseAudio."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from scipy.io import wavfile

from harness.pulse import PulseAudio

DELAYS = [0, 8, 16, 24]


def _run(*cmd: str) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {result.stderr}")


def _need(tool: str) -> None:
    if shutil.which(tool) is None:
        raise RuntimeError(f"{tool} is not installed (scripts/system-deps.sh installs it)")


@dataclass(frozen=True)
class ArrayRecordings:
    """4-ch 16 kHz recordings of a flite utterance with delays [0, 8, 16, 24] samples."""

    target: Path  # mono clean utterance, 16 kHz
    clean4: Path  # delayed, attenuated target only
    noise4: Path  # independent white noise per channel
    array4: Path  # clean4 + noise4
    dead4: Path  # array4 with channel 3 attenuated by 26 dB (a failing mic)


@pytest.fixture(scope="session")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> ArrayRecordings:
    _need("sox")
    _need("flite")
    d = tmp_path_factory.mktemp("array")
    raw = d / "flite.wav"
    _run("flite", "-t", "turn on the kitchen lights", "-o", str(raw))
    target = d / "target.wav"
    _run("sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", "-t", "wavpcm", str(target),
         "pad", "0.4", "0.4")  # fmt: skip
    clean4 = d / "clean4.wav"
    delays_s = [f"{s / 16000:.6f}" for s in DELAYS]
    # sox -t wavpcm: without it >2 channels become WAVE_FORMAT_EXTENSIBLE.
    _run("sox", str(target), "-t", "wavpcm", str(clean4), "remix", "1v1.0", "1v0.891",
         "1v0.794", "1v0.708", "delay", *delays_s)  # fmt: skip
    n = wavfile.read(clean4)[1].shape[0]
    noise4 = d / "noise4.wav"
    # One whitenoise per channel: a single one with -c 4 is the same noise everywhere.
    # Rate and channels before -n: they set the null input, so "Ns" counts 16 kHz samples.
    _run("sox", "-R", "-r", "16000", "-c", "4", "-n", "-b", "16", "-t", "wavpcm", str(noise4),
         "synth", f"{n}s", "whitenoise", "whitenoise", "whitenoise", "whitenoise",
         "vol", "0.03")  # fmt: skip
    array4 = d / "array4.wav"
    _run("sox", "-m", "-v", "1", str(clean4), "-v", "1", str(noise4), "-t", "wavpcm", str(array4))
    dead4 = d / "dead4.wav"
    _run("sox", str(array4), "-t", "wavpcm", str(dead4), "remix", "1", "2", "3", "4v0.05")
    return ArrayRecordings(target, clean4, noise4, array4, dead4)


def read_float(path: Path) -> np.ndarray:
    rate, data = wavfile.read(path)
    assert rate == 16000
    data = data if data.ndim == 2 else data[:, None]
    return data.astype(np.float32) / 32768.0


@pytest.fixture(scope="module")
def pulse() -> Iterator[PulseAudio]:
    """A private PulseAudio for the module; stopped by PID even when tests fail."""
    _need("pulseaudio")
    _need("parec")
    server = PulseAudio()
    server.start()
    try:
        yield server
    finally:
        server.stop()
