"""A microphone's noise floor under digital silence, for recognizers that dither.

Kaldi (Vosk) adds random dither to every feature frame (the models' mfcc.conf keep the
default), so on digital silence (exact zeros: files, synthesized speech, a gated source) the
dither alone sets the frames' energy, and two runs over the same file could decode it
differently: espeak's Korean "안녕하세요 ..." woke 21 of 30 new spotters. A fixed floor of
about -70 dBFS in place of the zeros, the same for every run, leaves the dither nothing to
decide (30 of 30). No microphone gives long runs of exact zeros, so live audio is untouched
but for an odd zero crossing.
"""

from __future__ import annotations

import numpy as np

FLOOR_RMS = 10.0  # int16 units: about -70 dBFS
_SEED = 0


class SilenceFloor:
    """Replaces each exact zero sample by a fixed pseudo-random floor; `reset()` starts the
    same floor again, so one utterance always gets the same samples."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._rng = np.random.default_rng(_SEED)

    def __call__(self, pcm: bytes) -> bytes:
        samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2")
        zeros = samples == 0
        if not zeros.any():
            return pcm
        noise = np.round(self._rng.normal(0.0, FLOOR_RMS, samples.size)).astype("<i2")
        return np.where(zeros, noise, samples).astype("<i2").tobytes() + pcm[len(pcm) // 2 * 2:]
