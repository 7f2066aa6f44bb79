"""Fuzz the dashboard's request-body parsing: any bytes give a model or a clear BadRequest."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.fuzzcount import Record, report_fuzz
from samantha.plugins.web.api import BadRequest, DeviceBody, EnabledBody, SayBody, parse_body

MODELS = [SayBody, DeviceBody, EnabledBody]
tried = {"inputs": 0, "accepted": 0}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["room", "text", "action", "params", "confirm", "enabled", "x"])
        | st.text(max_size=8), inner, max_size=5),
    max_leaves=12)
near_valid = st.fixed_dictionaries(
    {"room": st.text(max_size=120), "text": st.text(max_size=600)},
    optional={"action": st.text(max_size=50), "params": st.dictionaries(st.text(max_size=5),
              st.integers()), "confirm": st.booleans(), "enabled": st.booleans()})
bodies = st.binary(max_size=300) | (json_values | near_valid).map(
    lambda v: json.dumps(v).encode())


@given(raw=bodies, which=st.sampled_from(MODELS))
def _parse_or_refuse(raw: bytes, which: type) -> None:
    tried["inputs"] += 1
    try:
        parse_body(raw, which)
    except BadRequest as err:
        assert err.status in {400, 413} and err.message
        assert err.where is None or err.where.startswith("body")
    else:
        tried["accepted"] += 1


@pytest.mark.fuzz
def test_any_body_parses_or_is_refused_clearly(record_property: Record) -> None:
    _parse_or_refuse()
    assert tried["inputs"] > 0
    report_fuzz(record_property, "web request bodies", tried["inputs"],
                f"{tried['accepted']} accepted")
