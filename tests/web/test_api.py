"""The dashboard's JSON API on a real house and a real HTTP server (no login configured)."""

from __future__ import annotations

import asyncio
import io
import json
import time
import wave
from pathlib import Path

import pytest

from harness.waiting import until
from harness.web import csrf_of, running, write_house
from samantha.plugins.speech.events import SpeechStep, TurnAudio


async def csrf(client) -> str:  # type: ignore[no-untyped-def]
    return csrf_of((await client.get("/turns")).text)


async def test_pages_and_rooms(tmp_path: Path) -> None:
    async with running(write_house(tmp_path)) as (house, _dash, client):
        for path in ("/", "/turns", "/devices", "/automations", "/memory"):
            page = await client.get(path)
            assert page.status_code == 200, path
            assert 'src="/static/app.js"' in page.text
        assert (await client.get("/static/app.js")).status_code == 200
        rooms = (await client.get("/api/rooms")).json()
        assert [r["id"] for r in rooms["rooms"]] == ["kitchen", "hallway"]
        assert rooms["rooms"][0]["activity"] == "idle"
        await house.set_activity("kitchen", "listening")
        rooms = (await client.get("/api/rooms")).json()
        assert rooms["rooms"][0]["activity"] == "listening"


async def test_say_changes_a_device_and_the_turn_has_timings(tmp_path: Path) -> None:
    async with running(write_house(tmp_path)) as (house, _dash, client):
        token = await csrf(client)
        said = await client.post("/api/say", json={"room": "kitchen",
                                                   "text": "turn on the kitchen light"},
                                 headers={"X-CSRF-Token": token})
        assert said.status_code == 200, said.text
        assert said.json()["intent"] == "HassTurnOn"
        assert house.home.devices["kitchen.kitchen_light"].state["on"] is True
        await house.bus.drain()
        [turn] = [t for t in (await client.get("/api/turns")).json() if t["source"] == "typed"]
        assert turn["text"] == "turn on the kitchen light"
        assert turn["intent"] == "HassTurnOn"
        # (the automation the light switched on follows it, in the same room)
        assert turn["commands"][0] == {"device": "kitchen.kitchen_light", "action": "turn_on",
                                       "params": {}}
        assert {"sentence", "intent", "command", "state", "reply"} <= set(turn["timings"])
        assert 0 <= turn["timings"]["intent"] <= turn["timings"]["reply"] < 5000


async def test_live_events_reach_an_open_page(tmp_path: Path) -> None:
    async with running(write_house(tmp_path)) as (_house, dash, client):
        token = await csrf(client)
        got: list[dict] = []

        async def listen() -> None:
            async with client.stream("GET", "/api/events") as stream:
                kind = None
                async for line in stream.aiter_lines():
                    if line.startswith("event: "):
                        kind = line[7:]
                    elif line.startswith("data: ") and kind == "turn":
                        got.append(json.loads(line[6:]))
                        if got[-1].get("reply"):
                            return

        task = asyncio.create_task(listen())
        while not dash.live.clients:
            await asyncio.sleep(0.01)
        started = time.monotonic()
        await client.post("/api/say", json={"room": "kitchen", "text": "what time is it"},
                          headers={"X-CSRF-Token": token})
        await asyncio.wait_for(task, 5)
        assert time.monotonic() - started < 2.0  # pushed as it happens, not on a later poll
        assert got[-1]["text"] == "what time is it" and got[-1]["reply"]


async def test_spoken_turn_with_audio_is_playable(tmp_path: Path) -> None:
    async with running(write_house(tmp_path)) as (house, _dash, client):
        house.bus.publish_soon(SpeechStep(room="kitchen", step={
            "event": "wake", "room": "kitchen", "t": 1.0, "phrase": "hey samantha",
            "confidence": 0.9}))
        pcm = (b"\x00\x10" * 8000)
        house.bus.publish_soon(TurnAudio(room="kitchen", pcm=pcm, sample_rate=16000))
        house.bus.publish_soon(SpeechStep(room="kitchen", step={
            "event": "transcript", "room": "kitchen", "t": 2.0, "heard": "turn on kitchen lite",
            "text": "turn on the kitchen light", "similarity": 0.9, "understood": True}))
        await house.bus.drain()
        await house.handle_text("turn on the kitchen light", "kitchen")
        await house.bus.drain()
        [turn] = (await client.get("/api/turns")).json()
        assert turn["source"] == "voice" and turn["wake"]["phrase"] == "hey samantha"
        assert turn["heard"] == "turn on kitchen lite"
        assert turn["text"] == "turn on the kitchen light" and turn["intent"] == "HassTurnOn"
        assert turn["audio"] is True
        audio = await client.get(f"/api/turns/{turn['id']}/audio")
        assert audio.headers["content-type"] == "audio/wav"
        with wave.open(io.BytesIO(audio.content)) as w:
            assert (w.getframerate(), w.getnframes()) == (16000, 8000)
        # The event that carried the audio never serialises it.
        assert "pcm" not in TurnAudio(room="x", pcm=b"1", sample_rate=1).model_dump_json()


async def test_turns_and_audio_are_kept_for_keep_turns_only(tmp_path: Path) -> None:
    web = f"web: {{port: 0, keep_turns: 2, audio_dir: {tmp_path / 'audio'}}}\n"
    async with running(write_house(tmp_path, web=web)) as (house, _dash, client):
        for _ in range(3):
            house.bus.publish_soon(TurnAudio(room="kitchen", pcm=b"\0\0" * 160,
                                             sample_rate=16000))
            house.bus.publish_soon(SpeechStep(room="kitchen", step={
                "event": "wake", "room": "kitchen", "t": 0, "phrase": "hey"}))
        await house.bus.drain()
        ids = [t["id"] for t in (await client.get("/api/turns")).json()]
        assert len(ids) == 2
        assert (await client.get("/api/turns/1/audio")).status_code == 404
        assert sorted(p.name for p in (tmp_path / "audio").iterdir()) == ["turn-3.wav"]


async def test_devices_and_confirmation_for_the_lock(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    async with running(write_house(tmp_path)) as (house, _dash, client):
        token = {"X-CSRF-Token": await csrf(client)}
        listed = {d["id"]: d for d in (await client.get("/api/devices")).json()}
        assert "unlock" in listed["hallway.front_door"]["actions"]
        on = await client.post("/api/devices/kitchen.kitchen_light",
                               json={"action": "toggle"}, headers=token)
        assert on.status_code == 200 and on.json()["device"]["state"]["on"] is True
        refused = await client.post("/api/devices/hallway.front_door",
                                    json={"action": "unlock"}, headers=token)
        assert refused.status_code == 409 and "confirm" in refused.json()["error"]
        assert house.home.devices["hallway.front_door"].state["locked"] is True
        with caplog.at_level("WARNING", "samantha.plugins.web.api"):
            done = await client.post("/api/devices/hallway.front_door",
                                     json={"action": "unlock", "confirm": True}, headers=token)
        assert done.status_code == 200
        assert house.home.devices["hallway.front_door"].state["locked"] is False
        assert "unlock Front Door confirmed from the page" in caplog.text


@pytest.mark.parametrize(("method", "path", "body", "status", "words"), [
    ("POST", "/api/say", {"room": "attic", "text": "hi"}, 404, "unknown room"),
    ("POST", "/api/say", {"room": "kitchen"}, 400, "Field required"),
    ("POST", "/api/say", {"room": "kitchen", "text": "x" * 501}, 400, "at most 500"),
    ("POST", "/api/say", {"room": "kitchen", "text": "hi", "evil": 1}, 400, "Extra inputs"),
    ("POST", "/api/devices/kitchen.kitchen_light", {"action": "explode"}, 422, "cannot explode"),
    ("POST", "/api/devices/kitchen.kitchen_light",
     {"action": "set_brightness", "params": {"brightness": 900}}, 422, "between 0 and 100"),
    ("POST", "/api/devices/nope", {"action": "toggle"}, 404, "no device"),
    ("POST", "/api/automations/nope/enabled", {"enabled": True}, 404, "no such automation"),
    ("DELETE", "/api/memory/99999", None, 404, "no memory"),
    ("DELETE", "/api/memory/-1", None, 404, "whole number"),
    ("GET", "/api/turns?room=attic", None, 404, "no room"),
    ("GET", "/api/nothing", None, 404, "Not Found"),
])
async def test_bad_input_gets_a_clear_4xx(tmp_path: Path, method: str, path: str,
                                          body: object, status: int, words: str) -> None:
    async with running(write_house(tmp_path)) as (_house, _dash, client):
        token = {"X-CSRF-Token": await csrf(client)}
        answer = await client.request(method, path, json=body, headers=token)
        assert answer.status_code == status, answer.text
        assert words in answer.json()["error"]
        assert "Traceback" not in answer.text


async def test_malformed_bodies(tmp_path: Path) -> None:
    async with running(write_house(tmp_path)) as (_house, _dash, client):
        token = {"X-CSRF-Token": await csrf(client)}
        for content, ctype, status in [(b"{not json", "application/json", 400),
                                       (b"\xff\xfe", "application/json", 400),
                                       (b"room=kitchen", "text/plain", 415),
                                       (b"[" * 70_000, "application/json", 413)]:
            answer = await client.post("/api/say", content=content,
                                       headers={**token, "Content-Type": ctype})
            assert answer.status_code == status, (content[:20], answer.text)
            assert answer.json()["error"]


async def test_automations_enable_traces_and_reload(tmp_path: Path) -> None:
    config = write_house(tmp_path)
    async with running(config) as (house, _dash, client):
        token = {"X-CSRF-Token": await csrf(client)}
        [auto] = (await client.get("/api/automations")).json()["automations"]
        assert auto["id"] == "evening" and auto["enabled"] is True
        await house.handle_text("turn on the kitchen light", "kitchen")

        async def evening_traces() -> list[dict]:
            return (await client.get("/api/automations/evening/traces")).json()

        # The run (its own task) records its trace when it ends: up to 10 s on a loaded
        # machine, not 200 polls (about 2 s).
        await until(evening_traces, 10, "a trace of the evening automation", interval=0.01)
        traces = await evening_traces()
        assert traces[-1]["outcome"] == "finished"
        assert traces[-1]["steps"][0]["type"] == "command"
        off = await client.post("/api/automations/evening/enabled", json={"enabled": False},
                                headers=token)
        assert off.status_code == 200
        assert (await client.get("/api/automations")).json()["automations"][0]["enabled"] is False
        await house.handle_text("turn off the kitchen light", "kitchen")
        await house.handle_text("turn on the kitchen light", "kitchen")
        await asyncio.sleep(0.1)
        assert len((await client.get("/api/automations/evening/traces")).json()) == 1
        # A broken edit: the reload is refused with the error, the old automation stays.
        config.write_text(config.read_text().replace("triggers:", "triggerz:"))
        bad = await client.post("/api/automations/reload", headers=token)
        assert bad.status_code == 422
        assert any("triggerz" in e for e in bad.json()["errors"])
        assert (await client.get("/api/automations")).json()["automations"][0]["id"] == "evening"


async def test_memory_list_forget_export(tmp_path: Path) -> None:
    async with running(write_house(tmp_path)) as (house, _dash, client):
        token = {"X-CSRF-Token": await csrf(client)}
        await house.host.acall("samantha_remember", house=house, fact="likes tea",
                               person="ana")
        await house.host.acall("samantha_remember", house=house, fact="the wifi is slow",
                               person=None)
        listed = (await client.get("/api/memory")).json()
        assert {(m["owner"], m["text"]) for m in listed} == {("ana", "likes tea"),
                                                             ("household", "the wifi is slow")}
        exported = await client.get("/api/memory/export")
        assert "attachment" in exported.headers["content-disposition"]
        assert len(exported.json()) == 2
        tea = next(m for m in listed if m["text"] == "likes tea")
        assert (await client.delete(f"/api/memory/{tea['id']}", headers=token)).status_code == 200
        assert [m["text"] for m in (await client.get("/api/memory")).json()] == [
            "the wifi is slow"]
        status = (await client.get("/api/persona")).json()
        assert status["memories"] == 1 and status["model"] is None


async def test_a_taken_port_leaves_the_house_running(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    import socket

    from samantha.house import House
    from samantha.plugins.web.plugin import serving

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    try:
        house = House.prepare(write_house(tmp_path, web=f"web: {{port: {port}}}\n"))
        async with house:
            with caplog.at_level("ERROR", "samantha.plugins.web.plugin"):
                assert await serving(house) is None
            assert f"cannot listen on 127.0.0.1:{port}" in caplog.text
            outcome = await house.handle_text("turn on the kitchen light", "kitchen")
            assert outcome.intent == "HassTurnOn"
        off = House.prepare(write_house(tmp_path, web="web: {enabled: false}\n"))
        async with off:
            assert await serving(off) is None
    finally:
        taken.close()
