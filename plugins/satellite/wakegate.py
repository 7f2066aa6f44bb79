"""The satellite's idle loop: the wake engine runs only around sound, and knows how loud it was.

Keyword spotting costs up to ~0.02 CPU-s per audio-s on speech and noisy rooms; a quiet room
needs none of it. The energy VAD (already run for endpointing) opens the gate; the wake engine
then gets the last `preroll_s` of audio first, so the start of the phrase is not lost, and keeps
running until `hangover_s` after the last loud frame.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from samantha.plugins.speech.endpoint import EnergyVad
from samantha.plugins.speech.engines import WakeDetection, WakeEngine


@dataclass(frozen=True)
class WakeHit:
    detection: WakeDetection
    level_db: float  # loudness of the wake phrase: the arbitration tie-breaker


class GatedWake:
    def __init__(self, wake: WakeEngine, vad: EnergyVad, *, preroll_s: float = 0.6,
                 hangover_s: float = 1.5, level_window_s: float = 1.5) -> None:
        self.wake = wake
        self.vad = vad
        self.preroll_s = preroll_s
        self.hangover_s = hangover_s
        self.level_window_s = level_window_s
        self._recent: deque[tuple[float, bytes, float, bool]] = deque()  # (t, pcm, dB, speech)
        self._open_until = -math.inf
        self.engaged = False
        self.frames_fed = 0

    def process(self, pcm: bytes, duration: float, now: float) -> WakeHit | None:
        """Feed one frame ending at audio time `now`; a hit when the wake phrase just ended."""
        level = self.vad.level_dbfs(pcm)
        speech = self.vad.is_speech(pcm, duration)
        self._recent.append((now, pcm, level, speech))
        horizon = now - max(self.preroll_s, self.level_window_s)
        while self._recent and self._recent[0][0] < horizon:
            self._recent.popleft()
        if speech:
            self._open_until = now + self.hangover_s
        if not self.engaged:
            if not speech:
                return None
            self.engaged = True
            start = now - self.preroll_s
            backlog = [f[1] for f in self._recent if f[0] > start]
        elif now > self._open_until:
            self.engaged = False
            self.wake.reset()  # the next sound starts a fresh utterance for the spotter
            return None
        else:
            backlog = [pcm]
        for block in backlog:
            self.frames_fed += 1
            detection = self.wake.process(block)
            if detection is not None:
                return WakeHit(detection, self._phrase_level(now))
        return None

    def _phrase_level(self, now: float) -> float:
        start = now - self.level_window_s
        loud = [lvl for t, _p, lvl, speech in self._recent if t > start and speech]
        if not loud:
            loud = [lvl for t, _p, lvl, _s in self._recent if t > start] or [-90.0]
        power = sum(10 ** (lvl / 10) for lvl in loud) / len(loud)
        return round(10 * math.log10(power), 2)

    def reset(self) -> None:
        """Forget what was heard (after our own reply, or an utterance)."""
        self.wake.reset()
        self.engaged = False
        self._open_until = -math.inf
        self._recent.clear()
