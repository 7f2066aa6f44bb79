"""Did a person seem low? One narrow interface (`LowSignal`) with two readings behind it.

`PersonaLow` (the default) asks the persona how the person seemed right after each thing they
said: its per-person reading (VADER valence, energy, terseness against their usual, the model's
judgement; docs/persona.md), added to a small word list's score of the sentence. `LexiconLow`
is the word list alone, used when the persona's feelings are turned off. Both store only a score
per sentence (never the text) and call an evening low when two or more sentences in it were low,
or their sum was.
"""

from __future__ import annotations

import re
from typing import Protocol

from samantha.house import House

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


class PersonaLow(LexiconLow):
    """The word list's score, one lower again when the persona's reading of the person after
    the sentence is low. The persona's reading is slow by design (a running estimate against
    their usual), so one clearly lonely sentence moves it little; the word list catches that,
    the reading catches curt replies and a gradual slide no word list sees."""

    def __init__(self, store: CareStore, house: House) -> None:
        super().__init__(store)
        self.house = house

    def heard(self, person: str, at: float, text: str) -> None:
        from samantha.plugins.persona.care import person_state

        try:
            state = person_state(self.house, person)
        except Exception:  # no persona runtime (a house without the persona plugin)
            state = None
        value = score(text) - (1.0 if state is not None and state.low else 0.0)
        if value:
            self.store.feel(person, at, value)
