"""Recognition grammars for a home: sentences sampled from the intent templates with its names.

A grammar maps each *spoken form* (lower case, no punctuation, numbers spelled the way the
engine's vocabulary spells them) to the *text form* handed to the intent recognizer (numbers as
digits, which hassil's range lists expect).
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hassil.intents import TextSlotValue

from samantha.sampling import sample_intents

if TYPE_CHECKING:
    from samantha.house import House
    from samantha.plugins.speech.engines import SpeechToText, Transcript
    from samantha.plugins.speech.settings import SttSettings

log = logging.getLogger(__name__)

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
EXPAND_CAP = 200  # templates with more sentences than this are sampled
_NUMBER = re.compile(r"\d+")
# Keep letters of every script, digits, apostrophes inside words, and bracketed number tokens.
_PUNCT = re.compile(r"[^\w\s'\[\]<>]|(?<!\w)'|'(?!\w)")


def english_number(n: int) -> str | None:
    """0..999 as English words ("twenty one"); None for anything else."""
    if n < 0 or n > 999:
        return None
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    rest = n % 100
    head = f"{_ONES[n // 100]} hundred"
    return head if rest == 0 else f"{head} {english_number(rest)}"


def spoken_numbers(text: str, style: str) -> str | None:
    """Spell the digits in `text` as the engine says them; None when one cannot be spelled."""
    if style == "digits" or not _NUMBER.search(text):
        return text
    failed = False

    def spell(match: re.Match[str]) -> str:
        nonlocal failed
        n = int(match.group())
        if style == "brackets":
            # The Korean Vosk model has tokens [0]..[99]; larger numbers are not single words.
            if n > 99:
                failed = True
            return f" [{n}] "
        words = english_number(n)
        if words is None:
            failed = True
            return ""
        return f" {words} "

    out = _NUMBER.sub(spell, text)
    return None if failed else out


def normalize(text: str) -> str:
    """Lower case, punctuation removed, single spaces: what recognizers output."""
    return " ".join(_PUNCT.sub(" ", text.lower()).split())


class _CoveringRandom(random.Random):
    """Picks slot-list values in turn (other choices stay random), so every room and device
    name of the home appears in the sampled sentences instead of a random subset."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self._turns: dict[int, int] = {}

    def choice(self, seq: Sequence[Any]) -> Any:
        if seq and isinstance(seq[0], TextSlotValue):
            turn = self._turns.get(id(seq), self.randrange(len(seq)))
            self._turns[id(seq)] = turn + 1
            return seq[turn % len(seq)]
        return super().choice(seq)


@dataclass
class Grammar:
    """Allowed spoken sentences of a home and the text each stands for."""

    sentences: dict[str, str] = field(default_factory=dict)  # spoken -> text for intents
    intents: dict[str, str] = field(default_factory=dict)  # spoken -> intent name
    dropped: int = 0
    missing: set[str] = field(default_factory=set)
    revision: int = -1

    @property
    def words(self) -> set[str]:
        return {w for s in self.sentences for w in s.split()}

    def __len__(self) -> int:
        return len(self.sentences)

    def __contains__(self, spoken: object) -> bool:
        return spoken in self.sentences


def build_grammar(
    pairs: Iterable[tuple[str, str]],
    *,
    numbers: str,
    max_sentences: int,
    missing_words: Callable[[Iterable[str]], set[str]] | None = None,
) -> Grammar:
    """A grammar from (intent, sentence) pairs; sentences with words the model lacks are dropped."""
    grammar = Grammar()
    candidates: dict[str, tuple[str, str]] = {}
    for intent, text in pairs:
        spelled = spoken_numbers(text, numbers)
        if spelled is None:
            grammar.dropped += 1
            continue
        spoken = normalize(spelled)
        if spoken and spoken not in candidates:
            candidates[spoken] = (intent, " ".join(text.split()))
    lacking = missing_words({w for s in candidates for w in s.split()}) if missing_words else set()
    for spoken, (intent, text) in candidates.items():
        if lacking and any(w in lacking for w in spoken.split()):
            grammar.dropped += 1
            continue
        if len(grammar.sentences) >= max_sentences:
            grammar.dropped += 1
            continue
        grammar.sentences[spoken] = text
        grammar.intents[spoken] = intent
    grammar.missing = lacking
    if lacking:
        sample = ", ".join(sorted(lacking)[:12])
        log.warning("speech grammar: %d sentence(s) dropped; the model lacks %d word(s): %s%s",
                    grammar.dropped, len(lacking), sample, " ..." if len(lacking) > 12 else "")
    return grammar


def home_grammar(house: House, stt: SttSettings,
                 missing_words: Callable[[Iterable[str]], set[str]] | None = None) -> Grammar:
    """The grammar for the home as it is now (call again when `house.home.revision` changes)."""
    revision = house.home.revision
    recognizer = house.recognizer()
    only: set[str] | None = None
    if stt.intents == "handled":
        only = set(house.handlers)
    elif isinstance(stt.intents, list):
        only = set(stt.intents)
    pairs = list(sample_intents(recognizer.intents, recognizer.slot_lists,
                                per_template=stt.samples_per_template, only=only,
                                rng=_CoveringRandom(revision), expand_up_to=EXPAND_CAP))
    pairs += [("", s) for s in stt.sentences]
    grammar = build_grammar(pairs, numbers=stt.numbers, max_sentences=stt.max_sentences,
                            missing_words=missing_words)
    grammar.revision = revision
    log.info("speech grammar: %d sentences for home revision %d", len(grammar), revision)
    return grammar


class GrammarKeeper:
    """The current grammar of a home and its snapper; rebuilt when the home's revision changes.

    Shared by every room (they use the same model); each room's recognizer is told through
    `set_grammar` callbacks.
    """

    def __init__(self, house: House, stt: SttSettings,
                 missing_words: Callable[[Iterable[str]], set[str]] | None) -> None:
        from samantha.plugins.speech.snapping import Snapper

        self.house = house
        self.stt = stt
        self.missing_words = missing_words
        self.grammar = Grammar()
        self.snapper = Snapper(())
        self.listeners: list[Callable[[Grammar], None]] = []
        self.rebuilding = False

    @property
    def stale(self) -> bool:
        return self.grammar.revision != self.house.home.revision

    def build(self) -> Grammar:
        """Sample and check a new grammar (slow: seconds for big homes; run it off the loop)."""
        return home_grammar(self.house, self.stt, self.missing_words)

    def install(self, grammar: Grammar) -> None:
        from samantha.plugins.speech.snapping import Snapper

        self.grammar = grammar
        self.snapper = Snapper(grammar.sentences)
        for listener in self.listeners:
            listener(grammar)

    async def refresh(self) -> bool:
        """Rebuild if the home changed since the last build; True when a new grammar is in."""
        import asyncio

        if not self.stale or self.rebuilding:
            return False
        self.rebuilding = True
        try:
            grammar = await asyncio.to_thread(self.build)
        finally:
            self.rebuilding = False
        self.install(grammar)
        return True


@dataclass(frozen=True)
class HouseText:
    """What a transcript becomes for the intent layer."""

    text: str
    understood: bool  # snapped to a sentence of the grammar (a command), not free words
    free_form: bool = False
    similarity: float | None = None
    confidence: float | None = None


async def text_for_house(keeper: GrammarKeeper | None, stt_settings: SttSettings,
                         stt: SpeechToText, transcript: Transcript, audio: bytes) -> HouseText:
    """The snapped grammar sentence for a transcript, else free-form words for the persona.

    Below the snap threshold a transcript is not trusted as a command: a recombined bigram
    path ("turn on the kitchen off") must not become a wrong action.
    """
    heard = transcript.text
    if stt_settings.mode == "free_form" or keeper is None:
        return HouseText(heard, bool(heard), free_form=True, confidence=transcript.confidence)
    snap = keeper.snapper.snap(normalize(heard), stt_settings.snap_threshold)
    if snap.sentence is not None:
        return HouseText(keeper.grammar.sentences.get(snap.sentence, snap.sentence), True,
                         similarity=snap.similarity, confidence=transcript.confidence)
    if stt_settings.free_form_fallback and heard:
        free = await asyncio.to_thread(stt.transcribe_free, audio)
        if free is not None and free.text:
            return HouseText(free.text, False, free_form=True, similarity=snap.similarity,
                             confidence=free.confidence)
    return HouseText("", False, similarity=snap.similarity, confidence=transcript.confidence)
