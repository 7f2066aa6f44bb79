"""The words a sentence template can say: a sound, cheap test before hassil's matcher.

hassil consumes the whole sentence with a template's literal text chunks and its lists' values.
Splitting every chunk and value at spaces and punctuation gives the template's word pieces; a
sentence word the template could produce is then a run of such pieces ("lights" = "light" + the
optional "s"). A sentence with a word that is no such run cannot match the template, so the
matcher need not try it. Templates with a wildcard, an unbounded number range or anything this
module cannot enumerate get no word set (always tried); so do non-ASCII sentences, where case
folding is subtler than this test.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from hassil.expression import (
    Alternative,
    Expression,
    Group,
    ListReference,
    RuleReference,
    Sentence,
    TextChunk,
)
from hassil.intents import RangeSlotList, SlotList, TextSlotList
from hassil.numbers import get_rbnf_engine

_MAX_DEPTH = 50
_MAX_RANGE = 2000
_PIECE = re.compile(r"[^\W_]+")
_ASCII = re.compile(r"[\x00-\x7f]*")


class Unbounded(Exception):
    """The template can say words this module cannot list."""


def pieces(text: str) -> list[str]:
    """Word pieces of a text: lower case, split at spaces and punctuation."""
    return _PIECE.findall(text.casefold())


@functools.lru_cache(maxsize=64)
def _range_words(language: str | None, start: int, stop: int, step: int) -> frozenset[str]:
    if (stop - start) // max(step, 1) > _MAX_RANGE or not language:
        raise Unbounded
    try:
        engine = get_rbnf_engine(language)
    except Exception as err:
        raise Unbounded from err
    words: set[str] = set()
    for number in range(start, stop + 1, step):
        for text in engine.format_number(number).text_by_ruleset.values():
            words.update(pieces(text))
    return frozenset(words)


def _list_words(slot_list: SlotList | None, rules: Mapping[str, Sentence],
                lists: Mapping[str, SlotList], language: str | None, depth: int) -> set[str]:
    if isinstance(slot_list, RangeSlotList):
        words: set[str] = set()
        if slot_list.words:
            if not isinstance(slot_list.start, int) or slot_list.fraction_type is not None:
                raise Unbounded
            words |= _range_words(slot_list.words_language or language, int(slot_list.start),
                                  int(slot_list.stop), int(slot_list.step))
        if slot_list.digits or slot_list.fraction_type is not None:
            words.add("#")  # any run of digits
        return words
    if isinstance(slot_list, TextSlotList):
        words = set()
        for value in slot_list.values:
            words |= _words(value.text_in, rules, lists, language, depth + 1)
        return words
    raise Unbounded  # wildcards, and lists the home does not define


def _words(exp: Expression, rules: Mapping[str, Sentence], lists: Mapping[str, SlotList],
           language: str | None, depth: int = 0) -> set[str]:
    if depth > _MAX_DEPTH:
        raise Unbounded
    if isinstance(exp, TextChunk):
        return set(pieces(exp.text))
    if isinstance(exp, Group):
        words: set[str] = set()
        for item in exp.items:
            words |= _words(item, rules, lists, language, depth + 1)
        return words
    if isinstance(exp, RuleReference):
        rule = rules.get(exp.rule_name)
        if rule is None:
            raise Unbounded
        return _words(rule.expression, rules, lists, language, depth + 1)
    if isinstance(exp, ListReference):
        return _list_words(lists.get(exp.list_name), rules, lists, language, depth)
    raise Unbounded


def template_words(sentence: Sentence, rules: Mapping[str, Sentence],
                   lists: Mapping[str, SlotList], language: str | None,
                   skip_words: list[str]) -> frozenset[str] | None:
    """Every word piece the template (and the skip words) can say, or None if unbounded."""
    try:
        words = _words(sentence.expression, rules, lists, language)
    except Unbounded:
        return None
    for skip in skip_words:
        words.update(pieces(skip))
    return frozenset(words)


def _range_most(slot_list: RangeSlotList, language: str | None) -> int:
    """The most word pieces one number of the range can be said with (digits or words)."""
    most = 3  # "-20.5", and a unit word hassil may take with it
    if slot_list.words:
        if not isinstance(slot_list.start, int) or slot_list.fraction_type is not None:
            raise Unbounded
        most = max(most, _range_most_words(slot_list.words_language or language,
                                           int(slot_list.start), int(slot_list.stop),
                                           int(slot_list.step)))
    return most


@functools.lru_cache(maxsize=64)
def _range_most_words(language: str | None, start: int, stop: int, step: int) -> int:
    if (stop - start) // max(step, 1) > _MAX_RANGE or not language:
        raise Unbounded
    try:
        engine = get_rbnf_engine(language)
    except Exception as err:
        raise Unbounded from err
    return max(len(pieces(text)) for number in range(start, stop + 1, step)
               for text in engine.format_number(number).text_by_ruleset.values())


def _most(exp: Expression, rules: Mapping[str, Sentence], lists: Mapping[str, SlotList],
          language: str | None, depth: int = 0) -> int:
    """The most word pieces the expression can say (each sentence word holds at least one)."""
    if depth > _MAX_DEPTH:
        raise Unbounded
    if isinstance(exp, TextChunk):
        return len(pieces(exp.text))
    if isinstance(exp, Alternative):
        return max((_most(i, rules, lists, language, depth + 1) for i in exp.items), default=0)
    if isinstance(exp, Group):  # sequences and permutations say every item
        return sum(_most(i, rules, lists, language, depth + 1) for i in exp.items)
    if isinstance(exp, RuleReference):
        rule = rules.get(exp.rule_name)
        if rule is None:
            raise Unbounded
        return _most(rule.expression, rules, lists, language, depth + 1)
    if isinstance(exp, ListReference):
        slot_list = lists.get(exp.list_name)
        if isinstance(slot_list, RangeSlotList):
            return _range_most(slot_list, language)
        if isinstance(slot_list, TextSlotList):
            return max((_most(v.text_in, rules, lists, language, depth + 1)
                        for v in slot_list.values), default=0)
    raise Unbounded


def template_most_words(sentence: Sentence, rules: Mapping[str, Sentence],
                        lists: Mapping[str, SlotList], language: str | None) -> int | None:
    """The most word pieces the template can say, or None if unbounded. A sentence (without
    its skip words) with more pieces cannot match it."""
    try:
        return _most(sentence.expression, rules, lists, language)
    except Unbounded:
        return None


def _chunk_words(text: str, left: bool, right: bool) -> set[frozenset[str]]:
    """Whole words of a literal chunk: those with a space (or a bounded edge) on each side."""
    tokens = text.split(" ")
    found = set()
    for index, token in enumerate(tokens):
        whole_left = index > 0 or left
        whole_right = index < len(tokens) - 1 or right
        if token and whole_left and whole_right and pieces(token) == [token.casefold()]:
            found.add(frozenset({token.casefold()}))
    return found


def _word_clauses(exp: Expression, rules: Mapping[str, Sentence], left: bool, right: bool,
                  depth: int = 0) -> set[frozenset[str]]:
    """Clauses of whole words, one word of each of which any match says as a word of its own
    (hassil's required fragments are substrings: "in" is in "minutes")."""
    if depth > _MAX_DEPTH:
        return set()
    if isinstance(exp, TextChunk):
        return _chunk_words(exp.text, left, right)
    if isinstance(exp, Alternative):
        if exp.is_optional or not exp.items:
            return set()
        branches = [_word_clauses(i, rules, left, right, depth + 1) for i in exp.items]
        if any(not b for b in branches):
            return set()
        return {frozenset().union(*(min(b, key=len) for b in branches))}
    if isinstance(exp, Group) and type(exp).__name__ == "Sequence":
        found: set[frozenset[str]] = set()
        items = exp.items
        for index, item in enumerate(items):
            before = items[index - 1] if index > 0 else None
            after = items[index + 1] if index + 1 < len(items) else None
            item_left = left if before is None else (
                isinstance(before, TextChunk) and before.text.endswith(" "))
            item_right = right if after is None else (
                isinstance(after, TextChunk) and after.text.startswith(" "))
            found |= _word_clauses(item, rules, item_left, item_right, depth + 1)
        return found
    if isinstance(exp, RuleReference):
        rule = rules.get(exp.rule_name)
        return set() if rule is None else _word_clauses(rule.expression, rules, left, right,
                                                        depth + 1)
    return set()


def required_words(sentence: Sentence, rules: Mapping[str, Sentence]) -> tuple[frozenset[str], ...]:
    """Clauses of whole words every match of the template says (see _word_clauses)."""
    return tuple(_word_clauses(sentence.expression, rules, True, True))


def _says(word: str, words: frozenset[str]) -> bool:
    """Whether one sentence word is a run of the template's word pieces."""
    if word in words or (word.isdigit() and "#" in words):
        return True
    ends = [False] * (len(word) + 1)
    ends[0] = True
    for end in range(1, len(word) + 1):
        for start in range(end):
            if ends[start]:
                piece = word[start:end]
                if piece in words or (piece.isdigit() and "#" in words):
                    ends[end] = True
                    break
    return ends[-1]


def said_words(text: str) -> frozenset[str] | None:
    """A sentence's word pieces, or None when it is not plain ASCII (then no test applies)."""
    return frozenset(pieces(text)) if _ASCII.fullmatch(text) else None


@functools.lru_cache(maxsize=65536)
def _says_cached(word: str, words: frozenset[str]) -> bool:
    return _says(word, words)


def says_all(said: frozenset[str], words: frozenset[str] | None) -> bool:
    """False only when a template with these word pieces cannot say all of `said`."""
    if words is None:
        return True
    missing = said - words
    return not missing or all(_says_cached(word, words) for word in missing)
