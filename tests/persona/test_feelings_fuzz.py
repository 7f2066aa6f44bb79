"""Reading how a sentence sounds (whom it is aimed at, what it says about how the house talks)
is fed whatever people (and speech recognition) say: any text gives bounded numbers and never
raises; and the person's running state stays bounded too."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.fuzzcount import FuzzCount, Record
from samantha.plugins.persona.feedback import detect
from samantha.plugins.persona.feelings import Reading, read
from samantha.plugins.persona.person_state import PersonStates, Tracked
from samantha.plugins.persona.treatment import treatment

COUNT = FuzzCount("feelings.read")
WORDS = ["I'm", "fine", "not", "sad", "!!!", "LONELY", "whatever", "my", "boss", "thank",
         "shut up", ",", "happy", "tired", "idiot", "you", "never", "😊", ".", "very"]
sentences = st.one_of(st.text(max_size=200),
                      st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join))


@pytest.mark.fuzz
@given(sentences)
def test_any_sentence_reads_as_bounded_numbers(text: str) -> None:
    reading = read(text)
    assert -1 <= reading.valence <= 1 and -1 <= reading.energy <= 1
    assert reading.words >= 0 and reading.source in {"vader", "lexicon"}
    COUNT.saw("curt" if reading.curt else "read")
    treated = treatment(text, frozenset({"samantha"}))
    for value in (treated.kindness, treated.harshness, treated.venting, treated.good_news):
        assert 0 <= value <= 1
    warmth, energy = treated.mood_effect()
    assert abs(warmth) <= 0.5 and abs(energy) <= 0.5
    for feedback in detect(text, text):
        assert feedback.kind in {"shorter", "longer", "funny", "no_jokes", "dislike"}
        assert len(feedback.what) <= 60 and len(feedback.reason) <= 140


@pytest.mark.fuzz
@given(st.lists(st.tuples(st.floats(-1, 1), st.floats(-1, 1), st.integers(0, 400)),
                max_size=30))
def test_the_running_state_stays_bounded(readings: list[tuple[float, float, int]]) -> None:
    tracked = Tracked()
    for valence, energy, words in readings:
        PersonStates._take(tracked, Reading(valence, energy, words, False, "vader"))
    state = PersonStates._state("anna", tracked, 0.0)
    assert -1 <= state.valence <= 1 and -1 <= state.energy <= 1 and 0 <= state.terseness <= 1
    COUNT.saw("state")


def test_fuzz_count_is_reported(record_property: Record) -> None:
    COUNT.report(record_property)
    assert COUNT.total > 0
