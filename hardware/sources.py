"""The audio source interface and the file source used for replay, tests and benchmarks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from samantha.hardware.errors import AudioFileError
from samantha.hardware.frames import AudioFrame
from samantha.hardware.wavio import read_audio


@runtime_checkable
class AudioSource(Protocol):
    """Anything that yields timestamped multi-channel :class:`AudioFrame` blocks.

    ``open()`` raises :class:`~samantha.hardware.errors.AudioDeviceError` when the
    device is missing or busy; ``frames()`` raises ``DeviceLostError`` when it stops
    delivering. Iteration ends normally only when the source is finite (a file).
    """

    name: str
    sample_rate: int
    channels: int
    frame_size: int

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    def frames(self) -> AsyncIterator[AudioFrame]: ...


class FileSource:
    """Frames from a WAV (or raw s16le) file.

    ``realtime=True`` paces frames at the audio rate (a replayed recording behaves
    like a microphone); ``realtime=False`` delivers them as fast as the consumer
    takes them, with timestamps still spaced by the audio duration.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        frame_size: int = 512,
        realtime: bool = False,
        loop: bool = False,
        raw_rate: int | None = None,
        raw_channels: int | None = None,
    ) -> None:
        self.path = Path(path)
        self.name = f"file:{self.path.name}"
        self.frame_size = frame_size
        self.realtime = realtime
        self.loop = loop
        self._raw = (raw_rate, raw_channels)
        self._samples: np.ndarray | None = None
        self.sample_rate = raw_rate or 0
        self.channels = raw_channels or 0
        if frame_size <= 0:
            raise AudioFileError(str(self.path), f"frame_size must be positive, got {frame_size}")

    def _load(self) -> np.ndarray:
        if self._samples is None:
            self._samples, self.sample_rate = read_audio(
                self.path, raw_rate=self._raw[0], raw_channels=self._raw[1]
            )
            self.channels = int(self._samples.shape[1])
        return self._samples

    async def open(self) -> None:
        self._load()

    async def close(self) -> None:
        self._samples = None

    def iter_frames(self, start: float | None = None) -> Iterator[AudioFrame]:
        """Synchronous, unpaced iteration (benchmarks and offline analysis)."""
        samples = self._load()
        t0 = time.monotonic() if start is None else start
        offset = 0
        while True:
            for begin in range(0, len(samples), self.frame_size):
                block = samples[begin : begin + self.frame_size]
                yield AudioFrame(block, self.sample_rate, t0 + (offset + begin) / self.sample_rate)
            if not self.loop:
                return
            offset += len(samples)

    async def frames(self) -> AsyncIterator[AudioFrame]:
        t0 = time.monotonic()
        for frame in self.iter_frames(start=t0):
            if self.realtime:
                # Deliver a frame once it would have been fully captured by a real mic.
                delay = frame.end_time - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            else:
                # Yield to the loop so other rooms keep running during a fast replay.
                await asyncio.sleep(0)
            yield frame
