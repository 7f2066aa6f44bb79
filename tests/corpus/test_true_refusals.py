"""Refusals are true: HA's 1,110 test sentences said in the demo house, which lacks most of
their devices and rooms. Each "I don't know a room/floor/device called X" must name X as HA's
test says it was said (the sentence's name, area or floor slot); anything else is the persona's.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from harness.ha_corpus import Case, load_cases
from samantha.house import House
from samantha.refusals import DEVICE_WORDS

pytestmark = pytest.mark.asyncio(loop_scope="module")
REFUSAL = re.compile(r"I don't know an? (room or a device|room|floor|device|list) called (.+)\.$")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def refusals() -> AsyncIterator[list[tuple[Case, str, str]]]:
    found = []
    async with House.prepare(None) as house:
        for case in load_cases():
            outcome = await house.handle_text(case.sentence, "kitchen")
            match = REFUSAL.search(outcome.reply)
            if match:
                found.append((case, match.group(1), match.group(2)))
    yield found


def _said(case: Case) -> set[str]:
    names = set()
    for slot in ("name", "area", "floor"):
        value = case.slots.get(slot)
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str):
                names.add(v.casefold())
    return names


def _true(case: Case, called: str) -> bool:
    said = _said(case)
    words = called.casefold().split()
    # "clippy mower" for the mower called Clippy: the name as said, with its device word
    return called.casefold() in said or (words[-1] in DEVICE_WORDS
                                         and " ".join(words[:-1]) in said)


async def test_every_refusal_names_what_was_said(refusals: list[tuple[Case, str, str]]) -> None:
    false = [f"{c.sentence!r}: a {kind} called {called!r} (HA: {c.slots})"
             for c, kind, called in refusals if not _true(c, called)]
    assert not false, "\n".join(false)
    # The demo house lacks most of the corpus's names: there must be many true refusals.
    assert len(refusals) > 150


async def test_a_room_refusal_only_for_an_area_or_floor_slot(
        refusals: list[tuple[Case, str, str]]) -> None:
    for case, kind, called in refusals:
        if kind in ("room", "floor"):
            slot = "area" if kind == "room" else "floor"
            value = case.slots.get(slot)
            values = value if isinstance(value, list) else [value]
            assert called.casefold() in {str(v).casefold() for v in values}, case.sentence
