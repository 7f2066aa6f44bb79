"""The current grammar of a home, rebuilt when its devices or rooms change, and the decision
of what a transcript becomes for the intent layer."""

from __future__ import annotations

import asyncio
import functools
import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from samantha.plugins.speech.grammar.compiler import CompileReport, HomeCompiler
from samantha.plugins.speech.grammar.graph import SKIP, Ending, GraphBuilder, WordGraph
from samantha.plugins.speech.grammar.spoken import NUMBER_WORDS, normalize, spoken_numbers

if TYPE_CHECKING:
    from samantha.house import House
    from samantha.plugins.speech.engines import SpeechToText, Transcript
    from samantha.plugins.speech.settings import SttSettings

log = logging.getLogger(__name__)


@dataclass
class Grammar:
    """The word graph of a home at one revision, with what was left out of it."""

    graph: WordGraph = field(default_factory=lambda: GraphBuilder().build())
    report: CompileReport = field(default_factory=CompileReport)
    revision: int = -1
    # (state, word): the word, read from that state, sounds like the start of another word
    # read from it ("four" of "forty": F AO R of F AO R T IY). Empty without pronunciations.
    growing: frozenset[tuple[int, str]] = frozenset()

    @property
    def missing(self) -> set[str]:
        return self.report.missing

    def __contains__(self, spoken: object) -> bool:
        return isinstance(spoken, str) and self.graph.accepts(spoken.split())

    @functools.cached_property
    def name_rooms(self) -> dict[str, frozenset[str]]:
        """For each word of a device name, the rooms whose devices use it."""
        found: dict[str, set[str]] = {}
        for out in self.graph.arcs:
            for _, word, _, tag in out:
                if tag and SKIP not in self.graph.tags[tag]:
                    found.setdefault(word, set()).update(self.graph.tags[tag])
        return {w: frozenset(r) for w, r in found.items()}

    def for_room(self, room: str) -> RoomGrammar:
        return RoomGrammar(self.graph, room, self.revision,
                           frozenset(self.report.value_words))


@dataclass(frozen=True)
class RoomGrammar:
    """What a room's recognizer is given: the home's graph, seen from one room (names of the
    room's own devices are likelier there)."""

    graph: WordGraph
    room: str
    revision: int
    # Words only slot values say (names, numbers, colours); None: any word may be one.
    value_words: frozenset[str] | None = None

    def weight(self, tag: int) -> float:
        """Relative likelihood of an arc: a device name of this room counts more."""
        if tag == 0:
            return 1.0
        rooms = self.graph.tags[tag]
        if SKIP in rooms:
            return SKIP_WEIGHT
        return ROOM_BIAS if self.room in rooms else 1.0

    def phrases(self) -> list[str]:
        return self.graph.phrases()


ROOM_BIAS = 4.0
SKIP_WEIGHT = 0.3  # "could you", "please": said, but rarely; a breath must not become one


def sentence_grammar(sentences: Iterable[str], numbers: str = "words") -> RoomGrammar:
    """A grammar of plain sentences only (a satellite recognizing without its home)."""
    builder = GraphBuilder()
    for sentence in sentences:
        spelled = spoken_numbers(sentence, numbers)
        words = normalize(spelled or "").split()
        if words:
            builder.finals.add(builder.words(0, words, " ".join(sentence.split())))
    return RoomGrammar(builder.build(), "", 0)


def growing_words(graph: WordGraph,
                  pronounce: Callable[[str], str | None]) -> frozenset[tuple[int, str]]:
    """Each (state, word) whose pronunciation begins another word's from the same state.

    A pause inside that longer word (the stop of "for-ty") looks like the end of a sentence
    that ends with the shorter one: kal's "set the brightness to forty percent" ended after
    "four" and set 14%.
    """
    phones: dict[str, str] = {}
    for word in graph.words:
        said = pronounce(word)
        if said:
            phones[word] = said
    found: set[tuple[int, str]] = set()
    for state, out in enumerate(graph.arcs):
        here = {w for _, w, _, _ in out if w in phones}
        for word in here:
            start = phones[word] + " "
            if any(phones[other].startswith(start) for other in here if other != word):
                found.add((state, word))
    return frozenset(found)


def home_grammar(house: House, stt: SttSettings,
                 missing_words: Callable[[Iterable[str]], set[str]] | None = None,
                 pronounce: Callable[[str], str | None] | None = None) -> Grammar:
    """The grammar for the home as it is now (call again when `house.home.revision` changes)."""
    revision = house.home.revision
    recognizer = house.recognizer()
    only: set[str] | None = None
    if stt.intents == "handled":
        only = set(house.handlers)
    elif isinstance(stt.intents, list):
        only = set(stt.intents)
    rooms_of_name: dict[str, set[str]] = {}
    for device in house.home.devices.values():
        for name in device.names():
            rooms_of_name.setdefault(name, set()).add(device.room)
    compiler = HomeCompiler(recognizer.intents, recognizer.slot_lists, numbers=stt.numbers,
                            rooms_of_name=rooms_of_name, extra_sentences=stt.sentences)
    graph = compiler.compile(only, missing_words)
    report = compiler.report
    if report.missing:
        sample = ", ".join(sorted(report.missing)[:12])
        log.info("speech grammar: the model lacks %d word(s), sentences with them are left "
                 "out: %s%s", len(report.missing), sample,
                 " ..." if len(report.missing) > 12 else "")
    log.info("speech grammar for home revision %d: %d states, %d arcs", revision,
             graph.n_states, graph.n_arcs)
    growing = growing_words(graph, pronounce) if pronounce is not None else frozenset()
    return Grammar(graph, report, revision, growing)


class GrammarKeeper:
    """The current grammar of a home; rebuilt when the home's revision changes.

    Shared by every room (they use the same model); each room's recognizer is told through
    `listeners` callbacks.
    """

    def __init__(self, house: House, stt: SttSettings,
                 missing_words: Callable[[Iterable[str]], set[str]] | None,
                 pronounce: Callable[[str], str | None] | None = None) -> None:
        self.house = house
        self.stt = stt
        self.missing_words = missing_words
        self.pronounce = pronounce
        self.grammar = Grammar()
        self.listeners: list[Callable[[Grammar], None]] = []
        self.rebuilding = False
        self._ending: tuple[Grammar, str, Ending] | None = None  # the last partial's, as it
        # is asked about again on every frame until the recognizer's words change

    @property
    def stale(self) -> bool:
        return self.grammar.revision != self.house.home.revision

    def build(self) -> Grammar:
        """Compile a new grammar (can take a second for big homes; run it off the loop)."""
        return home_grammar(self.house, self.stt, self.missing_words, self.pronounce)

    def install(self, grammar: Grammar) -> None:
        self.grammar = grammar
        for listener in self.listeners:
            listener(grammar)

    async def refresh(self) -> bool:
        """Rebuild if the home changed since the last build; True when a new grammar is in."""
        if not self.stale or self.rebuilding:
            return False
        self.rebuilding = True
        try:
            grammar = await asyncio.to_thread(self.build)
        finally:
            self.rebuilding = False
        self.install(grammar)
        return True

    def grammar_for(self, room: str) -> RoomGrammar:
        """The current grammar as `room` sees it."""
        return self.grammar.for_room(room)

    def complete(self, partial: str) -> Ending:
        """Whether the words so far are a whole sentence of the grammar (falsy when not), and
        whether anything but politeness could follow."""
        last = self._ending
        if last is not None and last[0] is self.grammar and last[1] == partial:
            return last[2]
        words = normalize(partial).split()
        graph = self.grammar.graph
        ending = graph.ending(words)
        if ending and ((ending is Ending.OPEN and words[-1] in NUMBER_WORDS) or (
                self.grammar.growing and any((state, words[-1]) in self.grammar.growing
                                             for state in graph.states_after(words[:-1])))):
            # A number may go on ("twenty" two, "forty" percent), or the last word is the start
            # of a longer one ("four" of "forty"), after no more pause than a stop consonant's:
            # kal's "set the brightness to forty percent" ended after "fourteen" and set 14%.
            ending = Ending.GROWING
        self._ending = (self.grammar, partial, ending)
        return ending


@dataclass(frozen=True)
class HouseText:
    """What a transcript becomes for the intent layer."""

    text: str
    understood: bool  # matched a sentence of the grammar (a command), not free words
    free_form: bool = False
    similarity: float | None = None
    confidence: float | None = None
    reason: str | None = None  # why nothing was understood, when nothing was
    # Two readings were almost equally likely and mean different things: ask which.
    choices: tuple[str, ...] = ()
    unfinished: bool = False  # the words stop short of a sentence: ask for the rest


def _choose(house: House, texts: list[str], room: str) -> str:
    """Of the text forms of one spoken sentence, the first the house understands in `room`."""
    if len(texts) > 1:
        where = house.room(room)
        for text in texts:
            if house.recognize(text, where) is not None:
                return text
    return texts[0]


def _meaning(house: House, text: str, room: str) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    result = house.recognize(text, house.room(room))
    if result is None:
        return None
    slots = tuple(sorted((k, str(e.value)) for k, e in result.entities.items()))
    return result.intent.name, slots


def _rival(keeper: GrammarKeeper, alternatives: Iterable[str], text: str,
           room: str) -> str | None:
    """An almost equally likely reading that would do something else ("sixty" for "fifty",
    "on" for "off"): acting on the wrong one is worse than asking."""
    graph = keeper.grammar.graph
    meaning = _meaning(keeper.house, text, room)
    if meaning is None:
        return None
    for alternative in alternatives:
        words = normalize(alternative).split()
        if not words or not graph.accepts(words):
            continue
        other = _choose(keeper.house, graph.texts(words), room)
        found = _meaning(keeper.house, other, room)
        if found is not None and found != meaning:
            return other
    return None


def _unsaid_value(grammar: Grammar, words: tuple[str, ...], heard: list[str]) -> str | None:
    """A slot value word (a name, colour, number) the corrected sentence has and nobody said:
    correcting "turn all the light at" to "turn all the light black" would act on a value
    made up by the correction."""
    said = set(heard)
    return next((w for w in words if w not in said and w in grammar.report.value_words), None)


def _foreign_name(grammar: Grammar, words: tuple[str, ...], heard: list[str],
                  room: str) -> bool:
    """Whether a snapped sentence names another room's device with words nobody said."""
    said = set(heard)
    rooms = grammar.name_rooms
    return any(w not in said and w in rooms and room not in rooms[w] for w in words)


async def text_for_house(keeper: GrammarKeeper | None, stt_settings: SttSettings,
                         stt: SpeechToText, transcript: Transcript, audio: bytes,
                         room: str | None = None) -> HouseText:
    """The grammar sentence for a transcript, else free-form words for the persona.

    A transcript that is a path of the graph is taken as it is. One that is not (Vosk's
    bigram can recombine sentences; a cut-off utterance) is moved to the nearest path when that
    is close enough; below the snap threshold it is not trusted as a command, and a snapped
    sentence that would name another room's device nobody mentioned is refused.
    """
    heard = transcript.text
    if stt_settings.mode == "free_form" or keeper is None:
        return HouseText(heard, bool(heard), free_form=True, confidence=transcript.confidence)
    grammar = keeper.grammar
    words = normalize(heard).split()
    where = room or ""
    if words and grammar.graph.accepts(words):
        texts = grammar.graph.texts(words)
        text = _choose(keeper.house, texts, where) if where else texts[0]
        rival = _rival(keeper, transcript.alternatives, text, where) if where else None
        if rival is not None:
            return HouseText("", False, similarity=1.0, confidence=transcript.confidence,
                             reason=f"heard {text!r}, but {rival!r} was almost as likely "
                                    "and means something else", choices=(text, rival))
        return HouseText(text, True, similarity=1.0, confidence=transcript.confidence)
    similarity = 0.0
    reason = "nothing was heard" if not words else "not a sentence this home understands"
    unsure = (transcript.confidence is not None
              and transcript.confidence < stt_settings.snap_min_confidence)
    if words and transcript.unfinished:
        # Not snapped (that would finish it: "set the kitchen blinds to" -> "... to eight"),
        # nor read again free-form (a language model finishes sentences too).
        return HouseText("", False, confidence=transcript.confidence, unfinished=True,
                         reason="the sentence stopped before its end")
    if words and unsure:
        # pocketsphinx's posterior for kal's "turn off the lights" decoded as "turn all the
        # light on" was 0.015; snapped, it became "turn all the light black".
        reason = "not a sentence this home understands, and heard too unsurely to correct"
    elif words and transcript.exact:
        reason = "not a sentence this home understands, and not to be corrected"
    elif words:
        allowed = math.floor((1.0 - stt_settings.snap_threshold) * len(words) + 1e-9)
        near = await asyncio.to_thread(grammar.graph.nearest, words, allowed)
        if near is not None:
            similarity = 1.0 - near.distance / max(len(words), len(near.words))
            if similarity >= stt_settings.snap_threshold:
                unsaid = _unsaid_value(grammar, near.words, words)
                if where and _foreign_name(grammar, near.words, words, where):
                    reason = "the nearest command names a device in another room"
                elif unsaid is not None:
                    reason = f"the nearest command says {unsaid!r}, which was not heard"
                else:
                    return HouseText(near.text, True, similarity=similarity,
                                     confidence=transcript.confidence)
    if stt_settings.free_form_fallback and heard:
        free = await asyncio.to_thread(stt.transcribe_free, audio)
        if free is not None and free.text:
            return HouseText(free.text, False, free_form=True, similarity=similarity,
                             confidence=free.confidence)
    return HouseText("", False, similarity=similarity, confidence=transcript.confidence,
                     reason=reason)
