"""Streaming polyphase resampling (scipy.signal.resample_poly) for arbitrary block sizes."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy.signal import resample_poly


class Resampler:
    """Resamples a stream block by block, matching a whole-signal ``resample_poly``.

    ``resample_poly`` zero-pads each call, so block edges would click. We keep a
    history and a look-ahead of ``margin`` input samples around each processed region
    (a multiple of ``down``, so output indices stay integral) and only emit output for
    the middle: this adds ``margin`` input samples of latency (< 2 ms at 48 kHz).
    """

    def __init__(self, from_rate: int, to_rate: int, channels: int = 1) -> None:
        if from_rate <= 0 or to_rate <= 0:
            raise ValueError(f"Resampler: rates must be positive ({from_rate} -> {to_rate})")
        g = math.gcd(from_rate, to_rate)
        self.up, self.down = to_rate // g, from_rate // g
        self.from_rate, self.to_rate = from_rate, to_rate
        self.passthrough = self.up == self.down
        # resample_poly's default filter has 10 * max(up, down) taps each side at the
        # upsampled rate; convert to input samples and round up to a multiple of down.
        half = math.ceil(10 * max(self.up, self.down) / self.up) + 1
        self.margin = math.ceil(half / self.down) * self.down
        self._buf = np.zeros((self.margin, channels), dtype=np.float32)

    def process(self, block: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Feed ``(n, channels)`` float32, get whatever output is ready (may be empty)."""
        if self.passthrough:
            return block
        self._buf = np.concatenate([self._buf, block.astype(np.float32, copy=False)])
        ready = len(self._buf) - 2 * self.margin
        m = (ready // self.down) * self.down
        if m <= 0:
            return np.zeros((0, self._buf.shape[1]), dtype=np.float32)
        window = self._buf[: 2 * self.margin + m]
        out = resample_poly(window, self.up, self.down, axis=0)
        start = self.margin * self.up // self.down
        result = out[start : start + m * self.up // self.down].astype(np.float32)
        self._buf = self._buf[m:]
        return result

    def flush(self) -> npt.NDArray[np.float32]:
        """Push the look-ahead out with zeros at end of stream."""
        if self.passthrough:
            return np.zeros((0, self._buf.shape[1]), dtype=np.float32)
        pad = self.margin + (-(len(self._buf) - self.margin)) % self.down
        return self.process(np.zeros((pad, self._buf.shape[1]), dtype=np.float32))


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> npt.NDArray[np.float32]:
    """Whole-signal resampling of ``(n, channels)`` audio to float32."""
    data = samples.astype(np.float32) / 32768.0 if samples.dtype == np.int16 else samples
    if from_rate == to_rate:
        return data.astype(np.float32, copy=False)
    g = math.gcd(from_rate, to_rate)
    return resample_poly(data, to_rate // g, from_rate // g, axis=0).astype(np.float32)
