"""What the hub and satellites accept from the network, and the check of each JSON message.

Everything on the broker is hostile until validated: a Hermes peer, a compromised satellite or
a fuzzer may send anything. These limits are far above what a real satellite sends (a 32 ms
frame is ~1 KB, a JSON message a few hundred bytes), and far below what would hurt the hub.
An `InvalidMessage` says what was wrong without quoting the payload (no log floods, no
secrets echoed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from pydantic import BaseModel, ValidationError

MAX_JSON_BYTES = 64 * 1024
MAX_JSON_DEPTH = 16  # Hermes' deepest message (nlu intent with slots) nests 4 levels
MAX_ID_CHARS = 128  # siteId, sessionId, wakewordId, request ids, reasons, languages
MAX_SITE_CHARS = 64
MAX_TEXT_CHARS = 4096  # captured text, replies
MAX_LEAD_S = 3.0  # wake-phrase audio streamed before a command (a phrase is 0.5-1.5 s)
MAX_LOGGED_SOURCES = 1024  # distinct sources logged by name; more are counted only

# Rates real microphones and TTS engines use. An arbitrary rate (a prime, 1 Hz) would make the
# polyphase resampler design a filter with millions of taps: a few bytes would cost gigabytes.
STANDARD_RATES = frozenset({8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000})


class InvalidMessage(ValueError):
    """A message from the network that is not used: the text says what was wrong with it."""


@dataclass(frozen=True)
class AudioLimits:
    """The formats a WAV payload may have; checked from its header before reading samples."""

    max_seconds: float
    max_bytes: int
    rates: frozenset[int] = STANDARD_RATES
    max_channels: int = 8
    sample_width: int = 2


# audioFrame: one chunk of a satellite's stream (Samantha sends 32 ms; Rhasspy ~64 ms).
FRAME_LIMITS = AudioLimits(max_seconds=0.5, max_bytes=24000 * 8 * 2 + 1024)  # 0.5 s, 48 kHz, 8 ch
# playBytes: a whole spoken reply from the hub.
REPLY_LIMITS = AudioLimits(max_seconds=300.0, max_bytes=48000 * 2 * 2 * 300 + 1024)

_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_OPEN = {ord("["), ord("{")}
_CLOSE = {ord("]"), ord("}")}

M = TypeVar("M", bound=BaseModel)


def json_depth(payload: bytes) -> int:
    """How deeply arrays and objects nest in `payload` (strings skipped), without parsing it.

    Runs at C speed (regex, bytes.translate, numpy), so a flood costs little, and needs no
    recursion, so no nesting can exhaust the stack.
    """
    brackets = _STRINGS.sub(b"", payload).translate(None, _NOT_BRACKETS)
    if not brackets:
        return 0
    steps = np.frombuffer(brackets, dtype=np.uint8)
    deltas = np.where(np.isin(steps, list(_OPEN)), 1, -1)
    return int(np.cumsum(deltas).max())


_NOT_BRACKETS = bytes(b for b in range(256) if b not in _OPEN | _CLOSE)


def describe(err: ValidationError, limit: int = 3) -> str:
    """A validation error as `field: problem` pairs, never quoting the input."""
    parts = []
    for item in err.errors(include_url=False, include_input=False)[:limit]:
        where = ".".join(str(p) for p in item["loc"]) or "message"
        parts.append(f"{where}: {item['msg']}")
    more = err.error_count() - limit
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def parse_json(cls: type[M], payload: bytes | str) -> M:
    """`payload` as a `cls`, after the size, encoding and depth checks; InvalidMessage else."""
    data = payload.encode("utf-8", errors="surrogatepass") if isinstance(payload, str) else payload
    name = cls.__name__
    if len(data) > MAX_JSON_BYTES:
        raise InvalidMessage(f"{name}: {len(data)} bytes, more than {MAX_JSON_BYTES}")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InvalidMessage(f"{name}: not UTF-8 (byte {err.start})") from None
    depth = json_depth(data)
    if depth > MAX_JSON_DEPTH:
        raise InvalidMessage(f"{name}: JSON nested {depth} deep, more than {MAX_JSON_DEPTH}")
    try:
        return cls.model_validate_json(data)
    except ValidationError as err:
        raise InvalidMessage(f"{name}: {describe(err)}") from None


def topic_level(value: str) -> str:
    """`value` if it can be one MQTT topic level (a siteId is one); ValueError else."""
    if not value or len(value) > MAX_SITE_CHARS:
        raise ValueError(f"must be 1 to {MAX_SITE_CHARS} characters")
    if any(c in value for c in "/+#") or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("must not contain '/', '+', '#' or control characters")
    return value
