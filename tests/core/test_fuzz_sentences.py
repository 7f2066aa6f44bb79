"""Fuzzing the text path: any sentence (unicode, controls, surrogates, huge) gets an answer."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.fuzzcount import FuzzCount, Record
from samantha.house import House

WORDS = ["turn", "on", "off", "the", "lamp", "kitchen", "light", "set", "to", "%", "50",
         "brightness", "what", "is", "in", "open", "blinds", "{name}", "[", "]", "(", ")",
         "|", "<", ">", "\u0000", "\u202e", "\ufeff", "\ud800", "\U0001f4a1", "ß", "İ"]

sentences = (
    st.sampled_from(["turn on the lamp", "turn off the kitchen light", "what time is it",
                     "set the counter lights to 40%", "open the kitchen blinds"])
    | st.text(max_size=300)
    | st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join)
    | st.text(alphabet=st.characters(codec=None), min_size=400, max_size=5000)
    | st.binary(max_size=200).map(lambda b: b.decode("utf-8", "surrogateescape"))
)


@pytest.mark.fuzz
def test_any_sentence_gets_an_answer_without_a_traceback(
        record_property: Record) -> None:
    count = FuzzCount("sentences")
    loop = asyncio.new_event_loop()
    house = House.prepare(None)
    loop.run_until_complete(house.start())
    try:
        @given(sentences, st.sampled_from(["kitchen", "office", "living_room"]))
        def one(text: str, room: str) -> None:
            start = time.monotonic()
            outcome = loop.run_until_complete(house.handle_text(text, room))
            assert isinstance(outcome.reply, str)
            json.dumps(outcome.public()).encode("utf-8")  # always serialisable, valid UTF-8
            outcome.reply.encode("utf-8")
            assert time.monotonic() - start < 2.0
            count.saw("understood" if outcome.intent else "not understood")

        one()
    finally:
        loop.run_until_complete(house.stop())
        loop.close()
    count.report(record_property)
    assert count.total > 0
