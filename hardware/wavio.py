"""Reading and writing PCM files with clear errors (WAV of any common layout, raw s16le)."""

from __future__ import annotations

import struct
import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.io import wavfile

from samantha.hardware.errors import AudioFileError


def read_audio(
    path: str | Path, *, raw_rate: int | None = None, raw_channels: int | None = None
) -> tuple[npt.NDArray[np.int16] | npt.NDArray[np.float32], int]:
    """Return ``(samples (n, channels), sample_rate)`` from a WAV or raw s16le file.

    scipy reads WAVE_FORMAT_EXTENSIBLE (what sox writes for >2 channels), which the
    stdlib ``wave`` module rejects. int32/uint8 are converted to int16, float64 to
    float32, so downstream code only ever sees int16 or float32.
    """
    p = Path(path)
    if not p.is_file():
        raise AudioFileError(str(p), "file does not exist")
    if p.suffix.lower() in {".raw", ".pcm", ".s16"}:
        if not raw_rate or not raw_channels:
            raise AudioFileError(str(p), "raw PCM needs a sample rate and channel count")
        data = np.fromfile(p, dtype="<i2")
        if data.size % raw_channels:
            raise AudioFileError(
                str(p), f"{data.size} samples is not a multiple of {raw_channels} channels"
            )
        return data.reshape(-1, raw_channels).astype(np.int16), raw_rate
    try:
        rate, data = wavfile.read(p)
    except (ValueError, OSError, EOFError, UnboundLocalError, struct.error) as exc:
        # scipy raises UnboundLocalError or struct.error on a header cut short.
        raise AudioFileError(str(p), f"not a readable WAV file: {exc}") from None
    if data.ndim == 1:
        data = data[:, None]
    if data.dtype == np.int16:
        samples: np.ndarray = data
    elif data.dtype == np.int32:
        samples = (data >> 16).astype(np.int16)
    elif data.dtype == np.uint8:
        samples = ((data.astype(np.int16) - 128) << 8).astype(np.int16)
    elif data.dtype in (np.float32, np.float64):
        samples = data.astype(np.float32)
    else:
        raise AudioFileError(str(p), f"unsupported sample format {data.dtype}")
    if samples.shape[0] == 0:
        raise AudioFileError(str(p), "file contains no audio frames")
    return samples, int(rate)


def write_wav(path: str | Path, samples: np.ndarray, sample_rate: int) -> Path:
    """Write 16-bit PCM WAV (plain WAVE_FORMAT_PCM, readable by ``wave`` and sox)."""
    p = Path(path)
    data = samples if samples.ndim == 2 else samples[:, None]
    if data.dtype != np.int16:
        data = np.clip(np.rint(data * 32768.0), -32768, 32767).astype(np.int16)
    with wave.open(str(p), "wb") as w:
        w.setnchannels(data.shape[1])
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(data.astype("<i2").tobytes())
    return p
