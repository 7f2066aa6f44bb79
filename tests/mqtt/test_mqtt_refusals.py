"""Operations paho or the broker refuse fail alone: the session and the reconnect loop go on."""

from __future__ import annotations

import asyncio
import logging

import pytest
from mqtt_sims import SimDevice

from harness.mosquitto import Mosquitto
from harness.waiting import until
from samantha.plugins.mqtt.client import Message, MqttClient, MqttRefusedError


class Sink(SimDevice):
    def __init__(self, broker: Mosquitto) -> None:
        super().__init__(broker, "sink")
        self.subscriptions = ["dev/#"]


async def test_refused_subscribe_and_publish_fail_alone(
    samantha: MqttClient, broker: Mosquitto, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    got: list[Message] = []
    for bad in ["a/#/b", "", "a\x00b", "a+/b"]:
        with pytest.raises(MqttRefusedError):
            await samantha.subscribe(bad, got.append)
    for bad in ["a/#", "a\x00b", "", "\ud800"]:
        with pytest.raises(MqttRefusedError):
            await samantha.publish(bad, "x")
        with pytest.raises(MqttRefusedError):
            samantha.send_command(bad, "x")
    assert len(samantha.outbox) == 0  # refused commands are not queued
    await samantha.subscribe("dev/echo", got.append)
    await samantha.publish("dev/echo", "still here")
    await until(lambda: got, 5, what="the echo")
    assert [m.payload for m in got] == [b"still here"]
    assert samantha.connected and samantha.health()["disconnects"] == 0


async def test_a_poisoned_outbox_entry_is_dropped_and_the_rest_delivered(
    broker: Mosquitto, samantha: MqttClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    sink = Sink(broker).start()
    try:
        # As an older version could have left it in the file: written without any check.
        samantha.outbox.put("dev/#/bad", b"poison", qos=1, retain=False)
        futures = [samantha.send_command(f"dev/{i}", str(i)) for i in range(3)]
        await asyncio.wait_for(asyncio.gather(*futures), 5)
        received = await sink.received_async(3)
        assert [t for t, _ in received] == ["dev/0", "dev/1", "dev/2"]
        health = samantha.health()
        assert health["refused_publishes"] == 1 and health["queued_commands"] == 0
        assert "dev/#/bad" in health["last_refused_publish"]
        assert samantha.connected and health["disconnects"] == 0
    finally:
        sink.stop()
    assert any("the command was dropped" in r.getMessage() for r in caplog.records)
