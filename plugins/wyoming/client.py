"""A small blocking Wyoming client with back-off, for the speech engines.

The speech pipeline calls its engines synchronously (wake `process`, stt `accept`/`finish`),
so the engines talk over plain blocking sockets with deadlines. Replies are decoded with the
same bounded decoder as the server: a server that answers nonsense is an error naming it, not
a crash or an unbounded read.
"""

from __future__ import annotations

import io
import logging
import select
import socket
import time

from wyoming.event import Event, write_event

from .framing import FrameDecoder, Limits, ProtocolError
from .settings import EngineEndpoint, parse_tcp_uri

log = logging.getLogger(__name__)

REPLY_LIMITS = Limits(header_bytes=64 * 1024, data_bytes=1024 * 1024,
                      payload_bytes=4 * 1024 * 1024)


class WyomingUnavailable(Exception):
    """The server cannot be used right now (down, backing off, or it answered nonsense)."""


class BlockingClient:
    """One connection at a time to one Wyoming server, reconnecting with exponential back-off."""

    def __init__(self, endpoint: EngineEndpoint, what: str) -> None:
        self.endpoint = endpoint
        self.what = what
        self.host, self.port = parse_tcp_uri(endpoint.uri)
        self._sock: socket.socket | None = None
        self._decoder = FrameDecoder(REPLY_LIMITS)
        self._pending: list[Event] = []
        self._delay = 0.0
        self._retry_at = 0.0
        self._reported = False
        self.failures = 0

    @property
    def label(self) -> str:
        return f"the Wyoming {self.what} server at {self.endpoint.uri}"

    @property
    def connected(self) -> bool:
        return self._sock is not None

    def connect(self) -> None:
        if self._sock is not None:
            return
        now = time.monotonic()
        if now < self._retry_at:
            raise WyomingUnavailable(f"{self.label} is unreachable; retrying in "
                                     f"{self._retry_at - now:.1f}s")
        try:
            sock = socket.create_connection((self.host, self.port), self.endpoint.timeout_s)
        except OSError as err:
            self._failed(f"cannot connect: {err.strerror or err}")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock
        self._decoder = FrameDecoder(REPLY_LIMITS)
        self._pending = []
        if self._reported:
            log.warning("%s is back", self.label)
        self._delay = 0.0
        self._reported = False

    def _failed(self, why: str) -> None:
        self.close()
        self.failures += 1
        first = self.endpoint.reconnect_initial_s
        self._delay = min(self.endpoint.reconnect_max_s, self._delay * 2 if self._delay else first)
        self._retry_at = time.monotonic() + self._delay
        message = f"{self.label}: {why}"
        if not self._reported:
            log.error("%s (retrying with back-off up to %.0fs)", message,
                      self.endpoint.reconnect_max_s)
            self._reported = True
        raise WyomingUnavailable(message)

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None

    def send(self, *events: Event) -> None:
        self.connect()
        assert self._sock is not None
        buffer = io.BytesIO()
        for event in events:
            write_event(event, buffer)
        try:
            self._sock.settimeout(self.endpoint.timeout_s)
            self._sock.sendall(buffer.getvalue())
        except OSError as err:
            self._failed(f"sending failed: {err.strerror or err}")

    def poll(self) -> list[Event]:
        """Events that already arrived, without waiting."""
        if self._sock is None:
            return []
        while True:
            ready, _, _ = select.select([self._sock], [], [], 0)
            if not ready:
                break
            self._receive()
            if self._sock is None:
                break
        events, self._pending = self._pending, []
        return events

    def wait_for(self, *types: str, timeout: float | None = None) -> Event:
        """Read until an event of one of `types` arrives; others are dropped."""
        deadline = time.monotonic() + (timeout or self.endpoint.timeout_s)
        while True:
            while self._pending:
                event = self._pending.pop(0)
                if event.type in types:
                    return event
                if event.type == "error":
                    text = event.data.get("text")
                    self._failed(f"answered with an error: {str(text)[:200]}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._failed(f"no {' or '.join(types)} within {self.endpoint.timeout_s:g}s")
            if self._sock is None:
                self.connect()
            assert self._sock is not None
            self._sock.settimeout(remaining)
            self._receive()

    def _receive(self) -> None:
        assert self._sock is not None
        try:
            chunk = self._sock.recv(65536)
        except TimeoutError:
            return
        except OSError as err:
            self._failed(f"connection lost: {err.strerror or err}")
        if not chunk:
            self._failed("the server closed the connection")
        try:
            self._pending.extend(self._decoder.feed(chunk))
        except ProtocolError as err:
            self._failed(f"answered nonsense: {err}")
