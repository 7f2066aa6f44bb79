"""A demo house served over Wyoming on a free loopback port, and a raw client for it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from wyoming.event import Event, async_write_event

from samantha.house import House
from samantha.plugins.wyoming.framing import FrameDecoder
from samantha.plugins.wyoming.service import WyomingService
from samantha.plugins.wyoming.settings import ServerSettings

SETTINGS: dict[str, Any] = {
    "uri": "tcp://127.0.0.1:0",
    "rooms": {"kitchen-satellite": "Kitchen", "bedroom-satellite": "bedroom"},
    "frame_timeout_s": 0.5,
    "idle_timeout_s": 5,
}


class RawClient:
    """A plain socket client that speaks frames by hand, to send anything at all."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.decoder = FrameDecoder()
        self.pending: list[Event] = []

    @classmethod
    async def connect(cls, port: int) -> RawClient:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def send(self, event: Event) -> None:
        await async_write_event(event, self.writer)

    async def send_raw(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def read(self, timeout: float = 10.0) -> Event | None:
        """The next event, or None when the server closed the connection."""
        while not self.pending:
            try:
                chunk = await asyncio.wait_for(self.reader.read(65536), timeout)
            except ConnectionResetError:
                return None
            if not chunk:
                return None
            self.pending.extend(self.decoder.feed(chunk))
        return self.pending.pop(0)

    async def close(self) -> None:
        self.writer.close()


async def start_service(house: House, **overrides: Any) -> WyomingService:
    service = WyomingService(house, ServerSettings.model_validate({**SETTINGS, **overrides}))
    await service.start()
    return service


@pytest.fixture
async def house() -> AsyncIterator[House]:
    house = House.prepare(None)
    async with house:
        yield house


@pytest.fixture
async def service(house: House) -> AsyncIterator[WyomingService]:
    service = await start_service(house)
    try:
        yield service
    finally:
        await service.stop()


async def ask(port: int, text: str, **context: Any) -> list[Event]:
    """Send one transcript, collect the answer (one handled/not-handled, or a stream)."""
    client = await RawClient.connect(port)
    try:
        data: dict[str, Any] = {"text": text}
        if context:
            data["context"] = context
        await client.send(Event("transcript", data))
        answer: list[Event] = []
        while True:
            event = await client.read()
            assert event is not None, f"connection closed after {answer}"
            answer.append(event)
            if event.type in ("handled", "not-handled", "handled-stop"):
                return answer
    finally:
        await client.close()
