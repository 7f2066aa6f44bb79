"""Compile a home's sentence templates into a word graph, without sampling.

hassil turns the templates (with their expansion rules, optional and alternative parts, and
permutations) into a word-level transducer in which each slot is a placeholder such as
`{name}` or `{brightness}%`; this module puts the home's values in place of each placeholder
(device, room and floor names with their aliases, other text lists, number ranges spoken as
words) and the skip words ("please", "could you") where hassil allows them.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from hassil.expression import (
    Alternative,
    Expression,
    Group,
    ListReference,
    Permutation,
    RuleReference,
    Sentence,
    TextChunk,
)
from hassil.expression import Sequence as HassilSequence
from hassil.fst import EPS, intents_to_fst
from hassil.intents import Intent, IntentData, Intents, RangeSlotList, SlotList, TextSlotList

from samantha.plugins.speech.grammar.graph import (
    GLUE,
    NUMBER_MORE,
    NUMBER_START,
    SKIP,
    GraphBuilder,
    WordGraph,
)
from samantha.plugins.speech.grammar.spoken import (
    SYMBOL_WORDS,
    format_number,
    normalize,
    spoken_number,
    spoken_numbers,
)

log = logging.getLogger(__name__)

_PLACEHOLDER = re.compile(r"^(.*?)\{(\w+)\}(.*)$")
_MAX_DEPTH = 40
_MAX_VALUE_FORMS = 64  # spoken forms of one templated list value ("(closed|shut)")
_TRAILING_SKIPS = {("please",), ("for", "me"), ("thanks",), ("thank", "you")}
SUFFIX_WORDS = {**SYMBOL_WORDS, "k": ("kelvin",)}


@dataclass
class CompileReport:
    """What could not go into the graph, and why (for logs and `samantha listen`)."""

    wildcards: set[str] = field(default_factory=set)  # slots only free-form speech can fill
    unknown_lists: set[str] = field(default_factory=set)
    unsayable: int = 0  # list values with a number the engine cannot say
    missing: set[str] = field(default_factory=set)  # words the recognizer's model lacks
    # Words only slot values say (names, colours, numbers), never the templates' own text: a
    # transcript corrected to the nearest sentence must not gain one of these (docs/speech.md).
    value_words: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Value:
    """One spoken form of a slot value and the text that stands for it (a number's text is
    worked out from its words when the sentence is read back)."""

    words: tuple[str, ...]
    text: str
    rooms: frozenset[str] = frozenset()
    number: bool = False

    def pieces(self) -> list[str]:
        """What each word writes."""
        if self.number:
            return [NUMBER_START + self.words[0], *(NUMBER_MORE + w for w in self.words[1:])]
        return [""] * (len(self.words) - 1) + [self.text]


@dataclass(frozen=True)
class SlotRef:
    """One use of a slot list in the templates, with the devices it may name there."""

    slot_list: SlotList | None
    list_name: str
    slot: str
    domains: frozenset[str] = frozenset()
    device_classes: frozenset[str] = frozenset()


def _context_set(value: Any) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, (list, tuple, set, frozenset)):
        return frozenset(str(v) for v in value)
    return frozenset()


class _Placeholders:
    """Templates with every slot reference renamed to a placeholder of its own (`{p12}`), so
    each keeps what it may stand for: `{name}` in "open the {name}" names only covers.

    hassil's template-to-graph compiler writes a slot as its slot name; renaming keeps the list
    and the intent's domain filter that the slot name alone loses.
    """

    def __init__(self, intents: Intents, lists: Mapping[str, SlotList]) -> None:
        self.intents = intents
        self.lists = lists
        self.refs: dict[str, SlotRef] = {}
        self._ids: dict[tuple[int, str, str, frozenset[str], frozenset[str]], str] = {}

    def rewrite(self, only: Collection[str] | None) -> Intents:
        out: dict[str, Intent] = {}
        for name, intent in self.intents.intents.items():
            if only is not None and name not in only:
                continue
            blocks = []
            for data in intent.data:
                domains = _context_set(data.requires_context.get("domain"))
                classes = _context_set(data.requires_context.get("device_class"))
                rules = {**self.intents.expansion_rules, **data.expansion_rules}
                local = {**self.lists, **data.slot_lists}
                sentences = [Sentence(self._map(s.expression, rules, local, domains, classes, 0))
                             for s in data.sentences]
                block = IntentData(sentence_texts=[], slots=dict(data.slots),
                                   requires_context=dict(data.requires_context))
                block.__dict__["sentences"] = sentences  # a cached property of IntentData
                blocks.append(block)
            out[name] = Intent(name, blocks)
        return Intents(language=self.intents.language, intents=out,
                       skip_words=list(self.intents.skip_words),
                       settings=self.intents.settings)

    def _map(self, exp: Expression, rules: Mapping[str, Sentence],
             lists: Mapping[str, SlotList], domains: frozenset[str],
             classes: frozenset[str], depth: int) -> Expression:
        if depth > _MAX_DEPTH:
            return Alternative(items=[])
        if isinstance(exp, ListReference):
            return ListReference(list_name=self._placeholder(exp, lists, domains, classes))
        if isinstance(exp, RuleReference):
            rule = rules.get(exp.rule_name)
            if rule is None:
                return Alternative(items=[])
            return self._map(rule.expression, rules, lists, domains, classes, depth + 1)
        if isinstance(exp, Group):
            items = [self._map(i, rules, lists, domains, classes, depth + 1) for i in exp.items]
            if isinstance(exp, Alternative):
                return Alternative(items=items, is_optional=exp.is_optional)
            if isinstance(exp, Permutation):
                return Permutation(items=items)
            return HassilSequence(items=items)
        return exp

    def _placeholder(self, ref: ListReference, lists: Mapping[str, SlotList],
                     domains: frozenset[str], classes: frozenset[str]) -> str:
        slot_list = lists.get(ref.list_name)
        if ref.list_name != "name":
            domains, classes = frozenset(), frozenset()
        key = (id(slot_list), ref.list_name, ref.slot_name, domains, classes)
        if key not in self._ids:
            placeholder = f"p{len(self._ids)}"
            self._ids[key] = placeholder
            self.refs[placeholder] = SlotRef(slot_list, ref.list_name, ref.slot_name, domains,
                                             classes)
        return self._ids[key]

    def dummy_lists(self) -> dict[str, SlotList]:
        """Empty text lists under the placeholder names: hassil then writes `{p12}`."""
        return {p: TextSlotList(name=p, values=[]) for p in self.refs}


def expand(exp: Expression, depth: int = 0) -> Iterator[str]:
    """Every text an (untemplated-lists) expression stands for; used for list values."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(exp, TextChunk):
        yield exp.text
    elif isinstance(exp, Alternative):
        for item in exp.items:
            yield from expand(item, depth + 1)
    elif isinstance(exp, Permutation):
        for order in itertools.permutations(exp.items):
            for parts in itertools.product(*(list(expand(i, depth + 1)) for i in order)):
                yield " ".join(parts)
    elif isinstance(exp, Group):
        for parts in itertools.product(*(list(expand(i, depth + 1)) for i in exp.items)):
            yield "".join(parts)


class HomeCompiler:
    """Turns one home's intents and slot lists into a `WordGraph`."""

    def __init__(self, intents: Intents, slot_lists: Mapping[str, SlotList], *,
                 numbers: str = "words", rooms_of_name: Mapping[str, Collection[str]] | None = None,
                 extra_sentences: Collection[str] = ()) -> None:
        self.intents = intents
        self.lists = {**intents.slot_lists, **slot_lists}
        self.numbers = numbers
        self.rooms_of_name = {normalize(k): frozenset(v) for k, v in (rooms_of_name or {}).items()}
        self.extra = list(extra_sentences)
        self.report = CompileReport()
        self._graphs: dict[tuple[str, str], WordGraph] = {}
        self._said_by_values: set[str] = set()
        self._said_by_templates: set[str] = set()
        self._placeholders = _Placeholders(intents, self.lists)

    # --- slot values ----------------------------------------------------------------------

    def values(self, ref: SlotRef) -> list[Value]:
        slot_list = ref.slot_list
        if isinstance(slot_list, RangeSlotList):
            return self._range_values(slot_list)
        if isinstance(slot_list, TextSlotList):
            return self._text_values(slot_list, ref)
        if slot_list is None:
            self.report.unknown_lists.add(ref.list_name)
        else:
            self.report.wildcards.add(ref.slot)
        return []

    def _range_values(self, slot_list: RangeSlotList) -> list[Value]:
        values = []
        for number in slot_list.get_numbers():
            words = spoken_number(number, self.numbers)
            if words is None:
                self.report.unsayable += 1
                continue
            values.append(Value(tuple(words), format_number(number), number=True))
        return values

    def _text_values(self, slot_list: TextSlotList, ref: SlotRef) -> list[Value]:
        values: dict[tuple[str, ...], Value] = {}
        for value in slot_list.values:
            context = value.context or {}
            if ref.domains and context.get("domain") not in ref.domains:
                continue
            if ref.device_classes and context.get("device_class") not in ref.device_classes:
                continue
            for text in itertools.islice(expand(value.text_in), _MAX_VALUE_FORMS):
                text = " ".join(text.split())
                spelled = spoken_numbers(text, self.numbers)
                if spelled is None:
                    self.report.unsayable += 1
                    continue
                words = tuple(normalize(spelled).split())
                if not words:
                    continue
                rooms = (self.rooms_of_name.get(" ".join(words), frozenset())
                         if ref.list_name == "name" else frozenset())
                values.setdefault(words, Value(words, text, rooms))
        return list(values.values())

    def _skip_phrases(self) -> list[tuple[str, ...]]:
        phrases = (tuple(normalize(p).split()) for p in self.intents.skip_words)
        return [p for p in phrases if p]

    # --- the graph ------------------------------------------------------------------------

    def compile(self, only: Collection[str] | None = None,
                missing_words: Callable[[Iterable[str]], set[str]] | None = None) -> WordGraph:
        """The home's graph; `only` limits the intents; words that `missing_words` says the
        model lacks are cut out (with the sentences that need them)."""
        skeleton = self._skeleton(only)
        graph = GraphBuilder()
        state_map = {0: 0}

        def mapped(state: int) -> int:
            if state not in state_map:
                state_map[state] = graph.state()
            return state_map[state]

        for src, out in enumerate(skeleton.arcs):
            for dst, word, _, _ in out:
                if word == "<skip>":
                    self._skip(graph, mapped(src), mapped(dst), at_end=dst in skeleton.finals)
                else:
                    self._expand_token(graph, mapped(src), mapped(dst), word)
        for state in skeleton.finals:
            graph.finals.add(mapped(state))
        for sentence in self.extra:
            self._add_sentence(graph, sentence)
        self.report.value_words = self._said_by_values - self._said_by_templates
        if missing_words is not None:
            words = {a[1] for out in graph.arcs for a in out if a[1]}
            self.report.missing = missing_words(words)
        lacking = self.report.missing
        built = graph.build((lambda w: w not in lacking) if lacking else None)
        log.info("speech grammar: %d states, %d arcs, %d words", built.n_states, built.n_arcs,
                 len(built.words))
        return built

    def _skeleton(self, only: Collection[str] | None) -> WordGraph:
        """The templates as a graph of literal words and slot placeholders."""
        names = set(only) if only is not None else None
        if names is not None and not names & set(self.intents.intents):
            return GraphBuilder().build()
        rewritten = self._placeholders.rewrite(names)
        fst = intents_to_fst(rewritten, self._placeholders.dummy_lists(), names).remove_spaces()
        builder = GraphBuilder()
        for _ in range(max(fst.states, default=0)):
            builder.state()
        for src, arcs in fst.arcs.items():
            for arc in arcs:
                word = "" if arc.in_label == EPS else arc.in_label
                builder.arc(src, arc.to_state, word)
        builder.finals.update(fst.final_states)
        return builder.build()

    def _skip(self, graph: GraphBuilder, src: int, dst: int, at_end: bool) -> None:
        """Politeness hassil ignores: any skip phrase before a command, and after it only those
        people really say last ("please", "for me"), since a decoder happily hears a short
        "i" or "can" in the breath at the end of a sentence."""
        tag = graph.tag({SKIP})
        for words in self._skip_phrases():
            if at_end and words not in _TRAILING_SKIPS:
                continue
            self._said_by_templates.update(words)
            end = graph.words(src, words, tag=tag)
            graph.arc(end, dst)

    def _expand_token(self, graph: GraphBuilder, src: int, dst: int, token: str) -> None:
        match = _PLACEHOLDER.match(token)
        if match is None:
            self._literal(graph, src, dst, token)
            return
        before, slot, after = match.groups()
        template = self._slot_graph(slot, after)
        if not template:
            return  # a wildcard or an empty list: only free-form speech can say this
        start = src
        if before:
            start = graph.state()
            self._literal(graph, src, start, before)
        graph.insert(template, start, dst)

    def _slot_graph(self, slot: str, after: str) -> WordGraph:
        """The values of a slot (and the text glued after it) as one small graph, built once
        and copied wherever a template uses the slot."""
        key = (slot, after)
        if key not in self._graphs:
            builder = GraphBuilder()
            suffix_words, suffix_text = self._suffix(after)
            ref = self._placeholders.refs.get(slot)
            self._said_by_templates.update(suffix_words)
            for value in self.values(ref) if ref else []:
                self._said_by_values.update(value.words)
                tag = builder.tag(value.rooms) if value.rooms else 0
                state = 0
                for word, piece in zip(value.words, value.pieces(), strict=True):
                    nxt = builder.state()
                    builder.arc(state, nxt, word, piece, tag)
                    state = nxt
                if suffix_words:
                    state = builder.words(state, suffix_words, GLUE + suffix_text)
                builder.finals.add(state)
            self._graphs[key] = builder.build()
        return self._graphs[key]

    @staticmethod
    def _suffix(after: str) -> tuple[tuple[str, ...], str]:
        """Text glued after a slot ("%", "-minutes", "°") as said aloud, and as written."""
        if not after:
            return (), ""
        key = after.lstrip("-")
        if key in SUFFIX_WORDS:
            return SUFFIX_WORDS[key], after
        return tuple(normalize(key).split()), after

    def _literal(self, graph: GraphBuilder, src: int, dst: int, text: str) -> None:
        spelled = spoken_numbers(text, self.numbers)
        if spelled is None:
            return
        words = normalize(spelled).split()
        if not words:
            graph.arc(src, dst)
            return
        self._said_by_templates.update(words)
        end = graph.words(src, words, text)
        graph.arc(end, dst)

    def _add_sentence(self, graph: GraphBuilder, sentence: str) -> None:
        """A plain extra sentence (the `stt.sentences` setting)."""
        spelled = spoken_numbers(sentence, self.numbers)
        words = normalize(spelled or "").split()
        if words:
            self._said_by_templates.update(words)
            graph.finals.add(graph.words(0, words, " ".join(sentence.split())))
