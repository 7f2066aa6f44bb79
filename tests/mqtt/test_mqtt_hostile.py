"""Hostile network input against a real house on a real Mosquitto.

A retained poison discovery message, a flood of fuzzed discovery messages and oversized names
must not cut the house off: afterwards a known-good bulb still obeys every command, the
connection was never dropped by the broker, and nothing logged a traceback.
"""

from __future__ import annotations

import json
import logging
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import pytest
from mqtt_sims import Z2MBulb
from paho.mqtt.enums import CallbackAPIVersion
from test_mqtt_plugin import OFFICE_LAMP, commands_to, until, write_config

from harness.cli import samantha_cli
from harness.hostile_mqtt import big_name_light, fuzzed_discovery, poison_config
from harness.mosquitto import Mosquitto
from samantha.house import House
from samantha.plugins.mqtt.provider import MqttProvider


class Publisher:
    """A plain paho client that publishes what a hostile device on the network would."""

    def __init__(self, broker: Mosquitto) -> None:
        self.client = paho.Client(CallbackAPIVersion.VERSION2,
                                  client_id=f"hostile-{time.monotonic_ns()}")
        self.client.max_inflight_messages_set(1000)
        self.client.max_queued_messages_set(0)
        connected = threading.Event()
        self.client.on_connect = lambda *a: connected.set()
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()
        assert connected.wait(5)

    def publish(self, topic: str, payload: bytes | str, retain: bool = True) -> None:
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(10)

    def flood(self, messages: Any) -> int:
        infos = [self.client.publish(t, p, qos=1, retain=True) for t, p in messages]
        for info in infos:
            info.wait_for_publish(30)
        return len(infos)

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def provider_of(house: House) -> MqttProvider:
    provider = house.providers["mqtt"]
    assert isinstance(provider, MqttProvider)
    return provider


async def obeys(house: House, bulb: Z2MBulb, times: int = 5) -> None:
    """The bulb gets every one of `times` spoken commands, and the replies say done."""
    before = len(commands_to(bulb))
    for i in range(times):
        word = "on" if i % 2 == 0 else "off"
        outcome = await house.handle_text(f"turn {word} the desk lamp", "office")
        assert outcome.reply == f"Okay, the Desk Lamp is {word}.", outcome.reply
        assert [r.status for r in outcome.results] == ["done"]
    await until(lambda: len(commands_to(bulb)) >= before + times, what="commands at the bulb")
    got = [c["state"] for c in commands_to(bulb)[before:]]
    assert got == ["ON" if i % 2 == 0 else "OFF" for i in range(times)]


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    crashed = [r.getMessage() for r in caplog.records if r.exc_info]
    assert crashed == [], crashed


@pytest.fixture
def bulb(broker: Mosquitto) -> Any:
    sim = Z2MBulb(broker, "desk_lamp", OFFICE_LAMP, "Desk Lamp", "Office").start()
    sim.announce()
    yield sim
    sim.stop()


@pytest.mark.parametrize("state_topic", ["a\u0000b", "", "a/#/b"], ids=["nul", "empty", "wild"])
async def test_retained_poison_discovery_does_not_cut_the_house_off(
    broker: Mosquitto, bulb: Z2MBulb, tmp_path: Path, caplog: pytest.LogCaptureFixture,
    state_topic: str,
) -> None:
    caplog.set_level(logging.WARNING)
    hostile = Publisher(broker)
    poison_topic = "homeassistant/light/poison/config"
    hostile.publish(poison_topic, json.dumps(poison_config(state_topic)))
    try:
        # A fresh house starts with the poison already retained on the broker.
        async with House.prepare(write_config(tmp_path, broker)) as house:
            client = provider_of(house).client
            assert client is not None
            await obeys(house, bulb)
            assert "mqtt.poison" not in house.home.devices
            # A broker restart makes the house subscribe to everything again: the poison,
            # announced once more, must not be among it (it was, and looped forever).
            bulb.subscribed.clear()
            broker.restart()
            bulb.wait_resubscribed()
            bulb.announce()
            hostile.stop()
            hostile = Publisher(broker)
            hostile.publish(poison_topic, json.dumps(poison_config(state_topic)))
            await until(lambda: client.health_state.disconnects == 1, what="restart noticed")
            await until(lambda: client.connected, timeout=5, what="reconnected within 5 s")
            await obeys(house, bulb)
            health = provider_of(house).health()
            assert health["connected"] and health["connects"] == 2, health
            assert health["disconnects"] == 1, health  # the restart, nothing else
            assert health["devices"]["invalid_messages"] >= 1
    finally:
        hostile.stop()
    warnings = [r.getMessage() for r in caplog.records if poison_topic in r.getMessage()]
    assert len(warnings) == 1 and "state_topic" in warnings[0], warnings
    no_tracebacks(caplog)


async def test_flood_of_fuzzed_discovery_leaves_the_house_obeying(
    broker: Mosquitto, bulb: Z2MBulb, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    async with House.prepare(write_config(tmp_path, broker)) as house:
        provider = provider_of(house)
        hostile = Publisher(broker)
        try:
            sent = hostile.flood(fuzzed_discovery(seed=19, count=1500))
        finally:
            hostile.stop()
        assert sent == 1500
        devices = provider.devices
        assert devices is not None
        await until(lambda: devices.problems.total >= 500, timeout=30,
                    what="the flood handled")
        await until(lambda: devices.idle.is_set(), timeout=30, what="discovery idle")
        await obeys(house, bulb)
        health = provider.health()
        assert health["disconnects"] == 0 and health["connected"], health
        # The log is bounded: a burst of warnings and a count, not one line per message.
        mqtt_warnings = [r for r in caplog.records if r.name.startswith("samantha.plugins.mqtt")]
        assert len(mqtt_warnings) <= 25, len(mqtt_warnings)
    no_tracebacks(caplog)


async def test_oversized_names_are_refused_and_bounded(
    broker: Mosquitto, bulb: Z2MBulb, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    hostile = Publisher(broker)
    try:
        hostile.flood(big_name_light(i) for i in range(20))
        started = time.monotonic()
        async with House.prepare(write_config(tmp_path, broker)) as house:
            assert not [d for d in house.home.devices if d.startswith("mqtt.big_")]
            assert len(max((d.name for d in house.home.devices.values()), key=len)) <= 255
            await obeys(house, bulb)
        assert time.monotonic() - started < 15
    finally:
        hostile.stop()
    too_long = [r.getMessage() for r in caplog.records if "big_" in r.getMessage()]
    assert len(too_long) == 20 and all(len(m) < 1000 for m in too_long), too_long[:2]
    no_tracebacks(caplog)


async def test_removed_devices_give_their_memory_back(
    broker: Mosquitto, bulb: Z2MBulb, tmp_path: Path,
) -> None:
    hostile = Publisher(broker)
    try:
        async with House.prepare(write_config(tmp_path, broker)) as house:
            devices = provider_of(house).devices
            assert devices is not None
            configs = [(f"homeassistant/switch/tmp{i}/config",
                        json.dumps({"name": f"Tmp {i}", "uniq_id": f"tmp{i}",
                                    "cmd_t": f"tmp/{i}/set", "stat_t": f"tmp/{i}/state"}))
                       for i in range(50)]
            hostile.flood(configs)
            await until(lambda: len(devices.entities) == 51, what="50 switches added")
            hostile.flood((topic, b"") for topic, _ in configs)
            await until(lambda: len(devices.entities) == 1, what="50 switches removed")
            # Nothing is kept for the removed sources: no keys, topics or subscriptions.
            assert len(devices._by_key) == 1 and len(devices._topic_users) <= 2
            assert all(not t.startswith("tmp/") for t in devices._topic_subs)
            await obeys(house, bulb, times=1)
    finally:
        hostile.stop()


# -- `samantha say -` across a broker restart -------------------------------------------------


class SayProcess:
    """`samantha say - --json` fed one line at a time, as a script or a pipe would."""

    def __init__(self, config: Path) -> None:
        exe = Path(sys.executable).parent / "samantha"
        self.proc = subprocess.Popen(
            [str(exe), "say", "-", "--room", "office", "-c", str(config), "--json"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def say(self, text: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        return json.loads(self.lines.get(timeout=30))

    def close(self) -> str:
        assert self.proc.stdin is not None and self.proc.stderr is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        return self.proc.stderr.read()


def test_say_from_stdin_delivers_every_command_after_a_broker_restart(
    broker: Mosquitto, bulb: Z2MBulb, tmp_path: Path,
) -> None:
    say = SayProcess(write_config(tmp_path, broker))
    stderr = ""
    try:
        first = say.say("turn on the desk lamp")
        assert [r["status"] for r in first["results"]] == ["done"], first
        for restart in range(2):
            bulb.subscribed.clear()
            broker.restart()
            bulb.wait_resubscribed()
            bulb.announce()
            # The broker is back: within a few seconds (reconnect_max_delay is 0.2 s) the
            # waiting `say` must be connected again without any input arriving meanwhile.
            time.sleep(3)
            before = len(commands_to(bulb))
            for i in range(10):
                word = "on" if i % 2 else "off"
                outcome = say.say(f"turn {word} the desk lamp")
                statuses = [r["status"] for r in outcome["results"]]
                assert statuses == ["done"], (restart, i, outcome)
                assert outcome["reply"] == f"Okay, the Desk Lamp is {word}."
            bulb.wait_received(before + 10)
            assert len(commands_to(bulb)) == before + 10
        # A command the broker cannot take right now says so: queued, not done.
        broker.stop()
        time.sleep(0.5)
        queued = say.say("turn off the desk lamp")
        assert [r["status"] for r in queued["results"]] == ["queued"], queued
        assert "queued" in queued["reply"]
    finally:
        stderr = say.close()
    assert "Traceback" not in stderr, stderr


# -- health: `samantha mqtt status` ----------------------------------------------------------


def test_mqtt_status_shows_health_and_bad_input(
    broker: Mosquitto, bulb: Z2MBulb, tmp_path: Path,
) -> None:
    hostile = Publisher(broker)
    try:
        hostile.publish("homeassistant/light/poison/config",
                        json.dumps(poison_config("a\u0000b")))
    finally:
        hostile.stop()
    # A device declared with a bad topic is left out, alone, with the reason.
    devices = ("  devices:\n    - {name: Porch light, kind: switch, "
               "state_topic: 'porch/#/state', command_topic: porch/set}\n")
    config = write_config(tmp_path, broker, devices)
    out = samantha_cli("mqtt", "status", "-c", str(config), "--json", timeout=60)
    assert out.returncode == 0, out.stderr
    health = json.loads(out.stdout)
    assert health["connected"] and health["disconnects"] == 0
    assert health["refused_subscriptions"] == {} and health["queued_commands"] == 0
    found = health["devices"]
    assert found["entities"] == 1 and found["unavailable"] == [] and found["refused"] == {}
    assert found["invalid_messages"] == 1
    [problem] = found["recent_problems"]
    assert "homeassistant/light/poison/config" in problem and "NUL" in problem
    assert "'Porch light' from the config is left out" in out.stderr
    assert "state_topic: '#' must be" not in out.stderr  # a concrete topic is required
    assert "Traceback" not in out.stderr

    text = samantha_cli("mqtt", "status", "-c", str(config), timeout=60)
    assert text.returncode == 0 and "connected (connects 1, disconnects 0)" in text.stdout

    broker.stop()
    down = samantha_cli("mqtt", "status", "-c", str(config), "--json", timeout=60)
    assert down.returncode == 1, down.stderr
    assert json.loads(down.stdout)["connected"] is False
