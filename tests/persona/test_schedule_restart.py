"""Timers, reminders and scheduled actions survive a restart (and a SIGKILL), honestly.

Each test schedules through the real tool path (a scripted model's tool call over HTTP), stops
or kills the house, and starts a new House on the same config and the same SQLite file.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from harness.cli import samantha_cli
from harness.openai_server import Call, Reply, ScriptedOpenAI
from samantha.events import DeviceCommand, ReplySpoken
from samantha.house import House
from samantha.plugins.persona.memory import MemoryStore
from samantha.plugins.persona.runtime import runtime_of
from samantha.plugins.persona.schedule import Scheduled, Scheduler

from .conftest import WriteConfig, llm_block
from .test_offline_and_memory import env_for


def stored(tmp_path: Path) -> list[Scheduled]:
    store = MemoryStore(tmp_path / "memory.db")
    try:
        return Scheduler(store).stored()
    finally:
        store.close()


def listen(house: House) -> list[tuple[float, ReplySpoken]]:
    heard: list[tuple[float, ReplySpoken]] = []
    house.bus.subscribe(ReplySpoken, lambda e: heard.append((time.time(), e)))
    return heard


async def wait_until(done: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        await asyncio.sleep(0.02)


def reminder(message: str, minutes: float) -> Call:
    return Call("create_reminder", {"message": message, "in_minutes": minutes})


async def test_reminder_and_timer_fire_on_time_after_a_restart(
        server: ScriptedOpenAI, write_config: WriteConfig, tmp_path: Path) -> None:
    cfg = write_config(llm_block(server.base_url, timeout=3))
    server.script(Reply(tool_calls=[reminder("take the bread out", 0.025),
                                    Call("set_timer", {"seconds": 2, "label": "tea"})]),
                  Reply(text="I'll remind you, and the tea timer is running."))
    async with House.prepare(cfg) as first:
        await first.handle_text("remind me in a moment to take the bread out, and time my tea",
                                "living room")
        due = {i.kind: i.due for i in runtime_of(first).scheduler.pending()}
    saved = stored(tmp_path)  # the first house stopped before either was due
    assert [(i.kind, i.room, i.person, i.source) for i in saved] == [
        ("reminder", "living_room", "anna", "model"), ("timer", "living_room", "anna", "model")]
    assert [i.due for i in saved] == [due["reminder"], due["timer"]]
    assert saved[0].text == "take the bread out" and saved[0].created <= due["reminder"]

    second = House.prepare(cfg)
    heard = listen(second)
    async with second:
        await wait_until(lambda: len(heard) >= 2, 4)
        await asyncio.sleep(0.1)
    said = {e.text: (at, e.room) for at, e in heard}
    assert len(heard) == 2, said
    at, room = said["A reminder: take the bread out"]
    assert room == "living_room" and due["reminder"] - 0.05 <= at <= due["reminder"] + 0.5
    at, room = said["Your tea timer is done."]
    assert room == "living_room" and due["timer"] - 0.05 <= at <= due["timer"] + 0.5
    assert stored(tmp_path) == []  # fired, so gone


async def test_late_items_after_a_restart(server: ScriptedOpenAI, write_config: WriteConfig,
                                          tmp_path: Path,
                                          caplog: pytest.LogCaptureFixture) -> None:
    cfg = write_config(llm_block(server.base_url, timeout=3))
    server.script(
        Reply(tool_calls=[reminder("take the bread out", 0.01), reminder("call grandma", 0.01),
                          Call("schedule_action", {"device": "kitchen.kitchen_light",
                                                   "action": "turn_on", "in_minutes": 0.01})]),
        Reply(text="All set."))
    async with House.prepare(cfg) as first:
        await first.handle_text("bread, grandma and the light in a moment please", "kitchen")
    await asyncio.sleep(0.8)  # the house is down while all three fall due
    # ... and for "call grandma" the outage lasted three hours, far past the 30 minute grace
    db = sqlite3.connect(tmp_path / "memory.db")
    db.execute("UPDATE scheduled SET due = due - 3 * 3600 WHERE text = 'call grandma'")
    db.commit()
    db.close()
    bread_due = next(i.due for i in stored(tmp_path) if i.text == "take the bread out")

    second = House.prepare(cfg)
    heard = listen(second)
    commands: list[DeviceCommand] = []
    second.bus.subscribe(DeviceCommand, commands.append)
    with caplog.at_level(logging.INFO):
        async with second:
            await wait_until(lambda: len(heard) >= 2, 3)
            await asyncio.sleep(0.2)  # anything more would have been said by now
            light = second.home.devices["kitchen.kitchen_light"].state
    texts = [e.text for _, e in heard]
    assert {e.room for _, e in heard} == {"kitchen"}
    clock = datetime.fromtimestamp(bread_due).strftime("%H:%M")
    assert texts[0] == f"Sorry, I was offline: your {clock} reminder - take the bread out."
    assert texts[1].startswith(f"Sorry, I was offline at {clock}, so I didn't turn on the "
                               "Kitchen Light.")
    assert len(texts) == 2  # grandma was not said
    assert light.get("on") is not True and commands == []  # never acted late
    assert "dropped reminder 'call grandma'" in caplog.text
    assert "'turn on the Kitchen Light' (due" in caplog.text and "not carried out" in caplog.text
    assert stored(tmp_path) == []

    third = House.prepare(cfg)  # mentioned once: a further restart says nothing
    again = listen(third)
    async with third:
        await asyncio.sleep(0.3)
    assert again == []


async def test_late_reminder_keeps_quiet_hours(server: ScriptedOpenAI, write_config: WriteConfig,
                                               tmp_path: Path,
                                               caplog: pytest.LogCaptureFixture) -> None:
    now = datetime.now()
    start, end = (now - timedelta(hours=1)).strftime("%H:%M"), (now + timedelta(hours=1))
    quiet = f'  quiet_hours: {{start: "{start}", end: "{end:%H:%M}"}}'
    cfg = write_config(llm_block(server.base_url, timeout=3), extra=quiet)
    server.script(Reply(tool_calls=[reminder("take the bread out", 0.01)]), Reply(text="Sure."))
    async with House.prepare(cfg) as first:
        await first.handle_text("remind me to take the bread out", "kitchen")
    await asyncio.sleep(0.8)
    second = House.prepare(cfg)
    heard = listen(second)
    with caplog.at_level(logging.INFO):
        async with second:
            await asyncio.sleep(0.3)
    assert heard == []
    assert "quiet hours: late reminder 'take the bread out' was not said" in caplog.text
    assert stored(tmp_path) == []


async def test_grace_is_configurable(server: ScriptedOpenAI, write_config: WriteConfig,
                                     tmp_path: Path) -> None:
    cfg = write_config(llm_block(server.base_url, timeout=3),
                       extra="  schedule: {late_grace_minutes: 0}")
    server.script(Reply(tool_calls=[reminder("take the bread out", 0.01)]), Reply(text="Sure."))
    async with House.prepare(cfg) as first:
        await first.handle_text("remind me to take the bread out", "kitchen")
    await asyncio.sleep(0.8)
    second = House.prepare(cfg)
    heard = listen(second)
    async with second:
        await asyncio.sleep(0.3)
    assert heard == [] and stored(tmp_path) == []


SCHEDULER = """
import asyncio, sys
from samantha.house import House

async def main() -> None:
    async with House.prepare(sys.argv[1]) as house:
        await house.handle_text("remind me in a few seconds to take the bread out", "kitchen")
        print("scheduled", flush=True)
        await asyncio.sleep(60)

asyncio.run(main())
"""


async def test_killed_after_scheduling_loses_nothing(
        server: ScriptedOpenAI, write_config: WriteConfig, tmp_path: Path) -> None:
    cfg = write_config(llm_block(server.base_url, timeout=3))
    server.script(Reply(tool_calls=[reminder("take the bread out", 0.05)]), Reply(text="Sure."))
    proc = subprocess.Popen([sys.executable, "-c", SCHEDULER, str(cfg)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env_for(tmp_path))
    assert proc.stdout is not None and proc.stderr is not None
    line = await asyncio.to_thread(proc.stdout.readline)
    os.kill(proc.pid, signal.SIGKILL)  # no shutdown hook, no close: a power cut
    proc.wait()
    errors = proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    assert line.strip() == "scheduled", errors
    [saved] = stored(tmp_path)
    assert saved.due > time.time(), "the subprocess took too long to start"

    house = House.prepare(cfg)
    heard = listen(house)
    async with house:
        await wait_until(lambda: bool(heard), saved.due - time.time() + 2)
    assert [(e.room, e.text) for _, e in heard] == [("kitchen", "A reminder: take the bread out")]
    assert saved.due - 0.05 <= heard[0][0] <= saved.due + 0.5
    assert stored(tmp_path) == []


async def test_status_lists_pending_items_and_the_model_can_cancel(
        server: ScriptedOpenAI, write_config: WriteConfig, tmp_path: Path) -> None:
    cfg = write_config(llm_block(server.base_url, timeout=3))
    server.script(Reply(tool_calls=[reminder("take the bread out", 60)]), Reply(text="Sure."))
    async with House.prepare(cfg) as first:
        await first.handle_text("remind me in an hour to take the bread out", "living room")
    env = env_for(tmp_path)
    status = await asyncio.to_thread(samantha_cli, "persona", "status", "-c", str(cfg),
                                     "--json", env=env)
    [item] = json.loads(status.stdout)["scheduled"]
    assert (item["kind"], item["room"], item["text"], item["person"]) == (
        "reminder", "living_room", "take the bread out", "anna")
    text = await asyncio.to_thread(samantha_cli, "persona", "status", "-c", str(cfg), env=env)
    assert "scheduled: 1" in text.stdout and "take the bread out  (by anna, model)" in text.stdout

    server.script(Reply(tool_calls=[Call("get_scheduled", {})]),
                  Reply(tool_calls=[Call("cancel_scheduled", {"id": item["id"]})]),
                  Reply(text="Cancelled."))
    async with House.prepare(cfg) as second:
        await second.handle_text("never mind the bread", "living room")
        assert runtime_of(second).scheduler.pending() == []
    listed = json.loads(server.requests[-2].messages[-1]["content"])["scheduled"]
    assert [i["id"] for i in listed] == [item["id"]]
    assert json.loads(server.requests[-1].messages[-1]["content"])["ok"] is True
    assert stored(tmp_path) == []
    text = await asyncio.to_thread(samantha_cli, "persona", "status", "-c", str(cfg), env=env)
    assert "scheduled: nothing pending" in text.stdout
