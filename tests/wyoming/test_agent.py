"""Samantha as a Wyoming handle program: info, transcripts in the right room, follow-ups."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from wyoming.event import Event
from wyoming.info import Info

from samantha.house import House
from samantha.plugins.wyoming import plugin
from samantha.plugins.wyoming.service import WyomingService

from .conftest import RawClient, ask, start_service


async def test_describe_lists_an_installed_handle_program(service: WyomingService) -> None:
    client = await RawClient.connect(service.port)
    await client.send(Event("describe"))
    event = await client.read()
    await client.close()
    assert event is not None and event.type == "info"
    info = Info.from_event(event)
    assert len(info.handle) == 1 and not info.asr and not info.tts
    program = info.handle[0]
    assert program.name == "Samantha" and program.installed
    assert program.supports_home_control
    assert program.models[0].installed and "en" in program.models[0].languages


async def test_a_satellite_in_the_kitchen_turns_on_the_kitchen_lights(
        house: House, service: WyomingService) -> None:
    assert not house.home.devices["kitchen.counter_lights"].state.get("on")
    [event] = await ask(service.port, "turn on the lights", satellite_id="kitchen-satellite",
                        conversation_id="c1")
    assert event.type == "handled", event
    assert "on" in event.data["text"]
    assert event.data["context"]["room"] == "kitchen"
    assert event.data["context"]["room_source"] == "config"
    assert event.data["context"]["conversation_id"] == "c1"
    assert house.home.devices["kitchen.counter_lights"].state["on"] is True
    assert not house.home.devices["living_room.reading_lamp"].state.get("on")


async def test_follow_up_keeps_the_room_of_its_conversation(
        house: House, service: WyomingService) -> None:
    [first] = await ask(service.port, "turn on the lights", device_id="bedroom-satellite",
                        conversation_id="talk-7")
    assert first.data["context"]["room"] == "bedroom"
    [second] = await ask(service.port, "turn off the lights", conversation_id="talk-7")
    assert second.type == "handled"
    assert second.data["context"] == {**second.data["context"], "room": "bedroom",
                                      "room_source": "conversation"}
    assert all(not d.state.get("on") for d in house.home.devices.values()
               if d.room == "bedroom" and d.kind == "light")


async def test_without_a_placement_the_assumed_room_is_said_and_logged_once(
        service: WyomingService, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "samantha.plugins.wyoming")
    for _ in range(3):
        [event] = await ask(service.port, "what is the temperature")
        context = event.data["context"]
        assert context["room"] == "kitchen" and context["room_assumed"] is True
        assert context["room_source"] == "assumed" and context["conversation_id"]
    warnings = [r for r in caplog.records if "assuming the kitchen" in r.getMessage()]
    assert len(warnings) == 1


async def test_streaming_answer_when_the_client_asks_for_it(service: WyomingService) -> None:
    events = await ask(service.port, "turn on the lights", satellite_id="kitchen-satellite",
                       handled_streaming=True)
    assert events[0].type == "handled-start"
    assert events[-1].type == "handled-stop"
    text = "".join(e.data["text"] for e in events if e.type == "handled-chunk")
    assert "on" in text and events[0].data["context"]["room"] == "kitchen"


async def test_an_unknown_room_is_not_handled_and_changes_nothing(
        house: House, service: WyomingService) -> None:
    before = {d.id: dict(d.state) for d in house.home.devices.values()}
    [event] = await ask(service.port, "turn on the lights in the garage")
    assert event.type == "not-handled"
    assert "garage" in event.data["text"]
    assert {d.id: dict(d.state) for d in house.home.devices.values()} == before


async def test_clients_outside_the_allow_list_are_refused(house: House) -> None:
    service = await start_service(house, allow=["192.0.2.0/24"])
    try:
        client = await RawClient.connect(service.port)
        await client.send(Event("describe"))
        assert await client.read() is None
        assert service.server.stats["refused"] == 1
    finally:
        await service.stop()
    allowed = await start_service(house, allow=["127.0.0.0/8"])
    try:
        [event] = await ask(allowed.port, "turn on the lights")
        assert event.type == "handled"
    finally:
        await allowed.stop()


async def test_samantha_run_serves_when_the_config_asks(tmp_path: Path) -> None:
    config = tmp_path / "samantha.yaml"
    config.write_text("name: Flat\nrooms: [{name: Study}]\n"
                      "devices: [{name: Desk Lamp, room: Study, kind: light}]\n"
                      "wyoming: {server: {uri: 'tcp://127.0.0.1:0', name: Ada}}\n")
    house = House.prepare(config)
    async with house:
        service = plugin.service_of(house)
        assert service is not None and service.name == "Ada"
        [event] = await ask(service.port, "turn on the desk lamp")
        assert event.type == "handled" and house.home.devices["study.desk_lamp"].state["on"]
    assert plugin.service_of(house) is None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_samantha_wyoming_serve_command(tmp_path: Path) -> None:
    port = _free_port()
    samantha = Path(sys.executable).with_name("samantha")
    proc = subprocess.Popen([str(samantha), "wyoming", "serve", "--uri",
                             f"tcp://127.0.0.1:{port}"], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), 1) as sock:
                    sock.sendall(b'{"type": "describe"}\n')
                    assert b'"info"' in sock.recv(65536)
                    break
            except OSError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "the server never answered"
                time.sleep(0.2)
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert f"tcp://127.0.0.1:{port}" in err and "Samantha" in err


async def test_the_persona_answers_what_no_intent_covers(service: WyomingService) -> None:
    [event] = await ask(service.port, "what is the meaning of life",
                        satellite_id="kitchen-satellite")
    assert event.type == "handled" and event.data["text"]
    assert event.data["context"]["intent"] is None
    assert event.data["context"]["persona"]


async def test_a_transcript_without_text_is_not_handled(service: WyomingService) -> None:
    client = await RawClient.connect(service.port)
    await client.send(Event("transcript", {"context": {"conversation_id": 5}}))
    event = await client.read()
    assert event is not None and event.type == "not-handled"
    await client.send(Event("describe"))  # the connection is still usable
    event = await client.read()
    assert event is not None and event.type == "info"
    await client.close()
