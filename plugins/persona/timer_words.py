"""Durations in and out of words for timers: slots to seconds, seconds to "5 minute timer"."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from .schedule import Scheduled

UNNAMED = "timer"  # the label of a timer nobody named (also the model tool's default)
UNITS = (("hour", 3600), ("minute", 60), ("second", 1))
_FILLER = re.compile(r"^(?:the|my|a|an)\s+|\s+timer$", re.IGNORECASE)


def slot_seconds(slots: Mapping[str, Any], prefix: str = "") -> float | None:
    """hours/minutes/seconds slots (or start_hours/...) as seconds; None when none was said."""
    said = [(slots.get(f"{prefix}{unit}s"), size) for unit, size in UNITS]
    if all(value is None for value, _ in said):
        return None
    return sum(float(value) * size for value, size in said if value is not None)


def _parts(seconds: float, *, keep_seconds: bool = True) -> list[tuple[int, str]]:
    left = round(seconds)
    parts = []
    for unit, size in UNITS:
        count, left = divmod(left, size)
        if count and (unit != "second" or keep_seconds or not parts):
            parts.append((count, unit))
    return parts


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def length(seconds: float) -> str:
    """As an adjective: '5 minute', '1 hour and 30 minute' (a '5 minute timer')."""
    parts = _parts(seconds)
    return _join([f"{n} {unit}" for n, unit in parts]) if parts else "0 second"


def spoken(seconds: float) -> str:
    """Time left, as said: '4 minutes and 10 seconds'; seconds are dropped once it is hours."""
    # Rounded up: a timer set a moment ago for 10 minutes still has "10 minutes" left.
    seconds = math.ceil(seconds - 1e-6)
    if seconds < 1:
        return "less than a second"
    hours = seconds >= 3600
    parts = _parts(seconds, keep_seconds=not hours)
    return _join([f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts])


def clean_name(name: Any) -> str:
    """'the pizza timer' -> 'pizza'."""
    text = " ".join(str(name or "").split())
    while (shorter := _FILLER.sub("", text)) != text:
        text = shorter
    return text


def timer_name(item: Scheduled) -> str:
    """How to refer to it: 'pizza timer', '5 minute timer', 'timer to turn off the lights'."""
    if item.kind == "sentence":
        return f"timer to {item.text}"
    label = clean_name(item.text)
    if label and label.casefold() != UNNAMED:
        return f"{label} timer"
    return f"{length(item.set_for())} timer"
