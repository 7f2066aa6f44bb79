"""The Wyoming TCP server: one task per client, bounded frames, deadlines, an allow-list.

Anything a client sends is hostile until validated: a bad frame ends that client's connection
(logged once per client address), a slow or silent client is dropped after its deadline, and
none of it affects the other connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from wyoming.event import Event, async_write_event
from wyoming.info import Describe
from wyoming.ping import Ping, Pong

from .framing import FrameDecoder, Limits, ProtocolError
from .settings import is_loopback, parse_tcp_uri

if TYPE_CHECKING:
    from .settings import ServerSettings

log = logging.getLogger(__name__)

READ_CHUNK = 64 * 1024
WRITE_TIMEOUT_S = 10.0
MAX_WARNED_CLIENTS = 1024

Answer = Callable[[Event, str], Awaitable[list[Event]]]


class WyomingServer:
    """Serves `describe` with a fixed `info` event and hands `transcript` events to `answer`."""

    def __init__(self, settings: ServerSettings, info: Event, answer: Answer) -> None:
        self.settings = settings
        self.info = info
        self.answer = answer
        self.host, self.port = parse_tcp_uri(settings.uri)
        self.limits = Limits(settings.max_header_bytes, settings.max_data_bytes,
                             settings.max_payload_bytes)
        self._allow = [ipaddress.ip_network(a, strict=False) for a in settings.allow]
        self._server: asyncio.Server | None = None
        self._slots = asyncio.Semaphore(settings.max_clients)
        self._clients: set[asyncio.Task[None]] = set()
        self._warned: set[str] = set()
        self.stats = {"connections": 0, "refused": 0, "protocol_errors": 0, "timeouts": 0,
                      "events": 0}

    @property
    def bound_port(self) -> int:
        assert self._server is not None and self._server.sockets
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        if not is_loopback(self.host) and not self._allow:
            log.warning("wyoming: serving on %s:%d with no allow-list; Wyoming has no "
                        "authentication or encryption, so anyone who can reach this address "
                        "can talk to the house (set wyoming.server.allow)", self.host, self.port)
        self._server = await asyncio.start_server(self._accept, self.host, self.port,
                                                  limit=self.limits.header_bytes)
        log.info("wyoming: serving on %s:%d", self.host, self.bound_port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._clients):
            task.cancel()
        if self._clients:
            await asyncio.gather(*self._clients, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)
            self._server = None

    def allowed(self, address: str) -> bool:
        if not self._allow:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        mapped = getattr(ip, "ipv4_mapped", None)
        return any(ip in net or (mapped is not None and mapped in net) for net in self._allow)

    def _warn_once(self, client: str, message: str, *args: object) -> None:
        if client in self._warned:
            log.debug(message, *args)
            return
        if len(self._warned) < MAX_WARNED_CLIENTS:
            self._warned.add(client)
        log.warning(message, *args)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername") or ("?", 0)
        address = str(peer[0])
        task = asyncio.current_task()
        assert task is not None
        self._clients.add(task)
        try:
            if not self.allowed(address):
                self.stats["refused"] += 1
                self._warn_once(address, "wyoming: refused %s: not in wyoming.server.allow",
                                address)
                return
            try:
                # A crowd of idle connections must not hold the others' places forever.
                await asyncio.wait_for(self._slots.acquire(), self.settings.idle_timeout_s)
            except asyncio.TimeoutError:
                self._warn_once(address, "wyoming: dropped %s: all %d places were taken",
                                address, self.settings.max_clients)
                return
            try:
                self.stats["connections"] += 1
                await self._serve(reader, writer, address)
            finally:
                self._slots.release()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.TimeoutError:
            self.stats["timeouts"] += 1
            self._warn_once(address, "wyoming: dropped %s: it did not read its answer", address)
        except asyncio.CancelledError:
            # Only stop() cancels these tasks; ending normally keeps asyncio's stream callback
            # from reporting the cancellation as an error.
            pass
        finally:
            self._clients.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                     client: str) -> None:
        decoder = FrameDecoder(self.limits)
        loop = asyncio.get_running_loop()
        frame_deadline: float | None = None
        while True:
            if decoder.in_frame:
                if frame_deadline is None:
                    frame_deadline = loop.time() + self.settings.frame_timeout_s
                timeout = frame_deadline - loop.time()
            else:
                frame_deadline = None
                timeout = self.settings.idle_timeout_s
            try:
                chunk = await asyncio.wait_for(reader.read(READ_CHUNK), max(timeout, 0))
            except asyncio.TimeoutError:
                self.stats["timeouts"] += 1
                what = "finish an event" if decoder.in_frame else "send anything"
                self._warn_once(client, "wyoming: dropped %s: it did not %s in time", client,
                                what)
                return
            if not chunk:
                return  # the client closed, possibly mid-frame: nothing to answer
            try:
                events = decoder.feed(chunk)
            except ProtocolError as err:
                self.stats["protocol_errors"] += 1
                self._warn_once(client, "wyoming: closed the connection of %s: %s", client, err)
                return
            for event in events:
                self.stats["events"] += 1
                for reply in await self._handle(event, client):
                    await asyncio.wait_for(async_write_event(reply, writer), WRITE_TIMEOUT_S)

    async def _handle(self, event: Event, client: str) -> list[Event]:
        if Describe.is_type(event.type):
            return [self.info]
        if Ping.is_type(event.type):
            return [Pong(text=event.data.get("text") if isinstance(event.data.get("text"), str)
                         else None).event()]
        if event.type == "transcript":
            return await self.answer(event, client)
        # Unknown events are dropped, as the protocol asks of servers that predate them.
        log.debug("wyoming: ignoring %r from %s", event.type, client)
        return []
