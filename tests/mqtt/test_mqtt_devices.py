"""Discovery, states and commands end to end with simulated devices on a real broker."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from mqtt_sims import SimDevice, settings_for

from harness.mosquitto import Mosquitto
from harness.waiting import until
from samantha.plugins.mqtt.announce import RoomAnnouncer
from samantha.plugins.mqtt.client import MqttClient
from samantha.plugins.mqtt.codec import Action, Command
from samantha.plugins.mqtt.devices import MqttDevices
from samantha.plugins.mqtt.settings import GenericDevice


async def test_discovery_states_commands_and_bad_input(
    broker: Mosquitto,
    tmp_path: Path,
    devices: dict[str, SimDevice],
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = settings_for(
        broker,
        tmp_path,
        rooms={"Kitchen plug": "kitchen"},
        devices=[GenericDevice(name="Porch light", room="porch", kind="switch",
                               state_topic="porch/state", command_topic="porch/set")],
    )
    client = MqttClient(settings)
    await client.start()
    reg = MqttDevices(client, settings)
    try:
        await reg.start()
        await until(lambda: len(reg.entities) == 4 and len(reg.states) >= 3)
        bulb = reg.entities["0x00158d01_light_zigbee2mqtt"]
        plug = reg.entities["tasmota_plug_RL_1"]
        # The plug's availability topic is subscribed apart from its state topic (in set
        # order): its retained "Online" can come after the states waited for above.
        await until(lambda: reg.available.get(plug.unique_id) is not None)
        assert bulb.name == "Desk bulb" and reg.room_for(bulb) == "Office"
        assert reg.room_for(plug) == "kitchen" and reg.available[plug.unique_id] is True
        assert reg.room_for(reg.entities["generic_switch_porch_light"]) == "porch"
        assert reg.states[bulb.unique_id]["on"] is False

        await reg.command(bulb.unique_id, Command(Action.TURN_ON, brightness=100), wait=True)
        await until(lambda: reg.states[bulb.unique_id].get("brightness") == 100.0)
        assert reg.states[bulb.unique_id]["on"] is True
        await reg.command(plug.unique_id, Command(Action.TOGGLE), wait=True)
        await until(lambda: reg.states[plug.unique_id].get("on") is True)
        cover = reg.entities["cover_shutter"]
        await reg.command(cover.unique_id, Command(Action.SET_POSITION, position=40), wait=True)
        await until(lambda: reg.states[cover.unique_id].get("position") == 40.0)

        # Garbage: malformed discovery twice, a bad state twice; logged once each, ignored.
        caplog.set_level(logging.WARNING)
        sim = devices["bulb"]
        for _ in range(2):
            sim.publish("homeassistant/light/broken/config", "{not json")
            sim.publish("zigbee2mqtt/desk_bulb", "garbage", retain=False)
        await reg.command(plug.unique_id, Command(Action.TURN_OFF), wait=True)
        await until(lambda: reg.states[plug.unique_id].get("on") is False)
        assert caplog.text.count("homeassistant/light/broken/config") == 1
        assert caplog.text.count("ignored state for 0x00158d01") == 1
        assert len(reg.entities) == 4

        # Removal: an empty retained config forgets the entity.
        sim.publish(devices["cover"].discovery_topic, b"")  # type: ignore[attr-defined]
        await until(lambda: "cover_shutter" not in reg.entities)
    finally:
        await client.stop()


async def test_rooms_are_announced_and_mute_switch_really_mutes(
    broker: Mosquitto, tmp_path: Path
) -> None:
    settings = settings_for(broker, tmp_path)
    watcher = SimDevice(broker, "ha")
    watcher.subscriptions = ["homeassistant/#", "samantha/#"]
    watcher.start()
    client = MqttClient(settings)
    await client.start()
    muted: list[tuple[str, bool]] = []
    announcer = RoomAnnouncer(client, settings, ["Kitchen"], lambda r, m: muted.append((r, m)))
    try:
        await announcer.start()
        await announcer.set_last_heard("Kitchen", "turn on the light")
        await announcer.set_last_reply("Kitchen", "x" * 400)
        topics = {t for t, _ in await watcher.received_async(6)}
        assert "homeassistant/switch/samantha_kitchen/mic_muted/config" in topics
        assert "homeassistant/sensor/samantha_kitchen/last_heard/config" in topics
        watcher.publish("samantha/room/kitchen/mic_muted/set", "ON", retain=False)
        await until(lambda: muted == [("Kitchen", True)])
        await until(lambda: ("samantha/room/kitchen/mic_muted", b"ON") in watcher.received)
        reply = [p for t, p in watcher.received if t == "samantha/room/kitchen/last_reply"]
        assert len(reply[-1].decode()) == 255
    finally:
        await client.stop()
        watcher.stop()
