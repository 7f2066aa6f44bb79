"""The MQTT plugin in a real house: CLI end to end, home model, rooms, failures, the queue.

Everything runs against a real Mosquitto; the devices are simulated paho clients.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import pytest
from mqtt_sims import SimDevice, Z2MBulb
from paho.mqtt.enums import CallbackAPIVersion

from harness.cli import samantha_cli
from harness.mosquitto import Mosquitto, free_port
from harness.waiting import until
from samantha.events import DeviceStateChanged
from samantha.house import House

OFFICE_LAMP = "0x0001"
KITCHEN_BULB = "0x0002"


def lamp_id(ieee: str) -> str:
    return f"mqtt.{ieee}_light_zigbee2mqtt"


def write_config(
    tmp_path: Path, broker: Mosquitto | None, mqtt: str = "", devices: str = "",
    port: int | None = None, connect_timeout: float = 2,
) -> Path:
    """A samantha.yaml with an Office and a Kitchen and an `mqtt:` section for `broker`."""
    port = port or (broker.port if broker else free_port())
    text = f"""\
name: Test House
rooms:
  - name: Office
  - name: Kitchen
mqtt:
  host: 127.0.0.1
  port: {port}
  client_id: samantha-{time.monotonic_ns()}
  outbox_path: {tmp_path / "outbox.sqlite3"}
  reconnect_min_delay: 0.05
  reconnect_max_delay: 0.2
  connect_timeout: {connect_timeout}
{mqtt}{devices}"""
    path = tmp_path / "samantha.yaml"
    path.write_text(text)
    return path


def commands_to(sim: SimDevice) -> list[dict[str, Any]]:
    with sim.lock:
        return [json.loads(p) for t, p in sim.received if t.endswith("/set")]


class Watcher(SimDevice):
    """A client that records what Samantha publishes and can publish as HA would."""

    def __init__(self, broker: Mosquitto, topics: list[str]) -> None:
        super().__init__(broker, f"watcher-{time.monotonic_ns()}")
        self.subscriptions = topics

    def last(self, topic: str) -> str | None:
        with self.lock:
            found = [p for t, p in self.received if t == topic]
        return found[-1].decode() if found else None


@pytest.fixture
def lamps(broker: Mosquitto) -> Any:
    sims = [
        Z2MBulb(broker, "office_lamp", OFFICE_LAMP, "Desk Lamp", "Office").start(),
        Z2MBulb(broker, "kitchen_bulb", KITCHEN_BULB, "Pantry Light", "Kitchen").start(),
    ]
    for sim in sims:
        sim.state["state"] = "ON"
        sim.announce()
    try:
        yield sims
    finally:
        for sim in sims:
            sim.stop()


@pytest.fixture
async def house(broker: Mosquitto, lamps: list[Z2MBulb], tmp_path: Path) -> AsyncIterator[House]:
    h = House.prepare(write_config(tmp_path, broker))
    await h.start()
    try:
        yield h
    finally:
        await h.stop()


# -- the checked interface --------------------------------------------------------


def test_say_turns_on_the_desk_lamp_over_mqtt(broker: Mosquitto, tmp_path: Path) -> None:
    bulb = Z2MBulb(broker, "desk_lamp", OFFICE_LAMP, "Desk Lamp", "Office").start()
    try:
        bulb.announce()
        config = write_config(tmp_path, broker)
        started = time.monotonic()
        out = samantha_cli("say", "turn on the desk lamp", "--room", "office", "-c",
                           str(config), "--json", timeout=30)
        took = time.monotonic() - started
        assert out.returncode == 0, out.stderr
        outcome = json.loads(out.stdout)
        assert outcome["intent"] == "HassTurnOn"
        assert outcome["commands"] == [
            {"device": lamp_id(OFFICE_LAMP), "action": "turn_on", "params": {}}]
        assert outcome["reply"] == "Okay, the Desk Lamp is on."
        # Samantha exited after the broker's PUBACK; the bulb gets the command right after.
        received = bulb.wait_received(1)
        assert received == [("zigbee2mqtt/desk_lamp/set", b'{"state":"ON"}')]
        assert took < 15, f"samantha say took {took:.1f} s"
    finally:
        bulb.stop()


def test_unreachable_broker_leaves_the_virtual_devices_working(tmp_path: Path) -> None:
    devices = "devices:\n  - {name: Desk Fan, room: Office, kind: fan}\n"
    config = write_config(tmp_path, None, devices=devices, connect_timeout=0.3)
    port = yaml_port(config)
    started = time.monotonic()
    out = samantha_cli("say", "-", "--room", "office", "-c", str(config), "--json",
                       stdin="turn on the desk fan\nturn on the desk lamp\n", timeout=30)
    took = time.monotonic() - started
    assert out.returncode == 0, out.stderr
    fan, lamp = (json.loads(line) for line in out.stdout.splitlines())
    assert fan["reply"] == "Okay, the Desk Fan is on."
    # The provider starts without the broker (it keeps trying in the background) and says
    # why a device it has not heard of yet is unknown.
    assert lamp["commands"] == [] and "MQTT broker is unreachable" in lamp["reply"]
    # A one-shot command says once what it left out instead of promising to retry.
    assert f"skipped: MQTT broker 127.0.0.1:{port} is unreachable (waited 0.3 s)" in out.stderr
    assert "failed to start" not in out.stderr
    # Bounded by connect_timeout (0.3 s) plus the interpreter's start-up, not by the broker.
    assert took < 15, f"samantha say took {took:.1f} s"


def yaml_port(config: Path) -> int:
    line = next(x for x in config.read_text().splitlines() if x.strip().startswith("port:"))
    return int(line.split(":")[1])


# -- the home model follows the devices -----------------------------------------------------


async def test_devices_rooms_and_state_reach_the_home(house: House, lamps: list[Z2MBulb]) -> None:
    lamp = house.home.devices[lamp_id(OFFICE_LAMP)]
    pantry = house.home.devices[lamp_id(KITCHEN_BULB)]
    assert (lamp.name, lamp.room, lamp.kind.value) == ("Desk Lamp", "office", "light")
    assert pantry.room == "kitchen" and pantry.state["on"] is True  # retained state, at start
    assert lamp.available and "brightness" in lamp.capabilities

    changes: list[DeviceStateChanged] = []
    house.bus.subscribe(DeviceStateChanged, changes.append)
    lamps[0].publish("zigbee2mqtt/office_lamp",
                     json.dumps({"state": "ON", "brightness": 127, "color_mode": "xy"}))
    await until(lambda: lamp.state.get("brightness") == 50, what="brightness from the device")
    await until(lambda: any(c.device == lamp.id for c in changes), what="DeviceStateChanged")

    lamps[0].publish("zigbee2mqtt/bridge/state", json.dumps({"state": "offline"}))
    await until(lambda: not lamp.available, what="bridge offline -> unavailable")
    outcome = await house.handle_text("turn off the desk lamp", "office")
    assert not outcome.results[0].ok and "Okay" not in outcome.reply
    assert {"offline", "unavailable"} & set(outcome.reply.replace(".", " ").split())
    await asyncio.sleep(0.05)
    assert commands_to(lamps[0]) == []


async def test_turn_off_the_lights_touches_only_this_room(
    house: House, lamps: list[Z2MBulb]
) -> None:
    office, kitchen = lamps
    outcome = await house.handle_text("turn off the lights", "office")
    assert [c.device for c in outcome.commands] == [lamp_id(OFFICE_LAMP)]
    assert outcome.reply == "Okay, the Desk Lamp is off."
    await office.received_async(1)
    assert commands_to(office) == [{"state": "OFF"}]
    await until(lambda: house.home.devices[lamp_id(OFFICE_LAMP)].state["on"] is False)
    await asyncio.sleep(0.1)
    assert commands_to(kitchen) == []


async def test_devices_announced_later_and_removed(house: House, broker: Mosquitto) -> None:
    late = Z2MBulb(broker, "late_bulb", "0x0003", "Late Lamp", "Hallway").start()
    try:
        late.announce()
        await until(lambda: lamp_id("0x0003") in house.home.devices, what="late device")
        assert house.home.devices[lamp_id("0x0003")].room == "hallway"  # room from its area
        outcome = await house.handle_text("turn on the late lamp", "hallway")
        assert outcome.results[0].ok, outcome.reply
        await late.received_async(1)
        late.publish(late.discovery_topic, b"")
        await until(lambda: lamp_id("0x0003") not in house.home.devices, what="removal")
    finally:
        late.stop()


# -- rooms as MQTT entities -------------------------------------------------------------------


async def test_room_sensors_and_the_mute_switch(house: House, broker: Mosquitto) -> None:
    root = "samantha/room/office"
    watcher = Watcher(broker, ["homeassistant/+/samantha_office/+/config", f"{root}/#"]).start()
    try:
        await watcher.received_async(3)  # retained discovery and states
        topics = {t for t, _ in watcher.received}
        assert {"homeassistant/sensor/samantha_office/last_heard/config",
                "homeassistant/sensor/samantha_office/last_reply/config",
                "homeassistant/switch/samantha_office/mic_muted/config"} <= topics

        await house.handle_text("turn on the desk lamp", "office")
        await until(lambda: watcher.last(f"{root}/last_reply") == "Okay, the Desk Lamp is on.",
                    what="last reply")
        assert watcher.last(f"{root}/last_heard") == "turn on the desk lamp"

        watcher.publish(f"{root}/mic_muted/set", "ON", retain=False)  # as HA does
        await until(lambda: house.is_muted("office"), what="room muted from MQTT")
        # The room mutes first, then the plugin publishes the new state: wait for it.
        await until(lambda: watcher.last(f"{root}/mic_muted") == "ON", what="switch state ON")
        assert not house.is_muted("kitchen")

        await house.set_muted("office", False)  # e.g. the mute button on the satellite
        await until(lambda: watcher.last(f"{root}/mic_muted") == "OFF", what="switch state")
    finally:
        watcher.stop()


async def test_a_fahrenheit_thermostat_takes_targets_in_fahrenheit(
        house: House, broker: Mosquitto) -> None:
    """A thermostat discovered in °F (a US house) is set to 70, not refused as "outside
    5-35"; outside its own announced range it is refused, and nothing is sent."""
    watcher = Watcher(broker, ["heat/office/#"]).start()
    try:
        config = {"name": "Thermostat", "unique_id": "office_heat_f",
                  "temperature_command_topic": "heat/office/target/set",
                  "temperature_unit": "F", "min_temp": 50, "max_temp": 85,
                  "device": {"identifiers": ["office_heat"], "name": "Office Heat",
                             "suggested_area": "Office"}}
        watcher.publish("homeassistant/climate/office_heat_f/config", json.dumps(config))
        device_id = "mqtt.office_heat_f"
        await until(lambda: device_id in house.home.devices, what="thermostat discovered "
                    f"(devices: {sorted(house.home.devices)})")
        assert house.home.devices[device_id].state["unit"] == "°F"
        assert house.home.devices[device_id].name == "Office Heat Thermostat"
        outcome = await house.handle_text("set the temperature to 70 degrees", "office")
        assert outcome.results and outcome.results[0].ok, outcome.reply
        await until(lambda: watcher.last("heat/office/target/set") is not None, what="command")
        assert float(watcher.last("heat/office/target/set") or 0) == 70
        refused = await house.handle_text("set the office heat thermostat to 90 degrees",
                                          "office")
        assert "50-85" in refused.reply, refused.reply
        await asyncio.sleep(0.2)
        with watcher.lock:
            sent = [p for t, p in watcher.received if t == "heat/office/target/set"]
        assert len(sent) == 1
    finally:
        watcher.stop()


# -- bad input and credentials ------------------------------------------------------------------


async def test_malformed_discovery_leaves_good_devices_working(
    broker: Mosquitto, lamps: list[Z2MBulb], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lamps[0].publish("homeassistant/light/broken/config", "{not json")
    lamps[0].publish("homeassistant/light/nocmd/config", json.dumps({"name": "x"}))
    caplog.set_level(logging.WARNING)
    async with House.prepare(write_config(tmp_path, broker)) as house:
        assert {lamp_id(OFFICE_LAMP), lamp_id(KITCHEN_BULB)} <= set(house.home.devices)
        outcome = await house.handle_text("turn off the desk lamp", "office")
        assert outcome.results[0].ok
    bad = [r for r in caplog.records if "homeassistant/light/broken/config" in r.getMessage()]
    assert len(bad) == 1 and "invalid JSON" in bad[0].getMessage()
    assert any("light/nocmd/config" in r.getMessage() for r in caplog.records)


async def test_password_via_secret_and_wrong_password(
    password_broker: Mosquitto, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "secrets.yaml").write_text(f"mqtt_password: {password_broker.password}\n")
    auth = f"  username: {password_broker.username}\n  password: !secret mqtt_password\n"
    async with House.prepare(write_config(tmp_path, password_broker, auth)) as house:
        assert "mqtt" in house.providers

    caplog.set_level(logging.DEBUG)
    (tmp_path / "secrets.yaml").write_text("mqtt_password: not-the-password\n")
    devices = "devices:\n  - {name: Desk Fan, room: Office, kind: fan}\n"
    async with House.prepare(write_config(tmp_path, password_broker, auth, devices)) as house:
        assert "mqtt" not in house.providers
        outcome = await house.handle_text("turn on the desk fan", "office")
        assert outcome.results[0].ok
    text = caplog.text
    assert "refused user 'samantha'" in text and "failed to start" in text
    assert "not-the-password" not in text and password_broker.password not in text


async def test_tls_with_ca_from_secret(
    tls_broker: Mosquitto, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert tls_broker.tls_files is not None
    ca = tls_broker.tls_files.ca_cert
    publish_retained_over_tls(tls_broker, "homeassistant/switch/kettle/config", json.dumps({
        "name": "Kettle", "uniq_id": "kettle1", "cmd_t": "kettle/set", "stat_t": "kettle/state",
        "dev": {"ids": ["kettle"], "name": "Kettle", "sa": "Kitchen"}}))
    monkeypatch.setenv("MQTT_CA", str(ca))  # `!secret mqtt_ca` falls back to $MQTT_CA
    tls = "  tls:\n    ca_certs: !secret mqtt_ca\n"
    async with House.prepare(write_config(tmp_path, tls_broker, tls)) as house:
        kettle = house.home.devices["mqtt.kettle1"]
        assert kettle.room == "kitchen" and kettle.kind.value == "switch"
        outcome = await house.handle_text("turn on the kettle", "kitchen")
        assert outcome.results[0].ok, outcome.reply


def publish_retained_over_tls(broker: Mosquitto, topic: str, payload: str) -> None:
    assert broker.tls_files is not None
    c = paho.Client(CallbackAPIVersion.VERSION2, client_id="tls-announcer")
    c.tls_set_context(ssl.create_default_context(cafile=str(broker.tls_files.ca_cert)))
    c.connect(broker.host, broker.port)
    c.loop_start()
    try:
        c.publish(topic, payload, qos=1, retain=True).wait_for_publish(5)
    finally:
        c.disconnect()
        c.loop_stop()


# -- the queue: broker down, restart, exactly once -------------------------------------------


async def test_command_while_broker_down_is_queued_and_delivered_once(
    broker: Mosquitto, tmp_path: Path
) -> None:
    bulb = Z2MBulb(broker, "desk_lamp", OFFICE_LAMP, "Desk Lamp", "Office").start()
    config = write_config(tmp_path, broker)
    try:
        bulb.announce()
        house = House.prepare(config)
        await house.start()
        try:
            port = broker.port
            broker.stop()
            bulb.subscribed.clear()  # set again once the bulb is back on the restarted broker
            provider = house.providers["mqtt"]
            await until(lambda: not provider.client.connected, what="disconnect noticed")
            outcome = await house.handle_text("turn on the desk lamp", "office")
            assert not outcome.results[0].ok
            assert "queued" in outcome.reply and "Okay" not in outcome.reply
        finally:
            await house.stop()  # Samantha restarts while the broker is still down

        broker.start("plain", port=port)
        bulb.wait_resubscribed()
        bulb.announce()  # the broker kept no retained messages (persistence off)
        # The broker keeps no session for the bulb across its restart below, so Samantha must
        # come back after the bulb has resubscribed, or the queued command meets nobody.
        config.write_text(config.read_text()
                          .replace("reconnect_min_delay: 0.05", "reconnect_min_delay: 0.6")
                          .replace("reconnect_max_delay: 0.2", "reconnect_max_delay: 1.0"))
        async with House.prepare(config) as house:
            received = await bulb.received_async(1)
            assert received[0][1] == b'{"state":"ON"}'
            # The second command is issued while the broker is down, in the same Samantha.
            broker.stop()
            provider = house.providers["mqtt"]
            await until(lambda: not provider.client.connected, what="disconnect noticed")
            outcome = await house.handle_text("turn off the desk lamp", "office")
            assert "queued" in outcome.reply
            bulb.subscribed.clear()
            broker.start("plain", port=port)
            bulb.wait_resubscribed()
            await bulb.received_async(2, timeout=10)
            await asyncio.sleep(0.3)  # a duplicate would arrive within this
            assert commands_to(bulb) == [{"state": "ON"}, {"state": "OFF"}]
            assert len(provider.client.outbox) == 0
    finally:
        bulb.stop()
