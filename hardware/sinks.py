"""The audio sink interface, a null sink and a WAV-file sink."""

from __future__ import annotations

import asyncio
import wave
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from samantha.hardware.errors import AudioFileError, ChannelCountError
from samantha.hardware.frames import to_int16
from samantha.hardware.resample import resample


@runtime_checkable
class AudioSink(Protocol):
    """Plays PCM. ``play`` returns once the audio has been played (or written)."""

    name: str
    sample_rate: int
    channels: int

    async def play(self, samples: np.ndarray, sample_rate: int) -> None: ...

    async def close(self) -> None: ...


def prepare_output(
    samples: np.ndarray, sample_rate: int, to_rate: int, to_channels: int, where: str
) -> npt.NDArray[np.float32]:
    """Resample and up-mix/down-mix to what the sink plays; float32 ``(n, to_channels)``."""
    data = samples if samples.ndim == 2 else samples[:, None]
    out = resample(data, sample_rate, to_rate)
    if out.shape[1] == to_channels:
        return out
    if out.shape[1] == 1:
        return np.repeat(out, to_channels, axis=1)
    if to_channels == 1:
        return out.mean(axis=1, keepdims=True)
    raise ChannelCountError(where, f"cannot play {out.shape[1]} channels on {to_channels}")


class NullSink:
    """Discards audio; counts what it was given. ``realtime`` waits the audio's duration."""

    def __init__(self, *, sample_rate: int = 16000, channels: int = 1, realtime: bool = False):
        self.name = "null"
        self.sample_rate = sample_rate
        self.channels = channels
        self.realtime = realtime
        self.samples_played = 0

    async def play(self, samples: np.ndarray, sample_rate: int) -> None:
        data = prepare_output(samples, sample_rate, self.sample_rate, self.channels, self.name)
        self.samples_played += len(data)
        if self.realtime:
            await asyncio.sleep(len(data) / self.sample_rate)

    async def close(self) -> None:
        return None


class WavFileSink:
    """Appends everything played to a 16-bit WAV file (replies recorded for tests/debug)."""

    def __init__(self, path: str | Path, *, sample_rate: int = 16000, channels: int = 1) -> None:
        self.path = Path(path)
        self.name = f"wav:{self.path.name}"
        self.sample_rate = sample_rate
        self.channels = channels
        try:
            # Kept open across play() calls; close() ends the file.
            self._wav: wave.Wave_write | None = wave.open(str(self.path), "wb")  # noqa: SIM115
        except OSError as exc:
            raise AudioFileError(str(self.path), f"cannot create WAV file: {exc}") from None
        self._wav.setnchannels(channels)
        self._wav.setsampwidth(2)
        self._wav.setframerate(sample_rate)

    async def play(self, samples: np.ndarray, sample_rate: int) -> None:
        if self._wav is None:
            raise AudioFileError(str(self.path), "sink is closed")
        data = prepare_output(samples, sample_rate, self.sample_rate, self.channels, self.name)
        self._wav.writeframes(to_int16(data).astype("<i2").tobytes())

    async def close(self) -> None:
        if self._wav is not None:
            self._wav.close()
            self._wav = None
