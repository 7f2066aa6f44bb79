"""End to end: a real Mosquitto, simulated devices that are real paho clients, the real MQTT
plugin's connection, the CLI in separate processes."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
from automations_support import BERLIN
from paho.mqtt.enums import CallbackAPIVersion

from harness.cli import samantha_cli
from harness.mosquitto import Mosquitto
from harness.waiting import until
from samantha.plugins.mqtt.client import MqttClient

Start = Callable[..., Any]


class Sim:
    """A simulated device: a paho client on its own thread that records what it gets."""

    def __init__(self, broker: Mosquitto, subscribe: str | None = None) -> None:
        self.received: list[tuple[str, str]] = []
        self.ready = threading.Event()
        self.client = paho.Client(CallbackAPIVersion.VERSION2,
                                  client_id=f"sim-{time.monotonic_ns()}")
        self.client.on_message = lambda _c, _u, m: self.received.append(
            (m.topic, m.payload.decode()))
        self.client.on_subscribe = lambda *a: self.ready.set()
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()
        if subscribe:
            self.client.subscribe(subscribe, qos=1)
            assert self.ready.wait(5)

    def publish(self, topic: str, payload: str) -> None:
        self.client.publish(topic, payload, qos=1).wait_for_publish(5)

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def mqtt_section(broker: Mosquitto, tmp_path: Path) -> str:
    return (f"mqtt:\n  host: {broker.host}\n  port: {broker.port}\n"
            f"  client_id: samantha-{time.monotonic_ns()}\n"
            f"  outbox_path: {tmp_path / 'outbox.sqlite3'}\n  discovery: false\n")


MOTION = """\
- id: hall_motion_light
  alias: Hall light on motion after dark
  mode: restart
  triggers:
    - trigger: mqtt
      topic: zigbee2mqtt/+/motion
      payload: {occupancy: true}
  conditions:
    - condition: time
      after: sunset
      before: sunrise
  actions:
    - command: turn_on
      device: Hall Light
    - publish: "zigbee2mqtt/hall_bulb/set"
      payload: {state: "ON", brightness: 40, sensor: "{{ trigger.topic }}"}
      qos: 1
"""


async def test_motion_turns_on_the_light_only_after_sunset(
        running: Start, broker: Mosquitto, tmp_path: Path) -> None:
    sensor = Sim(broker)
    bulb = Sim(broker, subscribe="zigbee2mqtt/hall_bulb/set")
    try:
        async with running(MOTION, extra=mqtt_section(broker, tmp_path)) as h:
            provider = h.house.providers["mqtt"]
            assert await h.engine.mqtt() is provider.client  # one connection per house
            sensor.publish("zigbee2mqtt/hall_sensor/motion", json.dumps({"occupancy": True}))
            await until(lambda: len(h.traces("hall_motion_light")) == 1)
            assert h.traces("hall_motion_light")[0].outcome == "condition_failed"
            assert h.state("hallway.hall_light")["on"] is False
            await h.clock.advance_to(datetime(2024, 6, 1, 23, 0, tzinfo=BERLIN))
            sensor.publish("zigbee2mqtt/hall_sensor/motion", json.dumps({"occupancy": False}))
            sensor.publish("zigbee2mqtt/hall_sensor/motion", json.dumps({"occupancy": True}))
            await until(lambda: len(bulb.received) == 1)
            assert h.state("hallway.hall_light")["on"] is True
            assert json.loads(bulb.received[0][1]) == {
                "state": "ON", "brightness": 40, "sensor": "zigbee2mqtt/hall_sensor/motion"}
            # The bulb can get the publish before the run has its PUBACK and records its trace.
            await until(lambda: len(h.traces("hall_motion_light")) >= 2)
            trace = h.traces("hall_motion_light")[-1]
            assert trace.outcome == "finished" and len(h.traces("hall_motion_light")) == 2
            assert [c.result for c in trace.conditions] == [True]
            assert [s.outcome for s in trace.steps] == ["ok", "ok"]
    finally:
        sensor.stop()
        bulb.stop()


async def test_a_spoken_sentence_passes_its_slot_to_say(running: Start) -> None:
    async with running("""\
        - id: remind
          triggers:
            - trigger: sentence
              sentences: ["remind me to {task} [in [the] {area}]"]
              reply: "Sure."
          actions:
            - say: "Don't forget to {{ trigger.slots.task }}"
              room: "{{ trigger.slots.area if trigger.slots.area else trigger.room }}"
        """) as h:
        outcome = await h.house.handle_text("remind me to water the plants", "kitchen")
        assert outcome.reply == "Sure."
        await until(lambda: len(h.said) == 2)
        assert h.said == [("kitchen", "Sure."), ("kitchen", "Don't forget to water the plants")]
        await h.house.handle_text("remind me to feed the cat in the hallway", "kitchen")
        await until(lambda: len(h.said) == 4)
        assert h.said[-1] == ("hallway", "Don't forget to feed the cat")
        # Built-in intents still work beside it.
        outcome = await h.house.handle_text("turn on the lamp", "living room")
        assert h.state("living_room.lamp")["on"] is True, outcome


async def test_reload_after_a_broken_edit_keeps_the_old_automations(
        running: Start, tmp_path: Path) -> None:
    good = """\
        - id: greet
          triggers: [{trigger: state, device: Hall Motion, to: "on"}]
          actions: [{say: "hello", room: Hallway}]
        """
    async with running(good) as h:
        automations = tmp_path / "automations.yaml"
        automations.write_text("- id: greet\n  triggers: [{trigger: state, device: Hall Motion"
                               ", to: 'on'}]\n  actions: [{say: [not text]}]\n")
        await until(lambda: (tmp_path / ".samantha/automations/reload-result.json").exists())
        result = json.loads((tmp_path / ".samantha/automations/reload-result.json").read_text())
        assert not result["ok"] and "automations.yaml:3:" in result["errors"][0]
        h.set("hallway.hall_motion", on=True)  # the old automation still runs
        await until(lambda: h.said == [("hallway", "hello")])

        # A second file version with an unknown device also keeps the old set.
        automations.write_text("- id: greet\n  triggers: [{trigger: state, device: Nowhere, "
                               "to: 'on'}]\n  actions: [{say: bye, room: Hallway}]\n")
        out = await asyncio.to_thread(samantha_cli, "automations", "reload", "-c",
                                      str(tmp_path / "samantha.yaml"))
        assert out.returncode == 2 and "no device called 'Nowhere'" in out.stderr, out.stderr
        assert "automations.yaml:2:" in out.stderr
        assert sorted(h.engine.runners) == ["greet"]

        automations.write_text("- id: bye\n  triggers: [{trigger: state, device: Hall Motion, "
                               "to: 'off'}]\n  actions: [{say: bye, room: Hallway}]\n")
        out = await asyncio.to_thread(samantha_cli, "automations", "reload", "-c",
                                      str(tmp_path / "samantha.yaml"))
        assert out.returncode == 0 and "reloaded 1 automations" in out.stdout, out.stderr
        h.set("hallway.hall_motion", on=False)
        await until(lambda: h.said[-1] == ("hallway", "bye") and len(h.traces("bye")) == 1)
        h.engine.traces.flush()
        out = await asyncio.to_thread(samantha_cli, "automations", "trace", "bye", "--json",
                                      "-c", str(tmp_path / "samantha.yaml"))
        assert out.returncode == 0, out.stderr
        [trace] = json.loads(out.stdout)
        assert trace["outcome"] == "finished" and trace["trigger"]["to"] is False
        out = await asyncio.to_thread(samantha_cli, "automations", "list", "--json",
                                      "-c", str(tmp_path / "samantha.yaml"))
        assert json.loads(out.stdout)[0]["last_outcome"] == "finished"


async def test_own_connection_when_the_mqtt_plugin_is_not_running(
        running: Start, broker: Mosquitto, tmp_path: Path) -> None:
    # Handed a client (as a plugin without the MQTT provider would be), the engine uses it.
    from samantha.plugins.mqtt.settings import MqttSettings

    client = MqttClient(MqttSettings(host=broker.host, port=broker.port,
                                     client_id="automations-only",
                                     outbox_path=tmp_path / "own.sqlite3"))
    await client.start()
    listener = Sim(broker, subscribe="house/ping")
    try:
        async with running("""\
            - id: ping
              triggers: [{trigger: startup}]
              actions: [{publish: house/ping, payload: "{{ this.id }}"}]
            """, mqtt=client):
            await until(lambda: listener.received == [("house/ping", "ping")])
    finally:
        listener.stop()
        await client.stop()
