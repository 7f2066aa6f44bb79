"""Wall-clock time for conversation memory, in one place so tests can move it (days at once)."""

from __future__ import annotations

import time

_offset = 0.0


def now() -> float:
    return time.time() + _offset


def advance(seconds: float) -> None:
    """Move this process's clock forward (tests and demos only)."""
    global _offset
    _offset += seconds


def reset() -> None:
    global _offset
    _offset = 0.0
