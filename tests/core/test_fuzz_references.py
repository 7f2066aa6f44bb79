"""Fuzzing the reference check: any names, declared or referred to, give an answer, never a
traceback; a declared name in any case is always found; a suggestion is always a declared word."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.fuzzcount import FuzzCount, Record
from samantha.home import normalize_name
from samantha.references import References, check_references

names = st.text(max_size=30) | st.sampled_from(["Kitchen", "Living Room", "living_room", "all",
                                                  "{{ x }}", "", " ", "Küche", "客厅", "_"])
COUNT = FuzzCount("reference check")


@pytest.mark.fuzz
@given(declared=st.lists(st.tuples(names, st.lists(names, max_size=3)), max_size=6),
       wanted=st.lists(names, max_size=6), open_kind=st.booleans())
def test_any_names_give_issues_or_nothing(declared: list[tuple[str, list[str]]],
                                           wanted: list[str], open_kind: bool) -> None:
    found = References()
    found.declares_kind("room")
    words: set[str] = set()
    for name, also in declared:
        found.declare("room", name, *also)
        words |= {name, *also}
    for index, value in enumerate(wanted):
        found.refer("room", value, ("x", index), accept=["all"])
    shouted = [w for w in sorted(words) if normalize_name(w.upper()) == normalize_name(w)]
    for index, name in enumerate(shouted):
        found.refer("room", name.upper(), ("declared", index))
    if open_kind:
        found.open_kind("room", "fuzz")
    issues = check_references(found, None)
    COUNT.saw("issues" if issues else "clean")
    if open_kind:
        assert issues == []
    for issue in issues:
        assert issue.path[0] != "declared", issue  # a declared name, in capitals
        assert issue.message.startswith("no room called ")
        if issue.hint and issue.hint.startswith("did you mean "):
            assert issue.hint[len("did you mean "):-1] in {repr(w) for w in words}


def test_report(record_property: Record) -> None:
    COUNT.report(record_property)
