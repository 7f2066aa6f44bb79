"""The broker comes up after Samantha (a house booting after a power cut).

The MQTT provider starts without it, keeps connecting in the background, learns the devices
and delivers the queued commands once the broker is back. Real Mosquitto, simulated devices.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from mqtt_sims import Z2MBulb
from test_mqtt_plugin import OFFICE_LAMP, commands_to, lamp_id, until, write_config

from harness.mosquitto import Mosquitto
from samantha.house import House
from samantha.plugins.mqtt.plugin import NOT_YET
from samantha.plugins.mqtt.provider import QUEUED, MqttProvider

FAN = "devices:\n  - {name: Desk Fan, room: Office, kind: fan}\n"


def mqtt_provider(house: House) -> MqttProvider:
    provider = house.providers["mqtt"]
    assert isinstance(provider, MqttProvider)
    return provider


async def test_devices_appear_when_the_broker_comes_up_after_samantha(
    broker: Mosquitto, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = broker.port
    broker.stop()  # the port stays ours: the broker comes back on it below
    caplog.set_level(logging.INFO)
    config = write_config(tmp_path, broker, devices=FAN, port=port, connect_timeout=0.3)
    bulb: Z2MBulb | None = None
    async with House.prepare(config) as house:
        provider = mqtt_provider(house)
        assert house.started and provider.waiting_for_broker
        assert not provider.client.connected  # type: ignore[union-attr]
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING
                    and "MQTT" in r.getMessage()]
        assert warnings == [
            f"MQTT broker 127.0.0.1:{port} is unreachable; retrying in the background"]

        fan = await house.handle_text("turn on the desk fan", "office")
        assert fan.reply == "Okay, the Desk Fan is on."
        unknown = await house.handle_text("turn on the desk lamp", "office")
        assert not unknown.commands and unknown.reply.endswith(NOT_YET)

        try:
            # Synchronous on purpose: Samantha's client (on this loop) cannot connect before
            # the bulb has announced itself, as with a real Zigbee2MQTT that starts first.
            broker.start("plain", port=port)
            bulb = Z2MBulb(broker, "desk_lamp", OFFICE_LAMP, "Desk Lamp", "Office").start()
            bulb.announce()
            await until(lambda: lamp_id(OFFICE_LAMP) in house.home.devices, timeout=5,
                        what="the bulb learned after the broker came up")
            lamp = house.home.devices[lamp_id(OFFICE_LAMP)]
            assert (lamp.name, lamp.room, lamp.state["on"]) == ("Desk Lamp", "office", False)
            await until(lambda: not provider.waiting_for_broker, what="device set known")

            outcome = await house.handle_text("turn on the desk lamp", "office")
            assert outcome.reply == "Okay, the Desk Lamp is on."
            await bulb.received_async(1)
            assert commands_to(bulb) == [{"state": "ON"}]
            # The bulb's state echo arrives: its state topic was subscribed on the late start.
            await until(lambda: lamp.state["on"] is True, what="state from the bulb")
        finally:
            if bulb is not None:
                bulb.stop()
    assert any("(the broker is back)" in r.getMessage() for r in caplog.records)


async def test_queued_command_is_delivered_once_when_the_broker_returns(
    broker: Mosquitto, tmp_path: Path
) -> None:
    port = broker.port
    bulb = Z2MBulb(broker, "desk_lamp", OFFICE_LAMP, "Desk Lamp", "Office").start()
    config = write_config(tmp_path, broker, connect_timeout=0.3)
    try:
        bulb.announce()
        async with House.prepare(config) as house:  # learns the bulb, then the broker goes
            broker.stop()
            bulb.subscribed.clear()  # set again once the bulb is back on the broker
            provider = mqtt_provider(house)
            await until(lambda: not provider.client.connected,  # type: ignore[union-attr]
                        what="disconnect noticed")
            outcome = await house.handle_text("turn on the desk lamp", "office")
            assert QUEUED in outcome.reply and "Okay" not in outcome.reply

        # A new Samantha starts while the broker is still down; the command is in the file.
        async with House.prepare(config) as house:
            provider = mqtt_provider(house)
            assert provider.waiting_for_broker
            assert len(provider.client.outbox) == 1  # type: ignore[union-attr]
            # Synchronous on purpose: the broker keeps no session for the bulb, so the bulb
            # must be subscribed again before Samantha (on this loop) can deliver.
            broker.start("plain", port=port)
            bulb.wait_resubscribed()
            bulb.announce()  # the broker kept no retained messages (persistence off)
            await bulb.received_async(1, timeout=10)
            await until(lambda: lamp_id(OFFICE_LAMP) in house.home.devices, what="bulb learned")
            await asyncio.sleep(0.3)  # a duplicate would arrive within this
            assert commands_to(bulb) == [{"state": "ON"}]
            assert len(provider.client.outbox) == 0  # type: ignore[union-attr]
            await until(lambda: house.home.devices[lamp_id(OFFICE_LAMP)].state["on"] is True,
                        what="the bulb's state after the delivered command")
    finally:
        bulb.stop()


async def test_a_tls_failure_still_fails_the_start(
    tls_broker: Mosquitto, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The system CA store does not know the test CA: retrying cannot fix that.
    caplog.set_level(logging.WARNING)
    config = write_config(tmp_path, tls_broker, "  tls: {}\n", devices=FAN)
    async with House.prepare(config) as house:
        assert "mqtt" not in house.providers
        outcome = await house.handle_text("turn on the desk fan", "office")
        assert outcome.reply == "Okay, the Desk Fan is on."
    assert "TLS with the MQTT broker" in caplog.text and "failed to start" in caplog.text
    assert "retrying in the background" not in caplog.text

