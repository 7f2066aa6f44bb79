"""Microphone-array signal processing, vectorised over channels with numpy/scipy.

Conventions: audio is ``(n, channels)`` float32 in [-1, 1); a *delay* is how many
samples later a channel receives the wavefront than the reference channel (positive
means later); mic positions are metres, shape ``(channels, 3)``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import fft as sfft
from scipy.signal import lfilter, lfilter_zi

SPEED_OF_SOUND = 343.0
_EPS = 1e-12
FloatArray = npt.NDArray[np.float32] | npt.NDArray[np.float64]


# --- delays and direction -----------------------------------------------------------


def gcc_phat(
    x: FloatArray, *, ref: int = 0, max_delay: float | None = None, interp: int = 1
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Delay of every channel relative to ``ref`` by GCC-PHAT, all channels in one FFT.

    Returns ``(delays, peaks)``: delays in samples (sub-sample by parabolic fit on the
    correlation peak, optionally after ``interp``-times upsampling), and the PHAT peak
    height in [0, 1], a confidence that the channel sees the same source as ``ref``.
    """
    n = x.shape[0]
    nfft = sfft.next_fast_len(2 * n)
    spec = sfft.rfft(x, nfft, axis=0)
    cross = spec * np.conj(spec[:, ref : ref + 1])
    cross /= np.abs(cross) + _EPS
    cc = sfft.irfft(cross, nfft * interp, axis=0) * interp
    limit = (n - 1) if max_delay is None else min(n - 1, round(max_delay))
    m = max(1, limit * interp)
    lags = np.concatenate([cc[-m:], cc[: m + 1]])  # lags -m .. +m
    cols = np.arange(x.shape[1])
    idx = np.argmax(lags, axis=0)
    peak = lags[idx, cols]
    # Parabolic refinement around the peak; edges keep the integer lag.
    left = lags[np.clip(idx - 1, 0, 2 * m), cols]
    right = lags[np.clip(idx + 1, 0, 2 * m), cols]
    denom = left - 2 * peak + right
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(np.abs(denom) > _EPS, 0.5 * (left - right) / denom, 0.0)
    frac = np.where((idx > 0) & (idx < 2 * m), np.clip(frac, -0.5, 0.5), 0.0)
    delays = (idx - m + frac) / interp
    delays[ref] = 0.0
    return delays, np.clip(peak, 0.0, 1.0)


def mic_positions_m(positions_mm: list[tuple[float, ...]] | FloatArray) -> npt.NDArray[np.float64]:
    """Positions in mm (2-D or 3-D) to an ``(n, 3)`` array in metres."""
    p = np.asarray(positions_mm, dtype=np.float64) / 1000.0
    if p.shape[1] == 2:
        p = np.hstack([p, np.zeros((p.shape[0], 1))])
    return p


def max_delay_samples(positions: npt.NDArray[np.float64], sample_rate: int) -> float:
    """Largest physically possible inter-mic delay (the array aperture) in samples."""
    diffs = positions[:, None, :] - positions[None, :, :]
    return float(np.max(np.linalg.norm(diffs, axis=-1))) / SPEED_OF_SOUND * sample_rate


@dataclass(frozen=True, slots=True)
class DoaEstimate:
    azimuth_deg: float
    unit: npt.NDArray[np.float64]
    ambiguous: bool
    residual: float


def doa_from_delays(
    delays: npt.NDArray[np.float64],
    positions: npt.NDArray[np.float64],
    sample_rate: int,
    *,
    ref: int = 0,
) -> DoaEstimate:
    """Far-field direction from delays relative to ``ref`` by least squares.

    A plane wave from unit direction ``u`` reaches mic ``i`` ``-(p_i - p_ref)·u / c``
    seconds after the reference. Planar arrays give a full azimuth; for a linear array
    only the angle to its axis (mic 0 towards the last mic) is observable.
    """
    rel = positions - positions[ref]
    tau = np.asarray(delays, dtype=np.float64) / sample_rate
    _, sv, vt = np.linalg.svd(rel, full_matrices=False)
    rank = int(np.sum(sv > 1e-3 * max(sv[0], _EPS)))
    basis = vt[:rank]  # orthonormal axes spanned by the array
    a = -(rel @ basis.T) / SPEED_OF_SOUND
    coef, *_ = np.linalg.lstsq(a, tau, rcond=None)
    resid = float(np.sqrt(np.mean((a @ coef - tau) ** 2)) * sample_rate)
    u = coef @ basis
    if rank == 1:
        axis = rel[-1] / (np.linalg.norm(rel[-1]) + _EPS)
        cos = float(np.clip(u @ axis, -1.0, 1.0))
        return DoaEstimate(float(np.degrees(np.arccos(cos))), u, True, resid)
    return DoaEstimate(float(np.degrees(np.arctan2(u[1], u[0])) % 360.0), u, False, resid)


def steering_delays(
    unit: npt.NDArray[np.float64], positions: npt.NDArray[np.float64], sample_rate: int
) -> npt.NDArray[np.float64]:
    """Delays (samples, relative to mic 0) of a plane wave arriving from ``unit``."""
    norm = np.linalg.norm(unit)
    u = unit / norm if norm > 1.0 else unit
    return -((positions - positions[0]) @ u) / SPEED_OF_SOUND * sample_rate


# --- beamforming --------------------------------------------------------------------


def delay_and_sum(
    x: FloatArray, delays: npt.ArrayLike, weights: npt.ArrayLike | None = None
) -> npt.NDArray[np.float32]:
    """Whole-signal delay-and-sum with fractional delays (frequency-domain phase shift).

    Each channel is delayed by ``max(delays) - delays[i]`` so all line up with the
    latest one; ``weights`` (e.g. 0 for dead channels) default to equal.
    """
    d = np.asarray(delays, dtype=np.float64)
    w = np.ones(x.shape[1]) if weights is None else np.asarray(weights, dtype=np.float64)
    shift = d.max() - d
    n = x.shape[0]
    nfft = sfft.next_fast_len(n + int(np.ceil(shift.max())) + 64)
    spec = sfft.rfft(x, nfft, axis=0)
    freqs = sfft.rfftfreq(nfft)
    steer = np.exp(-2j * np.pi * freqs[:, None] * shift[None, :]) * (w / max(w.sum(), _EPS))
    out = sfft.irfft((spec * steer).sum(axis=1), nfft)
    return out[:n].astype(np.float32)


class DelayAndSum:
    """Streaming delay-and-sum with fractional delays for blocks of any size.

    Each block is processed with ``margin`` samples of history and look-ahead so the
    fractional-delay (sinc) filter sees real neighbours instead of block edges; the
    output therefore lags the input by ``margin`` samples (2-4 ms at 16 kHz).
    """

    def __init__(self, channels: int, max_shift: float, *, guard: int = 24) -> None:
        self.channels = channels
        self.margin = int(np.ceil(max_shift)) + guard
        self._buf = np.zeros((self.margin, channels), dtype=np.float32)

    def process(
        self, block: FloatArray, delays: npt.ArrayLike, weights: npt.ArrayLike
    ) -> npt.NDArray[np.float32]:
        d = np.asarray(delays, dtype=np.float64)
        w = np.asarray(weights, dtype=np.float64)
        shift = np.clip(d.max() - d, 0.0, self.margin - 1)
        self._buf = np.concatenate([self._buf, block.astype(np.float32, copy=False)])
        ready = len(self._buf) - 2 * self.margin
        if ready <= 0:
            return np.zeros(0, dtype=np.float32)
        nfft = sfft.next_fast_len(len(self._buf) + self.margin)
        spec = sfft.rfft(self._buf, nfft, axis=0)
        freqs = sfft.rfftfreq(nfft)
        steer = np.exp(-2j * np.pi * freqs[:, None] * shift[None, :]) * (w / max(w.sum(), _EPS))
        out = sfft.irfft((spec * steer).sum(axis=1), nfft)
        result = out[self.margin : self.margin + ready].astype(np.float32)
        self._buf = self._buf[ready:]
        return result


# --- channel health and levels ------------------------------------------------------


def rms(x: FloatArray) -> npt.NDArray[np.float64]:
    return np.sqrt(np.mean(np.square(x, dtype=np.float64), axis=0))


def dbfs(values: npt.ArrayLike) -> npt.NDArray[np.float64]:
    return 20.0 * np.log10(np.maximum(np.asarray(values, dtype=np.float64), 1e-10))


def dead_channels(x: FloatArray, *, relative_db: float = -15.0) -> npt.NDArray[np.bool_]:
    """Channels that are silent, constant, or far quieter than the array's median.

    A broken MEMS mic or a loose I2S line shows up as digital silence, a stuck value
    or a level ~20 dB below its neighbours; all mics of an array hear the same room,
    so a channel ``relative_db`` below the median is not plausible.
    """
    level = rms(x - np.mean(x, axis=0))
    median = np.median(level)
    flat = np.ptp(x, axis=0) == 0
    return flat | (level < 1e-5) | (level < median * 10 ** (relative_db / 20))


def snr_db(x: FloatArray, sample_rate: int, *, frame_ms: float = 20.0) -> npt.NDArray[np.float64]:
    """Blind per-channel SNR: loud frames vs the noise floor of quiet frames.

    Noise power is the mean of the quietest 20 % of frames, signal power the mean of
    the loudest 20 % minus that noise. It needs pauses in the audio (an utterance with
    leading/trailing silence); on continuous noise it reads close to 0 dB.
    """
    data = x if x.ndim == 2 else x[:, None]
    hop = max(1, int(sample_rate * frame_ms / 1000))
    n_frames = data.shape[0] // hop
    if n_frames < 5:
        return np.zeros(data.shape[1])
    power = np.mean(
        np.square(data[: n_frames * hop].reshape(n_frames, hop, -1), dtype=np.float64), axis=1
    )
    ordered = np.sort(power, axis=0)
    k = max(1, n_frames // 5)
    noise = np.maximum(ordered[:k].mean(axis=0), 1e-20)
    loud = ordered[-k:].mean(axis=0)
    return 10.0 * np.log10(np.maximum(loud - noise, 1e-20) / noise)


def best_channel(snrs: npt.ArrayLike, dead: npt.ArrayLike) -> int:
    """Index of the live channel with the highest SNR (channel 0 if all are dead)."""
    s = np.where(np.asarray(dead, dtype=bool), -np.inf, np.asarray(snrs, dtype=np.float64))
    return int(np.argmax(s)) if np.isfinite(s).any() else 0


# --- level conditioning -------------------------------------------------------------


class DcBlocker:
    """One-pole high-pass (~10 Hz) per channel, state kept across blocks.

    Cheap MEMS arrays and some I2S codecs carry a DC offset that would bias levels,
    the AGC and the PHAT weighting at low frequencies.
    """

    def __init__(self, channels: int, sample_rate: int, cutoff_hz: float = 10.0) -> None:
        r = float(np.exp(-2 * np.pi * cutoff_hz / sample_rate))
        self._b = np.array([1.0, -1.0])
        self._a = np.array([1.0, -r])
        self._zi = np.zeros((1, channels))
        self._zi_unit = lfilter_zi(self._b, self._a)
        self._primed = False

    def process(self, block: FloatArray) -> npt.NDArray[np.float32]:
        if not self._primed:
            # Start in steady state for the first block's offset, so it doesn't ring.
            self._zi = self._zi_unit[:, None] * np.mean(block, axis=0)[None, :]
            self._primed = True
        out, self._zi = lfilter(self._b, self._a, block, axis=0, zi=self._zi)
        return out.astype(np.float32)


def remove_dc(x: FloatArray) -> npt.NDArray[np.float32]:
    """Offline DC removal (subtract each channel's mean)."""
    return (x - np.mean(x, axis=0)).astype(np.float32)


class AutomaticGain:
    """Block-wise AGC towards ``target_dbfs`` with fast attack and slow release.

    The gain only adapts on blocks ``speech_margin_db`` above a tracked noise floor
    (and above ``gate_dbfs``), so room noise between utterances is never pumped up to
    speech level (which would wake the VAD); the gain ramps linearly inside a block to
    avoid zipper noise, and a peak guard keeps the output below full scale.
    """

    def __init__(
        self,
        *,
        target_dbfs: float = -20.0,
        max_gain_db: float = 30.0,
        min_gain_db: float = -20.0,
        gate_dbfs: float = -55.0,
        attack: float = 0.5,
        release: float = 0.05,
        speech_margin_db: float = 10.0,
        floor_blocks: int = 48,
    ) -> None:
        self.target = target_dbfs
        self.limits = (min_gain_db, max_gain_db)
        self.gate = gate_dbfs
        self.attack, self.release = attack, release
        self.gain_db = 0.0
        self.margin = speech_margin_db
        # Noise floor = quietest block of the last ~1.5 s (48 blocks of 32 ms).
        self._recent: deque[float] = deque(maxlen=floor_blocks)

    def process(self, mono: FloatArray) -> npt.NDArray[np.float32]:
        if mono.size == 0:
            return mono.astype(np.float32)
        level = float(dbfs(np.sqrt(np.mean(np.square(mono, dtype=np.float64)))))
        previous = self.gain_db
        if level > self.gate:
            # Blocks under the gate (digital silence of a muted codec or an idle
            # satellite) must not drag the floor down and make room noise look like speech.
            self._recent.append(level)
        floor = min(self._recent) if self._recent else level
        if level > self.gate and level > floor + self.margin:
            wanted = float(np.clip(self.target - level, *self.limits))
            rate = self.attack if wanted < self.gain_db else self.release
            self.gain_db += rate * (wanted - self.gain_db)
        peak = float(np.max(np.abs(mono)))
        if peak > 0:
            self.gain_db = min(self.gain_db, float(dbfs(0.98 / peak)))
        ramp = np.linspace(10 ** (previous / 20), 10 ** (self.gain_db / 20), mono.size)
        return np.clip(mono * ramp, -1.0, 1.0).astype(np.float32)
