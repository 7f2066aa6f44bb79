"""Hostile clients: each loses its own connection, the server keeps serving the others."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

import pytest
from wyoming.event import Event

from harness.waiting import until
from samantha.house import House
from samantha.plugins.wyoming.service import WyomingService

from .conftest import RawClient, ask, start_service

BAD_FRAMES = {
    "not json": b"hello there\n",
    "json list": b"[1, 2, 3]\n",
    "no type": b'{"data": {}}\n',
    "type not a string": b'{"type": 7}\n',
    "negative length": b'{"type": "transcript", "data_length": -5}\n',
    "data not an object": b'{"type": "transcript", "data_length": 3}\n[1]',
    "oversize data_length": b'{"type": "transcript", "data_length": 1000000000000}\n',
    "oversize payload_length": b'{"type": "audio-chunk", "payload_length": 99999999999}\n',
    "header without end": b'{"type": "' + b"x" * 20000,
}


async def _still_serves(service: WyomingService) -> None:
    [event] = await ask(service.port, "turn on the lights", satellite_id="kitchen-satellite")
    assert event.type == "handled"


@pytest.mark.parametrize("name", list(BAD_FRAMES))
async def test_bad_frames_close_only_that_connection(service: WyomingService, name: str) -> None:
    bystander = await RawClient.connect(service.port)  # connected before, served after
    hostile = await RawClient.connect(service.port)
    await hostile.send_raw(BAD_FRAMES[name])
    assert await hostile.read(timeout=5) is None
    assert service.server.stats["protocol_errors"] == 1
    await bystander.send_raw(b'{"type": "describe"}\n')
    event = await bystander.read()
    assert event is not None and event.type == "info"
    await bystander.close()
    await _still_serves(service)


async def test_oversize_lengths_are_refused_before_any_body_arrives(
        service: WyomingService) -> None:
    # Nothing but the header is ever sent: the refusal cannot have waited for (or reserved)
    # the terabyte it announces.
    client = await RawClient.connect(service.port)
    await client.send_raw(json.dumps({"type": "x", "payload_length": 2**40}).encode() + b"\n")
    assert await client.read(timeout=2) is None


async def test_a_client_disconnecting_mid_frame(service: WyomingService) -> None:
    for cut in (b'{"type": "trans', b'{"type": "transcript", "data_length": 50}\n{"text": "tu'):
        client = await RawClient.connect(service.port)
        await client.send_raw(cut)
        await client.close()
    await asyncio.sleep(0.1)
    await _still_serves(service)
    assert service.server.stats["protocol_errors"] == 0


async def test_slowloris_is_dropped_while_others_are_served(service: WyomingService) -> None:
    slow = [await RawClient.connect(service.port) for _ in range(5)]
    for client in slow:
        await client.send_raw(b'{"type": "tra')  # then a byte now and then, never finishing
    loop = asyncio.get_running_loop()
    started = loop.time()
    await _still_serves(service)
    assert loop.time() - started < 2.0  # nobody waited for the slow ones
    for _ in range(3):
        for client in slow:
            with contextlib.suppress(ConnectionError, OSError):
                await client.send_raw(b"n")
        await asyncio.sleep(0.1)
    # frame_timeout_s is 0.5 in these tests: a frame still unfinished after it is dropped.
    for client in slow:
        assert await client.read(timeout=3) is None
    assert service.server.stats["timeouts"] >= 5


async def test_a_flood_of_garbage_is_logged_once_and_the_house_keeps_working(
        service: WyomingService, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "samantha.plugins.wyoming")

    async def garbage(i: int) -> None:
        client = await RawClient.connect(service.port)
        await client.send_raw(BAD_FRAMES[list(BAD_FRAMES)[i % len(BAD_FRAMES)]])
        await client.read(timeout=5)
        await client.close()

    await asyncio.gather(*(garbage(i) for i in range(60)), _still_serves(service))
    await _still_serves(service)
    closed = [r for r in caplog.records if "closed the connection of" in r.getMessage()]
    assert len(closed) == 1  # every client came from 127.0.0.1: one line, not sixty
    assert service.server.stats["protocol_errors"] == 60


async def test_silent_connections_cannot_hold_every_place(house: House) -> None:
    service = await start_service(house, max_clients=2, idle_timeout_s=1.0)
    try:
        squatters = [await RawClient.connect(service.port) for _ in range(2)]
        # Both squatters must hold their places before the next client comes: wait for the
        # server to have taken them (bounded), not a fixed 0.1 s.
        await until(lambda: service.server.stats["connections"] >= 2, 5,
                    "the squatters to get their places")
        waiting = await RawClient.connect(service.port)
        await waiting.send(Event("describe"))
        event = await waiting.read(timeout=5)
        assert event is not None and event.type == "info"
        for squatter in squatters:  # dropped after idle_timeout_s, freeing their places
            assert await squatter.read(timeout=3) is None
        assert service.server.stats["timeouts"] >= 2
    finally:
        await service.stop()
