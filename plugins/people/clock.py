"""Wall-clock time for conversation memory and presence, in one place so tests can move it
(days at once) or hand it another clock (the automations engine's fake one)."""

from __future__ import annotations

import time
from collections.abc import Callable

_offset = 0.0
_source: Callable[[], float] = time.time


def now() -> float:
    return _source() + _offset


def advance(seconds: float) -> None:
    """Move this process's clock forward (tests and demos only)."""
    global _offset
    _offset += seconds


def follow(source: Callable[[], float]) -> None:
    """Read the time (a Unix timestamp) from `source` from now on (tests only)."""
    global _source, _offset
    _source, _offset = source, 0.0


def reset() -> None:
    global _offset, _source
    _offset, _source = 0.0, time.time
