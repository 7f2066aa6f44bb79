"""A message bigger than mqtt.max_message_bytes is dropped by the broker, never read.

MQTT 5's Maximum Packet Size in CONNECT: Mosquitto does not send the house a packet bigger
than it, so a 2 MB payload costs the house nothing, and the connection and the messages after
it are unaffected. With protocol 3.1.1 the same payload is read whole (the contrast shows the
cap is what stops it)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from mqtt_sims import settings_for
from paho.mqtt.enums import CallbackAPIVersion

from harness.mosquitto import Mosquitto
from samantha.plugins.mqtt.client import Message, MqttClient

BIG = b"x" * (2 * 1024 * 1024)


def _publish(broker: Mosquitto, messages: list[tuple[str, bytes]]) -> None:
    sender = paho.Client(CallbackAPIVersion.VERSION2, client_id="big-sender")
    sender.connect(broker.host, broker.port)
    sender.loop_start()
    try:
        for topic, payload in messages:
            sender.publish(topic, payload, qos=1).wait_for_publish(5)
    finally:
        sender.loop_stop()
        sender.disconnect()


@pytest.mark.parametrize(("protocol", "big_arrives"), [("5", False), ("3.1.1", True)])
async def test_an_oversized_message_is_dropped_by_the_broker(
    broker: Mosquitto, tmp_path: Path, protocol: str, big_arrives: bool
) -> None:
    client = MqttClient(settings_for(broker, tmp_path, protocol=protocol,
                                     max_message_bytes=64 * 1024))
    await client.start()
    got: list[Message] = []
    try:
        await client.subscribe("cap/#", got.append)
        await asyncio.to_thread(_publish, broker, [("cap/big", BIG), ("cap/small", b"ok"),
                                                   ("cap/edge", b"y" * 60_000)])
        deadline = asyncio.get_running_loop().time() + 5
        while not any(m.topic == "cap/edge" for m in got):
            assert asyncio.get_running_loop().time() < deadline, [m.topic for m in got]
            await asyncio.sleep(0.02)
        topics = [m.topic for m in got]
        assert topics == (["cap/big"] if big_arrives else []) + ["cap/small", "cap/edge"]
        assert client.connected
        assert client.health()["disconnects"] == 0
    finally:
        await client.stop()
