"""Sentences sampled from every template of every intent, said in every room of the every-kind
house: whatever is recognized is carried out or explained, never a crash or "can't do it yet"."""

from __future__ import annotations

import logging
import time
from collections import Counter

import pytest

from samantha.house import House
from samantha.sampling import sample_intents

FAILURES = ("something went wrong", "can't do it yet", "no plugin provides it")


async def test_sampled_sentences_of_every_intent(house: House,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    recognizer = house.recognizer()
    rooms = list(house.home.rooms.values())
    started = time.perf_counter()
    said: Counter[str] = Counter()
    problems = []
    for n, (intent, text) in enumerate(sample_intents(
            recognizer.intents, recognizer.slot_lists, per_template=1, seed=14)):
        if intent.startswith("Samantha") and intent not in ("SamanthaAlarmArm",
                                                            "SamanthaAlarmDisarm"):
            continue  # the persona's memory sentences are its own tests' business
        outcome = await house.handle_text(text, rooms[n % len(rooms)].id)
        said[intent] += 1
        if any(f in outcome.reply for f in FAILURES):
            problems.append(f"{intent}: {text!r} -> {outcome.reply!r}")
    crashes = [r.getMessage() for r in caplog.records if "failed on" in r.getMessage()]
    print(f"sampled {sum(said.values())} sentences of {len(said)} intents in "
          f"{time.perf_counter() - started:.1f} s")
    missing = sorted(set(recognizer.intents.intents) - set(said))
    print("not sampled (wildcard slots: covered in test_text_path):", missing)
    assert len(said) >= 35
    assert not crashes, crashes[:10]
    assert not problems, "\n".join(problems[:30])
