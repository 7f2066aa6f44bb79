"""Fuzzing the server's frame decoder with raw bytes and with real frames cut anywhere."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from wyoming.event import Event, write_event

from samantha.plugins.wyoming.framing import FrameDecoder, Limits, ProtocolError

LIMITS = Limits(header_bytes=512, data_bytes=1024, payload_bytes=2048)
tried = {"raw": 0, "frames": 0}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12)


def _decode(chunks: list[bytes]) -> list[Event]:
    decoder = FrameDecoder(LIMITS)
    events: list[Event] = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    return events


@pytest.mark.fuzz
@given(st.lists(st.binary(max_size=300), max_size=8))
def test_raw_bytes_give_events_or_a_protocol_error(chunks: list[bytes]) -> None:
    tried["raw"] += 1
    try:
        events = _decode(chunks)
    except ProtocolError:
        return
    for event in events:
        assert isinstance(event.type, str) and isinstance(event.data, dict)
        assert len(event.payload or b"") <= LIMITS.payload_bytes


@pytest.mark.fuzz
@given(st.lists(st.tuples(st.text(min_size=1, max_size=20), st.dictionaries(
    st.text(max_size=10), json_values, max_size=4), st.binary(max_size=200)), max_size=5),
    st.lists(st.integers(min_value=1, max_value=64), min_size=1, max_size=10))
def test_real_frames_cut_anywhere_decode_to_the_same_events(
        frames: list[tuple[str, dict[str, object], bytes]], cuts: list[int]) -> None:
    tried["frames"] += 1
    buffer = io.BytesIO()
    sent = [Event(kind, data, payload or None) for kind, data, payload in frames]
    for event in sent:
        write_event(event, buffer)
    wire = buffer.getvalue()
    chunks, at, i = [], 0, 0
    while at < len(wire):
        step = cuts[i % len(cuts)]
        chunks.append(wire[at : at + step])
        at, i = at + step, i + 1
    try:
        got = _decode(chunks)
    except ProtocolError as err:
        # Only the limits may refuse a well-formed frame.
        assert "exceeds" in str(err) or "longer than" in str(err)
        return
    assert [(e.type, e.data, e.payload) for e in got] == [
        (e.type, e.data, e.payload) for e in sent]


def teardown_module() -> None:
    print(f"\nwyoming frame fuzzing tried {tried['raw']} raw inputs and "
          f"{tried['frames']} frame sequences")
