"""Speaker embeddings from the voice: resemblyzer's GE2E encoder (3-layer LSTM, 256 dims) with
the weights its PyPI wheel ships, run in numpy (no torch, no librosa, nothing downloaded).

A voice becomes one unit-length vector; two recordings of one person have a cosine similarity
near 0.8-0.9, different people lower. Enrollment averages a few recordings into a profile.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import wave
from pathlib import Path

import numpy as np

from .torch_legacy import load_state_dict

RATE = 16000
N_FFT = 400       # 25 ms window
HOP = 160         # 10 ms step
N_MELS = 40
PARTIAL_FRAMES = 160  # 1.6 s per partial utterance
NORM_DBFS = -30.0


def read_wav(path: Path) -> np.ndarray:
    """Mono float32 at 16 kHz from a PCM WAV file (any rate, 8/16/32-bit, any channels)."""
    with wave.open(str(path), "rb") as w:
        rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
        raw = w.readframes(w.getnframes())
    kinds = {1: np.uint8, 2: np.int16, 4: np.int32}
    if width not in kinds:
        raise ValueError(f"{path}: {8 * width}-bit samples are not supported")
    audio = np.frombuffer(raw, dtype=kinds[width]).astype(np.float32)
    audio = (audio - 128) / 128 if width == 1 else audio / float(2 ** (8 * width - 1))
    audio = audio.reshape(-1, channels).mean(axis=1)
    if rate != RATE:
        from scipy.signal import resample_poly

        divisor = math.gcd(rate, RATE)
        audio = resample_poly(audio, RATE // divisor, rate // divisor).astype(np.float32)
    return audio


def _prepare(audio: np.ndarray) -> np.ndarray:
    """Louden quiet audio to -30 dBFS (never softer) and drop silent 30 ms windows."""
    rms = float(np.sqrt(np.mean(audio ** 2))) if audio.size else 0.0
    if rms > 0:
        gain = 10 ** ((NORM_DBFS - 20 * math.log10(rms)) / 20)
        audio = audio * max(gain, 1.0)
    window = RATE * 30 // 1000
    usable = audio[: len(audio) - len(audio) % window].reshape(-1, window)
    if not len(usable):
        return audio
    energy = np.sqrt((usable ** 2).mean(axis=1))
    voiced = energy > max(energy.max() * 0.05, 1e-4)
    # Keep short pauses inside speech (a moving window), drop long silences.
    kept = np.convolve(voiced.astype(float), np.ones(7), mode="same") > 0
    return usable[kept].reshape(-1)


@functools.cache
def _mel_filters() -> np.ndarray:
    """librosa's default (Slaney) mel filterbank: 40 bands, 0-8000 Hz, area-normalised."""
    def hz_to_mel(f: np.ndarray) -> np.ndarray:
        f = np.asarray(f, dtype=np.float64)
        mel = f / (200.0 / 3)
        log_part = 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / (math.log(6.4) / 27.0)
        return np.where(f >= 1000.0, log_part, mel)

    def mel_to_hz(m: np.ndarray) -> np.ndarray:
        m = np.asarray(m, dtype=np.float64)
        return np.where(m >= 15.0, 1000.0 * np.exp((math.log(6.4) / 27.0) * (m - 15.0)),
                        m * (200.0 / 3))

    fft_freqs = np.linspace(0, RATE / 2, N_FFT // 2 + 1)
    mel_points = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(RATE / 2.0), N_MELS + 2))
    widths = np.diff(mel_points)
    ramps = mel_points[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_points[2:] - mel_points[:-2]))[:, None]
    return weights.astype(np.float32)


def mel_frames(audio: np.ndarray) -> np.ndarray:
    """(frames, 40) mel power spectrogram, as librosa.feature.melspectrogram (centred)."""
    padded = np.pad(audio, N_FFT // 2)
    count = 1 + (len(padded) - N_FFT) // HOP
    index = np.arange(N_FFT)[None, :] + HOP * np.arange(count)[:, None]
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)  # periodic Hann
    power = np.abs(np.fft.rfft(padded[index] * window, axis=1)) ** 2
    return (power @ _mel_filters().T).astype(np.float32)


class VoiceEncoder:
    name = "resemblyzer-ge2e-256"

    def __init__(self, weights: Path) -> None:
        state = load_state_dict(weights)["model_state"]
        self.layers = []
        for i in range(3):
            self.layers.append((np.ascontiguousarray(state[f"lstm.weight_ih_l{i}"].T),
                                np.ascontiguousarray(state[f"lstm.weight_hh_l{i}"].T),
                                state[f"lstm.bias_ih_l{i}"] + state[f"lstm.bias_hh_l{i}"]))
        self.linear = (np.ascontiguousarray(state["linear.weight"].T), state["linear.bias"])

    def _embed_partials(self, mels: np.ndarray) -> np.ndarray:
        from scipy.special import expit

        x = mels
        for w_ih, w_hh, bias in self.layers:
            batch, steps, _ = x.shape
            size = w_hh.shape[0]
            inputs = x @ w_ih + bias
            h = np.zeros((batch, size), dtype=np.float32)
            c = np.zeros((batch, size), dtype=np.float32)
            out = np.empty((batch, steps, size), dtype=np.float32)
            for t in range(steps):
                gates = inputs[:, t] + h @ w_hh
                i, f, g, o = np.split(gates, 4, axis=1)
                i, f, o = expit(i), expit(f), expit(o)
                c = f * c + i * np.tanh(g)
                h = o * np.tanh(c)
                out[:, t] = h
            x = out
        raw = np.maximum(x[:, -1] @ self.linear[0] + self.linear[1], 0)
        return raw / np.maximum(np.linalg.norm(raw, axis=1, keepdims=True), 1e-9)

    def embed(self, audio: np.ndarray) -> np.ndarray:
        """One utterance (16 kHz float32) -> a unit vector; partials of 1.6 s, 1.3 per second."""
        from threadpoolctl import threadpool_limits

        audio = _prepare(audio)
        step = round(RATE / 1.3 / HOP)
        frames = math.ceil((len(audio) + 1) / HOP)
        starts = list(range(0, max(1, frames - PARTIAL_FRAMES + step + 1), step))
        last = starts[-1] * HOP
        if len(starts) > 1 and (len(audio) - last) / (PARTIAL_FRAMES * HOP) < 0.75:
            starts = starts[:-1]
        needed = (starts[-1] + PARTIAL_FRAMES) * HOP
        audio = np.pad(audio, (0, max(0, needed - len(audio))))
        mels = mel_frames(audio)
        batch = np.stack([mels[s:s + PARTIAL_FRAMES] for s in starts])
        with threadpool_limits(limits=1, user_api="blas"):
            partials = self._embed_partials(batch)
        mean = partials.mean(axis=0)
        return (mean / np.linalg.norm(mean)).astype(np.float32)


@functools.cache
def encoder() -> VoiceEncoder:
    """The process's voice encoder (raises if the resemblyzer wheel is not installed)."""
    # Found without importing the package: its __init__ imports torch.
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the resemblyzer package (for its weights) is not installed")
    return VoiceEncoder(Path(next(iter(spec.submodule_search_locations))) / "pretrained.pt")
