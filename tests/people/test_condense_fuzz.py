"""The model's condensation of a conversation is untrusted text: anything it says either
validates into an episode or is refused with ValueError (and the extractive summary is kept)."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.fuzzcount import Record, report_fuzz
from samantha.plugins.people.condense import condense, with_model
from samantha.plugins.people.conversations import Turn

TURNS = [Turn(person="anna", room="kitchen", said="I have a job interview tomorrow",
              reply="Good luck!", at=time.time())]
tried = {"count": 0}
LOOP = asyncio.new_event_loop()  # one loop for every example: starting one costs more

answers = st.one_of(
    st.text(max_size=300),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=40),
                 lambda inner: st.lists(inner, max_size=4)
                 | st.dictionaries(st.sampled_from(["summary", "mood", "threads", "about",
                                                    "follow_up", "x"]), inner, max_size=4),
                 max_leaves=12).map(json.dumps),
)


@pytest.mark.fuzz
@given(answers)
def test_any_model_answer_validates_or_is_refused(answer: str) -> None:
    tried["count"] += 1

    async def ask(_messages: list[dict[str, str]]) -> str:
        return answer

    async def both() -> None:
        try:
            condensed = await with_model(ask, TURNS, "Kitchen")
        except ValueError:
            pass
        else:
            assert 3 <= len(condensed.summary) <= 400
            assert all(due > TURNS[-1].at for _, due in condensed.threads)
        kept, how = await condense(TURNS, "Kitchen", ask)
        assert kept.summary and how in {"model", "extractive"}

    LOOP.run_until_complete(both())


def test_fuzz_count_is_reported(record_property: Record) -> None:
    report_fuzz(record_property, "condensing model answers", tried["count"])
    assert tried["count"] > 0


def teardown_module() -> None:
    LOOP.close()
