"""The recognizer's word tests (samantha.template_words) never drop a template that matches.

Fuzzed sentences (real ones sampled from every template with the demo house's names, then a
word dropped, added or replaced, so that many nearly match) must get exactly plain hassil's
result.
"""

from __future__ import annotations

import asyncio

import pytest
from hassil import recognize_best
from hypothesis import given
from hypothesis import strategies as st

from harness.fuzzcount import FuzzCount, Record
from samantha.house import BEST_METADATA, BEST_SLOT, House
from samantha.sampling import sample_intents
from samantha.template_words import pieces, says_all, template_most_words, template_words

WORDS = ["turn", "on", "off", "the", "lights", "light", "kitchen", "in", "set", "to", "50",
         "%", "percent", "brightness", "what", "is", "temperature", "open", "close", "blinds",
         "timer", "for", "5", "minutes", "minute", "cancel", "my", "please", "all", "fan",
         "ceiling", "counter", "office", "bedroom", "lamp", "desk", "red", "up", "down",
         "volume", "pause", "play", "add", "list", "shopping", "apples", "upstairs", "first",
         "floor", "anyone", "home", "lock", "front", "door", "degrees", "it", "what's",
         "living", "room", "hall", "thirty", "two", "-", "?"]


def test_a_word_of_the_sentence_is_a_run_of_template_pieces() -> None:
    words = frozenset({"light", "s", "turn", "on"})
    assert says_all(frozenset(pieces("turn on lights")), words)
    assert not says_all(frozenset(pieces("turn on lamps")), words)


def test_wildcards_have_no_word_set() -> None:
    from hassil.intents import WildcardSlotList
    from hassil.parse_expression import parse_sentence

    sentence = parse_sentence("play {query}")
    lists = {"query": WildcardSlotList(name="query")}
    assert template_words(sentence, {}, lists, "en", []) is None
    assert template_most_words(sentence, {}, lists, "en") is None


@pytest.mark.fuzz
def test_same_result_as_plain_hassil(record_property: Record) -> None:
    count = FuzzCount("template words")
    loop = asyncio.new_event_loop()
    house = House.prepare(None)
    loop.run_until_complete(house.start())
    ours = house.recognizer()
    kwargs = {"best_metadata_key": BEST_METADATA, "best_slot_name": BEST_SLOT}

    def key(result: object) -> object:
        if result is None:
            return None
        return (result.intent.name,  # type: ignore[attr-defined]
                sorted((k, repr(e.value))
                       for k, e in result.entities.items()))  # type: ignore[attr-defined]

    try:
        real = sorted({text for _intent, text in sample_intents(
            ours.intents, ours.slot_lists, per_template=1, seed=3)})

        @st.composite
        def sentences(draw: st.DrawFn) -> str:
            words = draw(st.sampled_from(real)).split()
            change = draw(st.sampled_from(["keep", "drop", "add", "replace"]))
            at = draw(st.integers(0, len(words)))
            if change == "drop" and at < len(words):
                del words[at]
            elif change == "add":
                words.insert(at, draw(st.sampled_from(WORDS)))
            elif change == "replace" and at < len(words):
                words[at] = draw(st.sampled_from(WORDS))
            return " ".join(words)

        @given(sentences() | st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(
            " ".join), st.sampled_from(["kitchen", "office", "living_room"]))
        def one(text: str, room: str) -> None:
            theirs = recognize_best(text, ours.intents, slot_lists=ours.slot_lists,
                                    intent_context={"area": room}, language=ours.language,
                                    **kwargs)
            mine = ours.recognize_best(text, {"area": room}, **kwargs)
            assert key(mine) == key(theirs), text
            count.saw("matched" if mine else "no match")

        one()
    finally:
        loop.run_until_complete(house.stop())
        loop.close()
    count.report(record_property)
    assert count.total > 0
