"""Intent recognition: hassil's matcher behind a precompiled, per-home candidate index.

Plain `hassil.recognize_best` rebuilds match settings for every intent, checks every template's
context and scans every template's literal fragments on each call. For one home those are fixed,
so `Recognizer` does that work once:

- match settings are built once per intent data;
- the templates that can run in a given context (the room) are computed once per room;
- templates are indexed by an *anchor* clause: a set of fragments one of which must appear in the
  text, chosen from hassil's literal fragments or from the values of a required slot list (a
  device or room name). A sentence only reaches the matcher when one of its anchors is present.

The filtering is sound (it only drops templates that provably cannot match) and candidates keep
hassil's iteration order, so the results are the same as `recognize_best`'s.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from hassil.expression import (
    _PUNCTUATION_CHARS,
    Alternative,
    Expression,
    Group,
    ListReference,
    RuleReference,
    Sentence,
    TextChunk,
    _text_clauses,
)
from hassil.expression import Sequence as SequenceExpr
from hassil.intents import (
    Intent,
    IntentData,
    Intents,
    RangeSlotList,
    SlotList,
    TextSlotList,
    WildcardSlotList,
)
from hassil.numbers import get_rbnf_engine
from hassil.recognize import (
    RecognizeResult,
    _get_result_score,
    _has_required_fragments,
    _process_match_contexts,
)
from hassil.string_matcher import BREAK_WORDS_TABLE, MatchContext, MatchSettings, match_expression
from hassil.util import (
    CJK_WHITESPACE,
    TrackedText,
    check_excluded_context,
    check_required_context,
    normalize_for_matching,
    remove_skip_words_tracked,
)

from samantha.template_words import (
    pieces,
    required_words,
    said_words,
    says_all,
    template_most_words,
    template_words,
)

Clauses = frozenset[frozenset[str]]
_MAX_DEPTH = 50
_PLAIN = re.compile(r"[^\W_]+( [^\W_]+)*")


@dataclass(frozen=True)
class _Template:
    order: int
    intent: Intent
    data: IntentData
    settings: MatchSettings
    sentence: Sentence
    clauses: Clauses
    anchor: frozenset[str]
    lists: tuple[tuple[str, ...], ...]  # value sets of which one value each must appear
    words: frozenset[str] | None  # word pieces it can say (samantha.template_words)
    most_words: int | None  # the most word pieces it can say
    word_clauses: tuple[frozenset[str], ...]  # whole words it must say, one of each clause


_DIGITS = frozenset("0123456789")
_MAX_RANGE_WORDS = 2000


@functools.lru_cache(maxsize=256)
def _number_words(language: str, start: int, stop: int, step: int) -> frozenset[str] | None:
    """First words of every spelled-out number in a range, as hassil's matcher knows them."""
    if (stop - start) // max(step, 1) > _MAX_RANGE_WORDS:
        return None
    try:
        engine = get_rbnf_engine(language)
    except Exception:
        return None
    words: set[str] = set()
    for number in range(start, stop + 1, step):
        for text in engine.format_number(number).text_by_ruleset.values():
            pieces = text.translate(BREAK_WORDS_TABLE).split()
            if not pieces or not _PUNCTUATION_CHARS.isdisjoint(pieces[0]):
                return None
            words.add(pieces[0].casefold())
    return frozenset(words)


def _range_clauses(slot_list: RangeSlotList, language: str | None) -> set[frozenset[str]]:
    """A number must be present: a digit, or (if allowed) the first word of a number word."""
    fragments = set(_DIGITS) if slot_list.digits else set()
    if slot_list.words:
        if not language or not isinstance(slot_list.start, int):
            return set()
        words = _number_words(language, int(slot_list.start), int(slot_list.stop),
                              int(slot_list.step))
        if words is None:
            return set()
        fragments |= words
    return {frozenset(fragments)} if fragments else set()


def _list_clauses(slot_list: SlotList | None, language: str | None) -> set[frozenset[str]]:
    """One clause naming a word of every value of a list, or none if that is unsafe."""
    if isinstance(slot_list, RangeSlotList):
        return _range_clauses(slot_list, language)
    if not isinstance(slot_list, TextSlotList) or not slot_list.values:
        return set()
    merged: set[str] = set()
    for value in slot_list.values:
        if not isinstance(value.text_in, TextChunk):
            return set()
        pieces = _text_clauses(value.text_in.text)
        if not pieces:
            return set()
        merged.update(min(pieces, key=len))
    return {frozenset(merged)}


def _plain_values(slot_list: SlotList | None) -> tuple[str, ...] | None:
    """A text list's values as they must appear in the text, if all are plain words."""
    if not isinstance(slot_list, TextSlotList) or not slot_list.values:
        return None
    values = []
    for value in slot_list.values:
        if not isinstance(value.text_in, TextChunk):
            return None
        text = " ".join(value.text_in.text.casefold().split())
        if not text or not _PLAIN.fullmatch(text):
            return None
        values.append(text)
    return tuple(values)


def _required_lists(
    exp: Expression, rules: Mapping[str, Sentence], lists: Mapping[str, SlotList], depth: int = 0
) -> set[str]:
    """Names of plain text lists one of whose values must appear whole in any match."""
    if depth > _MAX_DEPTH:
        return set()
    if isinstance(exp, Alternative):
        if exp.is_optional or not exp.items:
            return set()
        branches = [_required_lists(item, rules, lists, depth + 1) for item in exp.items]
        return set.intersection(*branches)
    if isinstance(exp, Group):
        return set().union(*(_required_lists(i, rules, lists, depth + 1) for i in exp.items))
    if isinstance(exp, RuleReference):
        rule = rules.get(exp.rule_name)
        return _required_lists(rule.expression, rules, lists, depth + 1) if rule else set()
    if isinstance(exp, ListReference) and _plain_values(lists.get(exp.list_name)):
        return {exp.list_name}
    return set()


def _required(
    exp: Expression,
    rules: Mapping[str, Sentence],
    lists: Mapping[str, SlotList],
    language: str | None,
    depth: int = 0,
) -> set[frozenset[str]]:
    """Like hassil's required clauses, plus clauses from the values of required text lists."""
    if depth > _MAX_DEPTH:
        return set()
    if isinstance(exp, TextChunk):
        return _text_clauses(exp.text)
    if isinstance(exp, Alternative):
        if exp.is_optional or not exp.items:
            return set()
        branches = [_required(item, rules, lists, language, depth + 1) for item in exp.items]
        if any(not branch for branch in branches):
            return set()
        merged: set[str] = set()
        for branch in branches:
            merged.update(min(branch, key=len))
        return {frozenset(merged)}
    if isinstance(exp, Group):
        clauses: set[frozenset[str]] = set()
        for item in exp.items:
            clauses.update(_required(item, rules, lists, language, depth + 1))
        return clauses
    if isinstance(exp, RuleReference):
        rule = rules.get(exp.rule_name)
        return _required(rule.expression, rules, lists, language, depth + 1) if rule else set()
    if isinstance(exp, ListReference):
        return _list_clauses(lists.get(exp.list_name), language)
    return set()


class Recognizer:
    """Recognizes sentences against fixed intents and slot lists (one home, one language)."""

    def __init__(
        self,
        intents: Intents,
        slot_lists: Mapping[str, SlotList] | None = None,
        *,
        language: str | None = None,
        allow_unmatched_entities: bool = False,
    ) -> None:
        self.intents = intents
        self.language = language or intents.language
        self.allow_unmatched = allow_unmatched_entities
        self.slot_lists: dict[str, SlotList] = {**intents.slot_lists, **(slot_lists or {})}
        self.skip_words = list(intents.skip_words)
        self._plain_cache: dict[int, tuple[str, ...] | None] = {}
        self._templates = list(self._compile())
        self._by_context: dict[tuple[tuple[str, Any], ...], _Index] = {}

    def _plain(self, slot_list: SlotList) -> tuple[str, ...] | None:
        # The same big lists (every device name) recur in each intent's settings: once each.
        key = id(slot_list)
        if key not in self._plain_cache:
            self._plain_cache[key] = _plain_values(slot_list)
        return self._plain_cache[key]

    def _compile(self) -> Iterator[_Template]:
        order = 0
        shared: dict[frozenset[str], frozenset[str]] = {}
        for intent in self.intents.intents.values():
            for data in intent.data:
                rules = {**self.intents.expansion_rules, **data.expansion_rules}
                lists = {**self.slot_lists, **data.slot_lists}
                plain = {name: self._plain(lst) for name, lst in lists.items()}
                settings = MatchSettings(
                    slot_lists=lists,
                    expansion_rules=rules,
                    ignore_whitespace=self.intents.settings.ignore_whitespace,
                    allow_unmatched_entities=self.allow_unmatched,
                    language=self.language,
                )
                for sentence in data.sentences:
                    literal = sentence.get_required_clauses(rules)
                    extra = (
                        set()
                        if self.allow_unmatched
                        else _required(sentence.expression, rules, lists, self.language)
                    )
                    clauses = frozenset(literal | extra)
                    # The rarest-looking clause anchors the index: fewest alternatives,
                    # then longest fragments (short ones like "on" appear everywhere).
                    anchor = (
                        min(clauses, key=lambda c: (len(c), -min(len(f) for f in c)))
                        if clauses
                        else frozenset()
                    )
                    required_lists = (
                        ()
                        if self.allow_unmatched
                        else tuple(plain[n] for n in sorted(  # type: ignore[misc]
                            _required_lists(sentence.expression, rules, lists)))
                    )
                    words = None if self.allow_unmatched else template_words(
                        sentence, rules, lists, self.language, self.skip_words)
                    if words is not None:  # one object per distinct set (tested once each)
                        words = shared.setdefault(words, words)
                    most = None if self.allow_unmatched else template_most_words(
                        sentence, rules, lists, self.language)
                    said = () if self.allow_unmatched else required_words(sentence, rules)
                    yield _Template(order, intent, data, settings, sentence, clauses, anchor,
                                    required_lists, words, most, said)
                    order += 1

    def _index(self, context: Mapping[str, Any]) -> _Index:
        key = tuple(sorted((k, v) for k, v in context.items() if isinstance(v, str)))
        index = self._by_context.get(key) if len(key) == len(context) else None
        if index is None:
            usable = [t for t in self._templates if _context_allows(t.data, context)]
            index = _Index(usable)
            if len(key) == len(context):
                self._by_context[key] = index
        return index

    def recognize_all(
        self, text: str, context: Mapping[str, Any] | None = None
    ) -> Iterator[RecognizeResult]:
        """Every match of `text`, in hassil's order."""
        context = dict(context or {})
        prepared = _Prepared(text, self.skip_words, self.intents.settings.ignore_whitespace)
        for template in self._index(context).candidates(prepared.haystack, prepared.words,
                                                        prepared.fewest_words):
            yield from self._match(template, prepared, context)

    def _match(
        self, template: _Template, prepared: _Prepared, context: dict[str, Any]
    ) -> Iterator[RecognizeResult]:
        tracked = prepared.for_sentence(template.sentence, self.slot_lists)
        attempts = [tracked]
        if prepared.had_skip_words and tracked.text == prepared.no_skip.text:
            attempts.insert(0, prepared.with_skip)
        for candidate in attempts:
            match_context = MatchContext(
                text=candidate.text,
                intent_context=context,
                intent_sentence=template.sentence,
                intent_data=template.data,
                original_text=prepared.text,
            )
            yield from _process_match_contexts(
                match_expression(template.settings, match_context, template.sentence.expression),
                template.intent,
                template.data,
                text_offsets=candidate.offsets,
                default_response="default",
                allow_unmatched_entities=self.allow_unmatched,
            )

    def recognize_best(
        self,
        text: str,
        context: Mapping[str, Any] | None = None,
        *,
        best_metadata_key: str | None = None,
        best_slot_name: str | None = None,
    ) -> RecognizeResult | None:
        """The best match, chosen exactly as `hassil.recognize_best` chooses."""
        return pick_best(self.recognize_all(text, context), best_metadata_key, best_slot_name)


def _context_allows(data: IntentData, context: Mapping[str, Any]) -> bool:
    if not context:
        return True
    if data.requires_context and not check_required_context(
        data.requires_context, dict(context), allow_missing_keys=True
    ):
        return False
    return not (
        data.excludes_context and not check_excluded_context(data.excludes_context, dict(context))
    )


class _Index:
    """Templates usable in one context, indexed by their anchor fragments."""

    def __init__(self, templates: list[_Template]) -> None:
        self.unanchored = [t for t in templates if not t.anchor]
        self.by_fragment: dict[str, list[_Template]] = {}
        for template in templates:
            for fragment in template.anchor:
                self.by_fragment.setdefault(fragment, []).append(template)

    def candidates(self, haystack: str, words: frozenset[str] | None = None,
                   fewest_words: int = 0) -> list[_Template]:
        found: dict[int, _Template] = {t.order: t for t in self.unanchored}
        for fragment, templates in self.by_fragment.items():
            if fragment in haystack:
                for template in templates:
                    found[template.order] = template
        # hassil's matcher also tries the text with '-' and '_' read as spaces
        spaced = " " + " ".join(haystack.replace("-", " ").replace("_", " ").split()) + " "
        present: dict[int, bool] = {}

        def has_value(values: tuple[str, ...]) -> bool:
            known = present.get(id(values))
            if known is None:
                known = present[id(values)] = any(f" {v} " in spaced for v in values)
            return known

        # Many templates share one word set (an intent's sentences with the same lists).
        verdicts: dict[int, bool] = {}

        def could_say(template: _Template) -> bool:
            if words is None or template.words is None:
                return True
            known = verdicts.get(id(template.words))
            if known is None:
                known = verdicts[id(template.words)] = says_all(words, template.words)
            return known

        return [
            found[order]
            for order in sorted(found)
            if (found[order].most_words is None or found[order].most_words >= fewest_words)
            and (words is None or all(not words.isdisjoint(c) for c in found[order].word_clauses))
            and could_say(found[order])
            and _has_required_fragments(found[order].clauses, haystack)
            and all(has_value(values) for values in found[order].lists)
        ]


class _Prepared:
    """The text in each form hassil's matcher tries, computed once per sentence."""

    def __init__(self, text: str, skip_words: list[str], ignore_whitespace: bool) -> None:
        self.text = text
        self.skip_words = skip_words
        self.ignore_whitespace = ignore_whitespace
        with_skip = normalize_for_matching(text)
        no_skip = with_skip.copy()
        if skip_words:
            remove_skip_words_tracked(no_skip, skip_words, ignore_whitespace)
        self.had_skip_words = no_skip.text != with_skip.text
        haystack = f"{with_skip.text.casefold()}\n{no_skip.text.casefold()}"
        if ignore_whitespace:
            haystack += "\n" + CJK_WHITESPACE.sub("", haystack)
        self.haystack = haystack
        self._raw_with_skip = with_skip
        self.no_skip = self._matchable(no_skip)
        self.with_skip = self._matchable(with_skip)
        self._at_start: TrackedText | None = None
        self._at_end: TrackedText | None = None
        # The sentence's word pieces (None: not plain ASCII, no word test), for
        # samantha.template_words: a template that cannot say one of them is not tried.
        self.words = said_words(haystack)
        # Word pieces of the shortest form tried (without skip words): a template that can
        # say fewer cannot match any form.
        self.fewest_words = len(pieces(no_skip.text))

    def _matchable(self, tracked: TrackedText) -> TrackedText:
        matchable = tracked.copy()
        if self.ignore_whitespace:
            matchable.sub(CJK_WHITESPACE)
        else:
            matchable.append(" ")
        return matchable

    def _partial(self, *, start: bool, end: bool) -> TrackedText:
        tracked = self._raw_with_skip.copy()
        remove_skip_words_tracked(
            tracked, self.skip_words, self.ignore_whitespace, start=start, end=end
        )
        return self._matchable(tracked)

    def for_sentence(self, sentence: Sentence, lists: Mapping[str, SlotList]) -> TrackedText:
        """Wildcards at a sentence's edge keep the skip words on that edge, as in hassil."""
        seq = sentence.expression
        if not isinstance(seq, SequenceExpr):
            return self.no_skip

        def wildcard(e: Expression) -> bool:
            return isinstance(e, ListReference) and isinstance(
                lists.get(e.list_name), WildcardSlotList
            )

        if len(seq.items) == 1 and wildcard(seq.items[0]):
            return self.with_skip
        if len(seq.items) > 1:
            if wildcard(seq.items[0]):
                if self._at_end is None:
                    self._at_end = self._partial(start=False, end=True)
                return self._at_end
            if wildcard(seq.items[-1]):
                if self._at_start is None:
                    self._at_start = self._partial(start=True, end=False)
                return self._at_start
        return self.no_skip


def pick_best(
    results: Iterable[RecognizeResult],
    best_metadata_key: str | None = None,
    best_slot_name: str | None = None,
) -> RecognizeResult | None:
    """hassil's recognize_best selection over any iterable of results."""
    metadata_found = False
    slot_found = False
    best: list[RecognizeResult] = []
    best_quality: int | None = None
    for result in results:
        if best_metadata_key is not None:
            metadata = result.intent_metadata or {}
            is_metadata = bool(metadata.get(best_metadata_key))
            if metadata_found and not is_metadata:
                continue
            if not metadata_found and is_metadata:
                metadata_found = True
                slot_found = False
                best = []
                best_quality = None
        if best_slot_name:
            entity = result.entities.get(best_slot_name)
            is_slot = entity is not None and not entity.is_wildcard
            if slot_found and not is_slot:
                continue
            if not slot_found and is_slot:
                slot_found = True
                best = []
            if is_slot and entity is not None and isinstance(entity.value, str):
                quality = len(entity.text)
                if best_quality is None or quality > best_quality:
                    best_quality = quality
                    best = []
                elif quality < best_quality:
                    continue
        best.append(result)
    return sorted(best, key=_get_result_score)[0] if best else None
