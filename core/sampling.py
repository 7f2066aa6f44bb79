"""Random sentences from hassil templates, with a home's real names and numbers.

Used to build speech-recognition grammars for a home, and by tests and benchmarks to exercise
the recognizer with sentences people could actually say.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator, Mapping
from typing import Any

from hassil.expression import (
    Alternative,
    Expression,
    Group,
    ListReference,
    Permutation,
    RuleReference,
    TextChunk,
)
from hassil.intents import Intents, RangeSlotList, SlotList, TextSlotList

_MAX_DEPTH = 30


def sample_template(exp: Expression, rng: random.Random, lists: Mapping[str, SlotList],
                    rules: Mapping[str, Any], depth: int = 0) -> str | None:
    """One random sentence from a template; None when it needs a wildcard or an empty list."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(exp, TextChunk):
        return exp.text
    if isinstance(exp, Alternative):
        return sample_template(rng.choice(exp.items), rng, lists, rules, depth + 1)
    if isinstance(exp, Permutation):
        items = list(exp.items)
        rng.shuffle(items)
        parts = [sample_template(i, rng, lists, rules, depth + 1) for i in items]
        return None if any(p is None for p in parts) else " ".join(p for p in parts if p)
    if isinstance(exp, Group):
        parts = [sample_template(i, rng, lists, rules, depth + 1) for i in exp.items]
        return None if any(p is None for p in parts) else "".join(p for p in parts if p)
    if isinstance(exp, RuleReference):
        rule = rules.get(exp.rule_name)
        return sample_template(rule.expression, rng, lists, rules, depth + 1) if rule else None
    if isinstance(exp, ListReference):
        slot_list = lists.get(exp.list_name)
        if isinstance(slot_list, TextSlotList) and slot_list.values:
            value = rng.choice(slot_list.values)
            return sample_template(value.text_in, rng, lists, rules, depth + 1)
        if isinstance(slot_list, RangeSlotList):
            return str(rng.randrange(int(slot_list.start), int(slot_list.stop) + 1,
                                     int(slot_list.step)))
    return None


def count_sentences(exp: Expression, lists: Mapping[str, SlotList], rules: Mapping[str, Any],
           cap: int, depth: int = 0) -> int:
    """How many sentences a template expands to (anything above `cap` is just `cap + 1`)."""
    if depth > 30:
        return cap + 1
    if isinstance(exp, TextChunk):
        return 1
    if isinstance(exp, Alternative):
        branches = (count_sentences(i, lists, rules, cap, depth + 1) for i in exp.items)
        return min(cap + 1, sum(branches))
    if isinstance(exp, Group):  # sequences, and permutations (n! orders)
        total = math.factorial(len(exp.items)) if isinstance(exp, Permutation) else 1
        for item in exp.items:
            total = min(cap + 1, total * count_sentences(item, lists, rules, cap, depth + 1))
        return total
    if isinstance(exp, RuleReference):
        rule = rules.get(exp.rule_name)
        return count_sentences(rule.expression, lists, rules, cap, depth + 1) if rule else 0
    if isinstance(exp, ListReference):
        found = lists.get(exp.list_name)
        if isinstance(found, TextSlotList):
            return min(cap + 1, sum(count_sentences(v.text_in, lists, rules, cap, depth + 1)
                                    for v in found.values))
    return cap + 1  # ranges and wildcards: sample instead


def expand_template(exp: Expression, lists: Mapping[str, SlotList],
            rules: Mapping[str, Any]) -> Iterator[str]:
    """Every sentence of a small template (call only when `_count` is below the cap)."""
    if isinstance(exp, TextChunk):
        yield exp.text
    elif isinstance(exp, Alternative):
        for item in exp.items:
            yield from expand_template(item, lists, rules)
    elif isinstance(exp, Permutation):
        for order in itertools.permutations(exp.items):
            options = [list(expand_template(i, lists, rules)) for i in order]
            for parts in itertools.product(*options):
                yield " ".join(p for p in parts if p)
    elif isinstance(exp, Group):
        options = [list(expand_template(i, lists, rules)) for i in exp.items]
        for parts in itertools.product(*options):
            yield "".join(parts)
    elif isinstance(exp, RuleReference):
        rule = rules.get(exp.rule_name)
        if rule:
            yield from expand_template(rule.expression, lists, rules)
    elif isinstance(exp, ListReference):
        found = lists.get(exp.list_name)
        if isinstance(found, TextSlotList):
            for value in found.values:
                yield from expand_template(value.text_in, lists, rules)


def sample_intents(intents: Intents, slot_lists: Mapping[str, SlotList], *, per_template: int,
                   seed: int = 0, only: set[str] | None = None, rng: random.Random | None = None,
                   expand_up_to: int = 0) -> Iterator[tuple[str, str]]:
    """(intent name, sentence) pairs: `per_template` random sentences from every template.

    Templates with at most `expand_up_to` sentences are expanded completely instead (a speech
    grammar wants every way of saying "turn on the kitchen lights", not a sample of them).
    """
    rng = rng or random.Random(seed)
    for intent in intents.intents.values():
        if only is not None and intent.name not in only:
            continue
        for data in intent.data:
            rules = {**intents.expansion_rules, **data.expansion_rules}
            lists = {**intents.slot_lists, **slot_lists, **data.slot_lists}
            for sentence in data.sentences:
                if expand_up_to and count_sentences(
                        sentence.expression, lists, rules, expand_up_to) <= expand_up_to:
                    for text in expand_template(sentence.expression, lists, rules):
                        if text.strip():
                            yield intent.name, " ".join(text.split())
                    continue
                for _ in range(per_template):
                    text = sample_template(sentence.expression, rng, lists, rules)
                    if text and text.strip():
                        yield intent.name, " ".join(text.split())
