"""Home Assistant's own English intent tests (1,110 sentences), in one fixture house.

Every sentence goes through the house's recognizer and must give HA's expected intent, slot
combination and slots (compared as HA's runner compares them), and then through
`house.handle_text`, whose effect on the house is checked per intent (tests/harness/ha_effects.py).
Documented exceptions: tests/data/ha_intents/exceptions.yaml. Carried-out counts may only rise:
tests/data/ha_intents/carried_out_floor.yaml holds today's per intent.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml
from hassil import recognize_best

from harness.ha_corpus import DATA, Case, load_cases, write_fixture_house
from harness.ha_effects import CaseResult, run_corpus
from samantha.house import BEST_METADATA, BEST_SLOT, House

CASES = load_cases()
INTENTS = sorted({c.intent for c in CASES})


def _exceptions(section: str) -> dict[tuple[str, str], str]:
    data = yaml.safe_load((DATA / "exceptions.yaml").read_text()) or {}
    return {(entry["file"], sentence): entry["reason"]
            for entry in data.get(section) or [] for sentence in entry["sentences"]}


DISAGREEMENTS: list[str] = []  # sentences where Samantha's recognizer and hassil differ


def _key(result: Any) -> Any:
    if result is None:
        return None
    return (result.intent.name, sorted((k, repr(e.value)) for k, e in result.entities.items()))


def _agreement(house: House, cases: tuple[Case, ...]) -> list[str]:
    """Plain hassil on the same sentences, slot lists and context: the same result?"""
    ours = house.recognizer()
    kwargs = {"best_metadata_key": BEST_METADATA, "best_slot_name": BEST_SLOT}
    differ = []
    for case in cases:
        room = house.room(case.room).id
        theirs = recognize_best(case.sentence, ours.intents, slot_lists=ours.slot_lists,
                                intent_context={"area": room}, language=ours.language, **kwargs)
        if _key(theirs) != _key(ours.recognize_best(case.sentence, {"area": room}, **kwargs)):
            differ.append(case.sentence)
    return differ


@pytest.fixture(scope="module")
def results() -> dict[str, list[CaseResult]]:
    async def run() -> list[CaseResult]:
        with tempfile.TemporaryDirectory() as tmp:
            house = House.prepare(write_fixture_house(Path(tmp)))
            async with house:
                # every third sentence against plain hassil (all of them: bench/intents.py)
                DISAGREEMENTS[:] = _agreement(house, CASES[::3])
                return await run_corpus(house, CASES)

    by_intent: dict[str, list[CaseResult]] = defaultdict(list)
    for result in asyncio.run(run()):
        by_intent[result.case.intent].append(result)
    _print_table(by_intent)
    return by_intent


def test_recognizer_agrees_with_plain_hassil(results: dict[str, list[CaseResult]]) -> None:
    assert results and not DISAGREEMENTS


def _print_table(by_intent: dict[str, list[CaseResult]]) -> None:
    rows = []
    for intent in INTENTS:
        found = by_intent[intent]
        rows.append((intent, len(found), sum(r.recognition is None for r in found),
                     sum(r.effect is None for r in found), found[0].handled))
    total = sum(r[1] for r in rows)
    print(f"\n{'intent':<32}{'sentences':>10}{'intent+slots':>14}{'carried out':>13}")
    for intent, n, recognized, carried, handled in rows:
        print(f"{intent:<32}{n:>10}{recognized:>14}{carried:>13}"
              f"{'' if handled else '  (no handler)'}")
    print(f"{'all':<32}{total:>10}{sum(r[2] for r in rows) / total:>14.2%}"
          f"{sum(r[3] for r in rows) / total:>13.2%}")


def test_the_corpus_is_the_pinned_release() -> None:
    from importlib.metadata import version

    assert version("home-assistant-intents") == "2026.7.30"
    assert "2f08327a9913e2353e1a64ac59a58f9171bfb616" in (DATA / "README.md").read_text()
    assert len(CASES) == 1110 and len(INTENTS) == 41


@pytest.mark.parametrize("intent", INTENTS)
def test_intent_and_slots_as_ha_expects(results: dict[str, list[CaseResult]],
                                        intent: str) -> None:
    excepted = _exceptions("recognition")
    wrong = [f"{r.case.sentence!r} ({r.case.file}): {r.recognition}" for r in results[intent]
             if r.recognition and (r.case.file, r.case.sentence) not in excepted]
    stale = [r.case.sentence for r in results[intent]
             if r.recognition is None and (r.case.file, r.case.sentence) in excepted]
    assert not wrong, "\n".join(wrong)
    assert not stale, f"these pass now; remove them from exceptions.yaml: {stale}"


def test_recognition_is_at_least_99_percent(results: dict[str, list[CaseResult]]) -> None:
    every = [r for found in results.values() for r in found]
    assert sum(r.recognition is None for r in every) / len(every) >= 0.99


def _floor() -> dict[str, int]:
    return yaml.safe_load((DATA / "carried_out_floor.yaml").read_text()) or {}


@pytest.mark.parametrize("intent", INTENTS)
def test_carried_out_on_the_fixture_house(results: dict[str, list[CaseResult]],
                                          intent: str) -> None:
    found = results[intent]
    if not found[0].handled:
        # No handler yet: the house must say so, and touch nothing (checked by the answer
        # naming no success and by the effect check never passing).
        assert all(r.effect == "no handler" and "can't" in r.reply for r in found), \
            [r.reply for r in found]
        assert _floor().get(intent, 0) == 0
        return
    excepted = _exceptions("carried_out")
    stale = [r.case.sentence for r in found
             if r.effect is None and (r.case.file, r.case.sentence) in excepted]
    assert not stale, f"these are carried out now; remove them from exceptions.yaml: {stale}"
    counted = [r for r in found if (r.case.file, r.case.sentence) not in excepted]
    carried = sum(r.effect is None for r in counted)
    floor = _floor().get(intent, 0)
    failures = "\n".join(f"{r.case.sentence!r}: {r.effect}" for r in counted if r.effect)
    assert carried >= floor, (
        f"{intent}: {carried} of {len(counted)} carried out, fewer than the {floor} before:\n"
        f"{failures}")
    if carried > floor:
        print(f"{intent}: {carried} carried out, more than the floor of {floor}: raise it in "
              "carried_out_floor.yaml")


def test_no_sentence_crashes_a_handler(results: dict[str, list[CaseResult]]) -> None:
    crashed = [r.case.sentence for found in results.values() for r in found
               if "something went wrong" in r.reply.casefold()]
    assert not crashed


def summary(results: dict[str, list[CaseResult]]) -> dict[str, Any]:
    every = [r for found in results.values() for r in found]
    return {"sentences": len(every),
            "intent_and_slots": sum(r.recognition is None for r in every) / len(every),
            "carried_out": sum(r.effect is None for r in every) / len(every)}
