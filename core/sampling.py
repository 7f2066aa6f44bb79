"""Random sentences from hassil templates, with a home's real names and numbers.

Used to build speech-recognition grammars for a home, and by tests and benchmarks to exercise
the recognizer with sentences people could actually say.
"""

from __future__ import annotations

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


def sample_intents(intents: Intents, slot_lists: Mapping[str, SlotList], *, per_template: int,
                   seed: int = 0, only: set[str] | None = None) -> Iterator[tuple[str, str]]:
    """(intent name, sentence) pairs: `per_template` random sentences from every template."""
    rng = random.Random(seed)
    for intent in intents.intents.values():
        if only is not None and intent.name not in only:
            continue
        for data in intent.data:
            rules = {**intents.expansion_rules, **data.expansion_rules}
            lists = {**intents.slot_lists, **slot_lists, **data.slot_lists}
            for sentence in data.sentences:
                for _ in range(per_template):
                    text = sample_template(sentence.expression, rng, lists, rules)
                    if text and text.strip():
                        yield intent.name, " ".join(text.split())
