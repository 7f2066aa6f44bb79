"""Who is speaking right now: set by whoever heard the voice, read by the persona.

A speech plugin (or a test, or `samantha say --speaker`) wraps the handling of one utterance in
`speaking(person, score)`. The value lives in a context variable, so concurrent rooms never see
each other's speaker. A voice personalises; it never authorises anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

# Below this a voice match is a guest. Calibrated on bench/speakers.py (7 synthetic speakers,
# clean and in noise): a held-out sentence scores >= 0.91 against its own profile, another
# speaker <= 0.77 and babble (a television) <= 0.80; 0.82 clears every impostor with a margin,
# and a wrong "it's Anna" (her memories to someone else) is worse than a "who are you?".
MIN_SCORE = 0.82


@dataclass(frozen=True)
class Heard:
    person: str | None  # None: heard, but not anyone we know
    score: float
    # The voice's vector, when it came from audio (voice enrollment reuses it).
    vector: Any = field(default=None, compare=False, repr=False)


_CURRENT: ContextVar[Heard | None] = ContextVar("samantha_speaker", default=None)


@contextmanager
def speaking(person: str | None, score: float = 1.0) -> Iterator[Heard]:
    heard = Heard(person, score)
    token = _CURRENT.set(heard)
    try:
        yield heard
    finally:
        _CURRENT.reset(token)


def current() -> Heard | None:
    """The voice heard for the sentence being handled, or None when nothing said who it was."""
    return _CURRENT.get()
