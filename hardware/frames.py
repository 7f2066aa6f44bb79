"""Typed audio containers passed between sources, processing and the speech pipeline."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from samantha.hardware.errors import ChannelCountError

Samples = npt.NDArray[np.int16] | npt.NDArray[np.float32]
_ALLOWED = (np.dtype(np.int16), np.dtype(np.float32))


@dataclass(frozen=True, slots=True)
class AudioFrame:
    """A block of audio, shape ``(n, channels)``, captured at ``timestamp``.

    ``timestamp`` is ``time.monotonic()`` seconds of the first sample, so frames of
    different rooms and backends can be ordered and compared.
    """

    samples: Samples
    sample_rate: int
    timestamp: float

    def __post_init__(self) -> None:
        if self.samples.ndim != 2:
            raise ChannelCountError(
                "AudioFrame", f"samples must be 2-D (n, channels), got shape {self.samples.shape}"
            )
        if self.samples.dtype not in _ALLOWED:
            raise TypeError(f"AudioFrame: dtype must be int16 or float32, not {self.samples.dtype}")
        if self.sample_rate <= 0:
            raise ValueError(f"AudioFrame: sample_rate must be positive, got {self.sample_rate}")

    @property
    def channels(self) -> int:
        return int(self.samples.shape[1])

    @property
    def n_samples(self) -> int:
        return int(self.samples.shape[0])

    @property
    def duration(self) -> float:
        return self.n_samples / self.sample_rate

    @property
    def end_time(self) -> float:
        return self.timestamp + self.duration

    def as_float32(self) -> npt.NDArray[np.float32]:
        """Samples scaled to [-1, 1) float32 (a copy for int16 input)."""
        if self.samples.dtype == np.float32:
            return self.samples  # type: ignore[return-value]
        return self.samples.astype(np.float32) / np.float32(32768.0)

    def as_int16(self) -> npt.NDArray[np.int16]:
        """Samples as int16, clipped (what ASR engines and WAV files want)."""
        return to_int16(self.samples)

    def pcm_bytes(self) -> bytes:
        """Interleaved s16le bytes."""
        return self.as_int16().astype("<i2").tobytes()


def to_int16(samples: Samples) -> npt.NDArray[np.int16]:
    if samples.dtype == np.int16:
        return samples  # type: ignore[return-value]
    scaled = np.clip(np.rint(samples * 32768.0), -32768, 32767)
    return scaled.astype(np.int16)


@dataclass(frozen=True, slots=True)
class Direction:
    """Direction of arrival of the dominant source.

    ``azimuth_deg`` is counter-clockwise from the array's +x axis in [0, 360) for
    planar arrays. For linear arrays only the angle to the array axis is observable
    (``ambiguous`` is True, azimuth in [0, 180]). ``delays`` are the measured arrival
    delays of each mic relative to mic 0, in samples (positive: arrives later).
    """

    azimuth_deg: float | None
    delays: tuple[float, ...]
    confidence: float
    ambiguous: bool = False
    timestamp: float = 0.0


@dataclass(frozen=True, slots=True)
class ProcessedFrame:
    """What a room hands to the speech pipeline: mono frame plus array metadata."""

    room: str
    frame: AudioFrame
    direction: Direction | None = None
    channel: int | None = None
    dead_channels: tuple[int, ...] = field(default_factory=tuple)


def utterance_direction(frames: list[ProcessedFrame]) -> Direction | None:
    """Energy-weighted circular mean of the per-frame directions of one utterance.

    The speech pipeline calls this with the frames between VAD start and end, which
    gives "which side of the room" for the whole utterance rather than a single frame.
    """
    usable = [f for f in frames if f.direction is not None and f.direction.azimuth_deg is not None]
    if not usable:
        return None
    energies = np.array([float(np.mean(f.frame.as_float32() ** 2)) for f in usable])
    weights = energies * np.array([f.direction.confidence for f in usable])  # type: ignore[union-attr]
    if not np.any(weights > 0):
        weights = np.ones(len(usable))
    angles = np.radians([f.direction.azimuth_deg for f in usable])  # type: ignore[union-attr]
    sin, cos = float(np.sum(weights * np.sin(angles))), float(np.sum(weights * np.cos(angles)))
    mean = np.degrees(np.arctan2(sin, cos))
    resultant = float(np.hypot(sin, cos))
    last = usable[-1].direction
    assert last is not None
    return Direction(
        azimuth_deg=float(mean % 360.0),
        delays=last.delays,
        confidence=resultant / float(np.sum(weights)),
        ambiguous=last.ambiguous,
        timestamp=last.timestamp,
    )


class Rechunker:
    """Re-blocks a stream of arrays into fixed-size blocks (keeps the remainder)."""

    def __init__(self, block: int, channels: int, dtype: npt.DTypeLike) -> None:
        if block <= 0:
            raise ValueError(f"Rechunker: block size must be positive, got {block}")
        self.block = block
        self._pending = np.zeros((0, channels), dtype=dtype)

    def push(self, samples: np.ndarray) -> Iterator[np.ndarray]:
        buf = np.concatenate([self._pending, samples.astype(self._pending.dtype, copy=False)])
        whole = (len(buf) // self.block) * self.block
        self._pending = buf[whole:]
        for start in range(0, whole, self.block):
            yield buf[start : start + self.block]

    def flush(self) -> np.ndarray:
        rest, self._pending = self._pending, self._pending[:0]
        return rest
