"""How a sentence treats the house: kind to it, harsh to it, or about someone or something else.

The house's mood must be fair. "My boss is an idiot" is a person venting: the house feels for
them (a little warmer, calmer), it is not insulted. "You're an idiot" and "shut up" are aimed at
the house and cool it; "thank you" and "you're wonderful" warm it; happy news livens it up.

Each clause is read on its own (VADER via feelings.py) and given a target: the house when it
speaks to the house (you, your, the persona's name, "shut up"), someone else when it is about a
third party (my boss, he, they, this traffic), nobody when it is only about the speaker
("I'm so tired"). Fillers like "you know" and "thank you" are taken out first, so "you know, my
boss is an idiot" is venting and not an insult. Pure functions: fuzzed directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .feelings import MAX_CHARS, read

Target = Literal["house", "other", "self"]

FILLERS = re.compile(
    r"\b(you know|you see|i tell you|i'm telling you|im telling you|can you believe|"
    r"would you believe|believe you me|mind you|if you ask me|you won't believe|"
    r"you wont believe|guess what|thank you|thanks|you're welcome)\b")
GRATITUDE = re.compile(r"\b(thank you|thanks|cheers|much appreciated|i appreciate)\b")
# Orders at the house that are insults by themselves, whatever follows.
RUDE_ORDERS = re.compile(r"^(shut up|shut it|be quiet|go away|get lost|piss off|"
                         r"screw you|f\w* off|f\w* you)\b")
YOU = frozenset({"you", "your", "you're", "youre", "u", "ya", "yours", "yourself", "you've",
                 "you'd", "you'll"})
HOUSE_WORDS = frozenset({"samantha", "house", "computer", "machine", "robot", "assistant",
                         "bot", "ai"})
OTHERS = frozenset({
    "he", "she", "they", "him", "her", "them", "his", "their", "it", "this", "that", "these",
    "those", "my", "our", "the", "people", "everyone", "everybody", "someone", "somebody",
    "nobody", "boss", "work", "job", "colleague", "traffic", "weather", "mum", "mom", "dad",
    "brother", "sister", "husband", "wife", "partner", "friend", "neighbour", "neighbor",
    "teacher", "manager", "government", "team", "kids", "life", "day", "week",
})
SELF = frozenset({"i", "i'm", "im", "me", "myself", "i've", "i'd", "i'll"})
CLAUSES = re.compile(r"[,.;:!?]+|\b(?:but|and|because|cause|although|though|when)\b")
GOOD_NEWS = re.compile(r"\b(got the job|got a job|i passed|we passed|got promoted|promotion|"
                       r"got engaged|we won|i won|good news|great news|it went well|"
                       r"went really well|nailed it|we're having a baby|got in|accepted)\b")
_WORD = re.compile(r"[a-z']+")


@dataclass(frozen=True)
class Clause:
    text: str
    target: Target
    valence: float


@dataclass(frozen=True)
class Treatment:
    """How a sentence treats the house, and what that does to its mood."""

    kindness: float  # 0..1 aimed at the house
    harshness: float  # 0..1 aimed at the house
    venting: float  # 0..1 negative feeling about others or themselves
    good_news: float  # 0..1 positive feeling not aimed at the house

    @property
    def kind(self) -> str:
        """The main thing this sentence is, for logs and tests."""
        ranked = sorted([(self.harshness, "insult"), (self.kindness, "kindness"),
                         (self.venting, "venting"), (self.good_news, "good_news")],
                        reverse=True)
        return ranked[0][1] if ranked[0][0] > 0.05 else "neutral"

    def mood_effect(self) -> tuple[float, float]:
        """(warmth, energy) nudges for the house's mood."""
        warmth = 0.3 * self.kindness - 0.35 * self.harshness
        # Someone hurting draws the house closer (a little warmer) and quieter, never cooler.
        warmth += 0.06 * self.venting + 0.1 * self.good_news
        energy = (0.05 * (self.kindness + self.harshness) + 0.12 * self.good_news
                  - 0.1 * self.venting)
        return warmth, energy


def _target(words: list[str], house_names: frozenset[str], before: Target | None) -> Target:
    """Who a clause is about. The first clear subject decides ("you are useless, like my
    boss"); "I hate you" is about the house all the same. A clause with no subject of its own
    goes with the one before it ("he is so rude, unbelievable"); a sentence that opens with
    none is said to the house ("stupid!", "useless")."""
    house = house_names | HOUSE_WORDS
    for index, word in enumerate(words):
        if word in YOU or word in house:
            return "house"
        if word in OTHERS:
            return "other"
        if word in SELF:
            rest = words[index + 1:]
            return "house" if any(w in YOU or w in house for w in rest) else "self"
    return before or "house"


def clauses(text: str, house_names: frozenset[str] = frozenset()) -> list[Clause]:
    lowered = text[:MAX_CHARS].casefold()
    cleaned = FILLERS.sub(" ", lowered)
    out: list[Clause] = []
    for part in CLAUSES.split(cleaned):
        words = _WORD.findall(part or "")
        if not words:
            continue
        target = _target(words, house_names, out[-1].target if out else None)
        out.append(Clause(" ".join(words), target, read(" ".join(words)).valence))
    return out


def treatment(text: str, house_names: frozenset[str] = frozenset()) -> Treatment:
    """How `text` treats the house. `house_names`: the personas' names, lower case."""
    lowered = text[:MAX_CHARS].casefold().strip()
    kindness = 0.6 if GRATITUDE.search(lowered) else 0.0
    harshness = 0.8 if RUDE_ORDERS.match(lowered) else 0.0
    venting = 0.0
    good_news = 0.6 if GOOD_NEWS.search(lowered) else 0.0
    for clause in clauses(text, house_names):
        if clause.target == "house":
            kindness = max(kindness, clause.valence)
            harshness = max(harshness, -clause.valence)
        elif clause.valence < 0:
            venting = max(venting, -clause.valence)
        else:
            good_news = max(good_news, clause.valence)
    return Treatment(kindness=round(max(kindness, 0.0), 3),
                     harshness=round(max(harshness, 0.0), 3),
                     venting=round(venting, 3), good_news=round(good_news, 3))
