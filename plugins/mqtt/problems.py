"""Logging bad input once per source, with bounded memory and a bounded log.

A device that keeps sending garbage gets one warning, not one per message; a flood from many
sources (every message on a new topic) gets at most `burst` warnings per `window` seconds and
then one line counting what was suppressed. What was seen is kept for a status command: the
counts, and the most recent problems.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict, deque
from typing import Any

from samantha.plugins.mqtt.payloads import clip


class ProblemLog:
    def __init__(
        self,
        logger: logging.Logger,
        *,
        max_sources: int = 2048,
        burst: int = 20,
        window: float = 60.0,
        recent: int = 20,
    ) -> None:
        self._log = logger
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._max_sources = max_sources
        self._burst = burst
        self._window = window
        self._window_start = 0.0
        self._in_window = 0
        self._suppressed = 0
        self.total = 0  # invalid messages seen, logged or not
        self.recent: deque[str] = deque(maxlen=recent)

    def report(self, source: str, kind: str, text: str) -> None:
        """Count a problem; log it if this (source, kind) has not been logged lately."""
        self.total += 1
        key = (source[:200], kind[:200])  # a 64 KB topic must not be kept whole, twice
        if key in self._seen:
            self._seen.move_to_end(key)
            return
        self._seen[key] = None
        if len(self._seen) > self._max_sources:
            self._seen.popitem(last=False)
        line = f"MQTT {clip(text, 300)} (topic {clip(source)})"
        self.recent.append(line)
        now = time.monotonic()
        if now - self._window_start > self._window:
            if self._suppressed:
                self._log.warning("MQTT: %d more invalid messages from other sources were "
                                  "not logged in the last %.0f s", self._suppressed,
                                  self._window)
            self._window_start, self._in_window, self._suppressed = now, 0, 0
        if self._in_window >= self._burst:
            self._suppressed += 1
            return
        self._in_window += 1
        self._log.warning("%s", line)

    def summary(self) -> dict[str, Any]:
        return {"invalid_messages": self.total, "recent_problems": list(self.recent)}
