"""Wyoming frames from bytes that arrive off the network, with limits checked before allocation.

A frame is a JSON header line (`{"type", "data"?, "data_length"?, "payload_length"?}`), then
`data_length` bytes of JSON merged into `data`, then `payload_length` bytes of binary payload.
The `wyoming` package's own reader trusts the declared lengths and reads until they arrive;
this decoder refuses a header whose lengths exceed the limits before reading a byte of the
body, so a hostile client can never make the server reserve memory it did not send.

The decoder is sans-IO (bytes in, events out) so it can be fuzzed without sockets.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError
from wyoming.event import Event

MAX_TYPE_CHARS = 64


class ProtocolError(Exception):
    """The peer sent something that is not a valid Wyoming frame (the connection must end)."""


@dataclass(frozen=True, slots=True)
class Limits:
    header_bytes: int = 8 * 1024
    data_bytes: int = 64 * 1024
    payload_bytes: int = 1024 * 1024


class Header(BaseModel):
    """The header line. Unknown keys (e.g. `version`) are allowed, as the protocol evolves."""

    model_config = ConfigDict(extra="allow")

    type: StrictStr = Field(min_length=1, max_length=MAX_TYPE_CHARS)
    data: dict[str, Any] | None = None
    data_length: StrictInt | None = Field(None, ge=0)
    payload_length: StrictInt | None = Field(None, ge=0)


def _short(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "header"
    return f"{where}: {first['msg']}"


def parse_header(line: bytes, limits: Limits) -> Header:
    """Validate one header line (without its newline)."""
    try:
        raw = json.loads(line)
    except (ValueError, RecursionError) as err:
        raise ProtocolError(f"header is not JSON: {str(err)[:80]}") from None
    if not isinstance(raw, dict):
        raise ProtocolError(f"header is a JSON {type(raw).__name__}, not an object")
    try:
        header = Header.model_validate(raw)
    except ValidationError as err:
        raise ProtocolError(f"bad header: {_short(err)}") from None
    if (header.data_length or 0) > limits.data_bytes:
        raise ProtocolError(f"data_length {header.data_length} exceeds the limit of "
                            f"{limits.data_bytes} bytes")
    if (header.payload_length or 0) > limits.payload_bytes:
        raise ProtocolError(f"payload_length {header.payload_length} exceeds the limit of "
                            f"{limits.payload_bytes} bytes")
    return header


def merge_data(header: Header, body: bytes) -> dict[str, Any]:
    data = dict(header.data or {})
    if body:
        try:
            extra = json.loads(body)
        except (ValueError, RecursionError) as err:
            raise ProtocolError(f"data section is not JSON: {str(err)[:80]}") from None
        if not isinstance(extra, dict):
            raise ProtocolError(f"data section is a JSON {type(extra).__name__}, not an object")
        data.update(extra)
    return data


class FrameDecoder:
    """Feed bytes as they arrive; get back every event they complete.

    `in_frame` tells whether a frame has started but not finished: the server gives a started
    frame a deadline (slowloris) while an idle connection between frames may wait longer.
    """

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._buffer = bytearray()
        self._header: Header | None = None

    @property
    def in_frame(self) -> bool:
        return self._header is not None or bool(self._buffer)

    def feed(self, chunk: bytes) -> list[Event]:
        self._buffer += chunk
        events: list[Event] = []
        while True:
            event = self._next()
            if event is None:
                return events
            events.append(event)

    def _next(self) -> Event | None:
        if self._header is None:
            end = self._buffer.find(b"\n")
            if end < 0:
                if len(self._buffer) > self.limits.header_bytes:
                    raise ProtocolError(f"header line longer than {self.limits.header_bytes} "
                                        "bytes")
                return None
            if end > self.limits.header_bytes:
                raise ProtocolError(f"header line longer than {self.limits.header_bytes} bytes")
            line = bytes(self._buffer[:end])
            del self._buffer[: end + 1]
            self._header = parse_header(line, self.limits)
        header = self._header
        data_length = header.data_length or 0
        payload_length = header.payload_length or 0
        if len(self._buffer) < data_length + payload_length:
            return None
        body = bytes(self._buffer[:data_length])
        payload = bytes(self._buffer[data_length : data_length + payload_length])
        del self._buffer[: data_length + payload_length]
        self._header = None
        return Event(type=header.type, data=merge_data(header, body),
                     payload=payload or None)
