"""Kaldi's dither, made the same on every run, for the Vosk engines.

Kaldi adds Gaussian noise of one sample step to every feature frame ("dither") so that the
log energy of near-silence stays finite and looks like what its models were trained on. It
draws that noise anew on every run, so one file decoded differently from run to run: where a
phrase ends moved by 10-20 ms, and a phrase at the edge of the spotter's threshold (espeak's
fast Korean "안녕하세요" run into a command) was heard on some runs and not on others.

We switch Kaldi's own dither off (vosk_engines.FEATURE_OPTIONS) and add the same noise to the
samples here from a seeded generator: one utterance is always decoded the same way, and a
recording is a reproducible bug report. We add it back rather than go without, because the
models were trained with it: it is what quiet sound looks like to them. On those edge
recordings the seeded noise woke 0-3 of 5 over four seeds, Kaldi's own 0-5 of 5 over four
runs (they share one rendering of the phrase, so they mostly wake or fail together).

Digital silence (exact zeros: files, synthesized speech, a gated source) gets more than the
dither: a floor of about -70 dBFS. With only the dither there espeak's Korean wake phrase
woke 21 of 30 spotters; with the floor, 30 of 30. No microphone gives runs of exact zeros, so
live audio only ever gets the dither.
"""

from __future__ import annotations

import numpy as np

DITHER_RMS = 1.0  # int16 units: Kaldi's default --dither
FLOOR_RMS = 10.0  # int16 units: about -70 dBFS, in place of exact zeros
_SEED = 0


class SeededDither:
    """Adds the dither to each sample and the floor to each exact zero, from a seeded
    generator; `reset()` starts the same noise again, so one utterance always gets the same
    samples."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._rng = np.random.default_rng(_SEED)

    def __call__(self, pcm: bytes) -> bytes:
        whole = len(pcm) // 2 * 2
        samples = np.frombuffer(pcm[:whole], dtype="<i2")
        scale = np.where(samples == 0, FLOOR_RMS, DITHER_RMS)
        noisy = samples + scale * self._rng.standard_normal(samples.size)
        return np.clip(np.round(noisy), -32768, 32767).astype("<i2").tobytes() + pcm[whole:]
