"""Did a person seem low? One narrow interface, so a better signal can replace the stand-in.

Part 1 of the care work (how a person seems: valence, energy, terseness) will publish its own
judgement; wiring it in means passing an object with `seemed_low` to `care_for(house, low=...)`.
Until then `LexiconLow` scores each thing a known person says with a small word list (no text
is kept, only the score) and calls an evening low when two or more sentences in it scored low,
or their sum did.
"""

from __future__ import annotations

import re
from typing import Protocol

from .store import CareStore

LOW_WORDS = frozenset({
    "sad", "lonely", "alone", "tired", "exhausted", "awful", "terrible", "horrible", "miserable",
    "depressed", "down", "upset", "stressed", "anxious", "worried", "hurt", "cry", "crying",
    "cried", "hate", "whatever", "bad", "worst", "sick", "ill", "hopeless", "empty", "bored",
    "fine", "nothing", "leave", "unhappy", "rough", "hard",
})
HIGH_WORDS = frozenset({
    "happy", "great", "wonderful", "excited", "glad", "good", "love", "lovely", "amazing",
    "fantastic", "thanks", "thank", "fun", "brilliant", "awesome", "relaxed",
})
NEGATIONS = frozenset({"not", "no", "never", "don't", "isn't", "wasn't", "can't"})
_WORD = re.compile(r"[a-z']+")


class LowSignal(Protocol):
    def heard(self, person: str, at: float, text: str) -> None:
        """Something the person said (the stand-in scores it; a real signal may ignore it)."""

    def seemed_low(self, person: str, start: float, end: float) -> bool:
        """Whether the person seemed low between two times (epoch seconds)."""


def score(text: str) -> float:
    """Below zero: sounds low. A negation flips the next word ("not good" is low)."""
    total, flip = 0.0, False
    for word in _WORD.findall(text.casefold()):
        if word in NEGATIONS:
            flip = True
            continue
        value = -1.0 if word in LOW_WORDS else 1.0 if word in HIGH_WORDS else 0.0
        if value:
            total += -value if flip else value
            flip = False  # a negation reaches the next feeling word ("not very good")
    return total


class LexiconLow:
    """The stand-in: a word list over what was said (only the scores are stored)."""

    def __init__(self, store: CareStore) -> None:
        self.store = store

    def heard(self, person: str, at: float, text: str) -> None:
        value = score(text)
        if value:
            self.store.feel(person, at, value)

    def seemed_low(self, person: str, start: float, end: float) -> bool:
        scores = self.store.feelings(person, start, end)
        return sum(1 for s in scores if s < 0) >= 2 or sum(scores) <= -2
