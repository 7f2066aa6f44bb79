"""How one sentence sounds: valence (unhappy -1 .. 1 happy) and energy (drained -1 .. 1 wound up).

Valence comes from VADER (the `vaderSentiment` wheel ships its lexicon: offline, about 0.05 ms
a sentence); without the package, from a small built-in word list (one log line). VADER reads
"I'm fine." as mildly positive, so short guarded answers ("fine", "whatever", "ok") are
recognised here as curt: a little low, and quiet. Energy is our own small arousal word list,
plus exclamation marks and capitals.

Pure functions, no I/O: fuzzed directly (tests/persona/test_feelings_fuzz.py).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

log = logging.getLogger(__name__)

MAX_CHARS = 2000  # longer text is cut: a sentence to a house is never that long

# Said alone, these are guarded or dismissive: the person is short with the house.
CURT = frozenset({
    "fine", "i'm fine", "im fine", "i am fine", "whatever", "ok", "okay", "k", "meh", "sure",
    "nothing", "nevermind", "never mind", "leave it", "leave me alone", "don't care",
    "dont care", "i don't care", "forget it", "no", "nope", "yeah", "yep", "mm", "hmm", "eh",
    "not now", "doesn't matter", "it doesn't matter", "all good", "i'm ok", "im ok", "same",
})

LOW_ENERGY = frozenset({
    "tired", "exhausted", "sleepy", "drained", "worn", "weary", "bored", "lonely", "alone",
    "sad", "depressed", "down", "empty", "numb", "flat", "low", "sick", "ill", "unwell",
    "knackered", "shattered", "spent", "lethargic", "miserable", "hopeless", "blue", "quiet",
})
HIGH_ENERGY = frozenset({
    "excited", "thrilled", "amazing", "awesome", "fantastic", "wow", "yay", "hooray",
    "angry", "furious", "livid", "stressed", "anxious", "nervous", "panic", "panicking",
    "scared", "terrified", "worried", "frantic", "ecstatic", "brilliant", "incredible",
    "overwhelmed", "rush", "hurry", "great", "finally",
})
# Built-in valence words for when VADER is not installed.
FALLBACK_VALENCE: dict[str, float] = {
    **dict.fromkeys(("sad", "lonely", "tired", "exhausted", "awful", "terrible", "horrible",
                     "depressed", "miserable", "hate", "angry", "upset", "hurt", "stressed",
                     "worried", "anxious", "bad", "worst", "cry", "crying", "alone", "idiot",
                     "stupid", "useless", "sick", "scared", "lost", "hopeless"), -0.6),
    **dict.fromkeys(("happy", "glad", "great", "good", "love", "lovely", "wonderful",
                     "amazing", "excited", "thanks", "thank", "fantastic", "brilliant",
                     "awesome", "nice", "fun", "funny", "proud", "relieved", "yay"), 0.6),
}
NEGATIONS = frozenset({"not", "never", "no", "don't", "dont", "isn't", "wasn't", "can't"})
_WORD = re.compile(r"[a-z']+")


@dataclass(frozen=True)
class Reading:
    """What one sentence says about how its speaker feels."""

    valence: float  # -1 unhappy .. 1 happy
    energy: float  # -1 drained .. 1 wound up
    words: int  # how many words were said (terseness is judged against the person's usual)
    curt: bool  # a short guarded answer: "fine.", "whatever"
    source: str  # "vader", "lexicon" or "model"


@lru_cache(maxsize=1)
def _vader() -> Any:
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        log.warning("vaderSentiment is not installed: how people seem is read from a small "
                    "built-in word list (pip install vaderSentiment)")
        return None
    return SentimentIntensityAnalyzer()


def clamp(value: float, low: float = -1.0, high: float = 1.0) -> float:
    return max(low, min(high, value))


def _lexicon_valence(tokens: list[str]) -> float:
    total, hits = 0.0, 0
    for i, token in enumerate(tokens):
        score = FALLBACK_VALENCE.get(token)
        if score is None:
            continue
        if any(t in NEGATIONS for t in tokens[max(0, i - 3):i]):
            score = -0.5 * score
        total, hits = total + score, hits + 1
    return clamp(total / hits if hits else 0.0)


def read(text: str) -> Reading:
    """How a sentence sounds. Never raises, whatever the text."""
    text = text[:MAX_CHARS]
    lowered = text.casefold()
    tokens = _WORD.findall(lowered)
    bare = " ".join(tokens)
    curt = bool(tokens) and (bare in CURT or (len(tokens) <= 2 and tokens[0] in CURT))
    analyzer = _vader()
    if analyzer is not None:
        valence, source = float(analyzer.polarity_scores(text)["compound"]), "vader"
    else:
        valence, source = _lexicon_valence(tokens), "lexicon"
    low = sum(t in LOW_ENERGY for t in tokens)
    high = sum(t in HIGH_ENERGY for t in tokens)
    energy = 0.35 * high - 0.35 * low + 0.15 * min(text.count("!"), 3)
    shouted = [w for w in re.findall(r"[A-Za-z]{3,}", text) if w.isupper()]
    energy += 0.1 * min(len(shouted), 3)
    if curt:
        # "I'm fine." reads as positive to a lexicon; said alone it is usually a closed door.
        valence, energy = min(valence, 0.0) - 0.25, energy - 0.3
    return Reading(valence=round(clamp(valence), 3), energy=round(clamp(energy), 3),
                   words=len(tokens), curt=curt, source=source)


def from_judgement(word: str | None) -> Reading | None:
    """A mood word the model gave (an episode's "nervous", a classification) as a reading."""
    if not word or not word.strip():
        return None
    reading = read(word)
    if reading.valence == 0.0 and reading.energy == 0.0:
        return None  # a word we can't place says nothing
    return Reading(valence=reading.valence, energy=reading.energy, words=0, curt=False,
                   source="model")
