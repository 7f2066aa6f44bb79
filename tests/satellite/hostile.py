"""Hypothesis strategies for hostile Hermes traffic: WAV frames with every header field fuzzed,
truncated or lying about their size, and JSON that is malformed, deep, huge, binary or
Hermes-shaped with wrong values. Used by the fuzzers and by the flood at a running hub."""

from __future__ import annotations

import json
import struct

import numpy as np
from hypothesis import strategies as st

from samantha.plugins.satellite import hermes
from samantha.plugins.satellite.limits import STANDARD_RATES

U32 = st.one_of(st.sampled_from([0, 1, 16, 36, 2**31, 2**32 - 1]),
                st.integers(0, 2**32 - 1))
U16 = st.one_of(st.sampled_from([0, 1, 2, 8, 9, 16, 0xFFFE, 0xFFFF]), st.integers(0, 2**16 - 1))
RATES = st.one_of(st.sampled_from(sorted(STANDARD_RATES)),
                  st.sampled_from([0, 1, 2, 7, 8001, 47999, 96000, 192000, 2**32 - 1]), U32)


@st.composite
def wav_frames(draw: st.DrawFn) -> bytes:
    """A RIFF/WAVE payload built field by field; any field may lie."""
    channels = draw(st.one_of(st.integers(1, 2), U16))
    bits = draw(st.one_of(st.just(16), U16))
    rate = draw(RATES)
    fmt_body = struct.pack("<HHIIHH", draw(st.one_of(st.just(1), st.just(0xFFFE), U16)),
                           channels, rate, draw(U32), draw(U16), bits)
    fmt_body += draw(st.binary(max_size=30))
    fmt_size = draw(st.one_of(st.just(len(fmt_body)), U32))
    samples = draw(st.one_of(
        st.binary(max_size=4096),
        st.integers(0, 2048).map(lambda n: np.arange(n, dtype="<i2").tobytes())))
    data_size = draw(st.one_of(st.just(len(samples)), U32))
    chunks = [b"fmt " + struct.pack("<I", fmt_size) + fmt_body,
              b"data" + struct.pack("<I", data_size) + samples]
    extra = draw(st.lists(st.tuples(st.binary(min_size=4, max_size=4), U32,
                                    st.binary(max_size=64)), max_size=3))
    for kind, size, body in extra:
        chunks.insert(draw(st.integers(0, len(chunks))), kind + struct.pack("<I", size) + body)
    body = b"".join(chunks)
    riff = draw(st.one_of(st.just(b"RIFF"), st.binary(min_size=4, max_size=4)))
    wave_tag = draw(st.one_of(st.just(b"WAVE"), st.binary(min_size=4, max_size=4)))
    payload = riff + struct.pack("<I", draw(st.one_of(st.just(len(body) + 4), U32))) + wave_tag
    payload += body
    cut = draw(st.one_of(st.none(), st.integers(0, len(payload))))
    return payload if cut is None else payload[:cut]


def valid_frame(rate: int = 16000, channels: int = 1, n: int = 512) -> bytes:
    noise = (np.random.default_rng(n).standard_normal((n, channels)) * 300).astype(np.int16)
    return hermes.wav_bytes(noise if channels > 1 else noise[:, 0], rate)


audio_payloads = st.one_of(
    wav_frames(),
    st.binary(max_size=2048),
    st.builds(valid_frame, st.sampled_from(sorted(STANDARD_RATES)), st.integers(1, 8),
              st.integers(1, 2048)),
)

JSON_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                        st.text(max_size=50))
JSON_VALUES = st.recursive(JSON_LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=10), inner, max_size=5)),
    max_leaves=30)
HERMES_KEYS = ["siteId", "sessionId", "modelId", "text", "likelihood", "seconds", "wakewordId",
               "levelDb", "detectedAt", "id", "termination", "reason", "online", "room", "stt",
               "lang", "customData", "currentSensitivity", "sendAudioCaptured"]
SITE_IDS = st.one_of(st.sampled_from(["kitchen", "bedroom", "living_room", "default", ""]),
                     st.text(max_size=80), st.text(min_size=60, max_size=200))
HUGE_STRING = st.integers(100, 300_000).map(lambda n: "x" * n)


def _nested(depth: int, kind: str) -> bytes:
    if kind == "list":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


json_payloads = st.one_of(
    st.binary(max_size=512),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.sampled_from(HERMES_KEYS),
                    st.one_of(JSON_VALUES, SITE_IDS, HUGE_STRING), max_size=8)
    .map(lambda d: json.dumps(d).encode()),
    st.builds(_nested, st.integers(1, 100_000), st.sampled_from(["list", "dict"])),
    st.builds(lambda site, text: json.dumps({"siteId": site, "text": text,
                                             "modelId": "x"}).encode(),
              SITE_IDS, st.one_of(st.text(max_size=50), HUGE_STRING)),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", errors="surrogatepass")),
    st.just(b"online"), st.just(b"offline"),
)
