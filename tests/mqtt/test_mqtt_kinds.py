"""Vacuums, lawn mowers, valves, alarm panels, scenes and buttons over MQTT discovery:
Home Assistant's payloads exactly (unit), then discovered, commanded and read back in a real
house on a real broker, with hostile state that changes nothing and is logged once."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import pytest
from mqtt_sims import SimDevice

from harness.mosquitto import Mosquitto
from harness.waiting import until
from samantha.house import House
from samantha.kinds import Kind
from samantha.plugins.mqtt.codec import (
    Action,
    Command,
    CommandError,
    StateError,
    decode_state,
    encode_command,
)
from samantha.plugins.mqtt.discovery import DiscoveredEntity, DiscoveryError, parse_discovery
from samantha.plugins.mqtt.mapping import codec_command, core_state
from samantha.providers import Command as CoreCommand

CONFIGS: dict[str, tuple[str, dict[str, Any]]] = {
    "robo": ("vacuum", {
        "name": "Robo", "uniq_id": "robo", "cmd_t": "robo/cmd", "stat_t": "robo/state",
        "send_cmd_t": "robo/send", "sup_feat": ["start", "pause", "stop", "return_home",
                                                 "send_command", "status", "battery"],
        "dev": {"ids": ["robo"], "name": "Robo", "sa": "Kitchen"}}),
    "mower": ("lawn_mower", {
        "name": "Mower", "uniq_id": "mower", "activity_state_topic": "mower/activity",
        "start_mowing_command_topic": "mower/start", "dock_command_topic": "mower/dock",
        "dock_command_template": '{"cmd": "{{ value }}"}', "pause_command_topic": "mower/pause",
        "dev": {"ids": ["mower"], "name": "Mower", "sa": "Garden"}}),
    "tap": ("valve", {
        "name": "Garden Tap", "uniq_id": "tap", "cmd_t": "tap/set", "stat_t": "tap/state",
        "pl_stop": "STOP", "dev": {"ids": ["tap"], "name": "Garden Tap", "sa": "Garden"}}),
    "mixer": ("valve", {
        "name": "Mixer", "uniq_id": "mixer", "cmd_t": "mixer/set", "stat_t": "mixer/state",
        "reports_position": True, "pos_clsd": 0, "pos_open": 255,
        "dev": {"ids": ["mixer"], "name": "Mixer", "sa": "Kitchen"}}),
    "alarm": ("alarm_control_panel", {
        "name": "House Alarm", "uniq_id": "alarm", "cmd_t": "alarm/set",
        "stat_t": "alarm/state", "code": "1234", "cod_arm_req": False,
        "dev": {"ids": ["alarm"], "name": "House Alarm", "sa": "Hall"}}),
    "remote": ("alarm_control_panel", {
        "name": "Shed Alarm", "uniq_id": "remote", "cmd_t": "shed/set", "stat_t": "shed/state",
        "code": "REMOTE_CODE", "sup_feat": ["arm_away"],
        "cmd_tpl": '{"action": "{{ action }}", "code": "{{ code }}"}',
        "dev": {"ids": ["shed"], "name": "Shed Alarm", "sa": "Garden"}}),
    "movie": ("scene", {"name": "Movie Night", "uniq_id": "movie", "cmd_t": "scene/movie",
                        "pl_on": "GO", "dev": {"ids": ["movie"], "name": "Movie Night",
                                               "sa": "Kitchen"}}),
    "bell": ("button", {"name": "Door Bell Test", "uniq_id": "bell", "cmd_t": "bell/press",
                        "dev": {"ids": ["bell"], "name": "Door Bell Test", "sa": "Hall"}}),
}


def entity(key: str) -> DiscoveredEntity:
    component, config = CONFIGS[key]
    return parse_discovery(f"homeassistant/{component}/{key}/config",
                           json.dumps(config)).entities[0]


def sent(key: str, action: str, params: dict[str, Any] | None = None,
         state: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    ent = entity(key)
    command = codec_command(ent, state or {}, action, params or {})
    return [(m.topic, m.payload) for m in encode_command(ent, command)]


# -- Home Assistant's payloads -----------------------------------------------------------------


def test_commands_are_home_assistants_payloads() -> None:
    assert sent("robo", "start") == [("robo/cmd", "start")]
    assert sent("robo", "return_to_base") == [("robo/cmd", "return_to_base")]
    assert sent("robo", "clean_area", {"area": "kitchen"}) == [
        ("robo/send", '{"command":"clean_area","area":"kitchen"}')]
    assert sent("mower", "start_mowing") == [("mower/start", "start_mowing")]
    assert sent("mower", "dock") == [("mower/dock", '{"cmd": "dock"}')]
    assert sent("tap", "open") == [("tap/set", "OPEN")]
    assert sent("tap", "stop") == [("tap/set", "STOP")]
    assert sent("tap", "toggle", state={"position": 100}) == [("tap/set", "CLOSE")]
    assert sent("mixer", "set_position", {"position": 50}) == [("mixer/set", "128")]
    assert sent("mixer", "open") == [("mixer/set", "255")]
    assert sent("alarm", "arm_away") == [("alarm/set", "ARM_AWAY")]  # arming needs no code
    assert sent("alarm", "disarm", {"code": "1234"}) == [("alarm/set", "DISARM")]
    assert sent("remote", "arm_away", {"code": "9876"}) == [
        ("shed/set", '{"action": "ARM_AWAY", "code": "9876"}')]
    assert sent("movie", "turn_on") == [("scene/movie", "GO")]
    assert sent("bell", "press") == [("bell/press", "PRESS")]


def test_what_a_device_cannot_do_is_refused_with_a_reason() -> None:
    with pytest.raises(CommandError, match="wrong code"):
        sent("alarm", "disarm", {"code": "0000"})
    with pytest.raises(CommandError, match="needs a code"):
        sent("remote", "arm_away")
    with pytest.raises(CommandError, match="arm home"):
        sent("remote", "arm_home", {"code": "1"})
    with pytest.raises(CommandError, match="cannot set_position"):
        encode_command(entity("tap"), Command(Action.SET_POSITION, position=20))
    with pytest.raises(CommandError, match="lawn_mower cannot start"):
        encode_command(entity("mower"), Command(Action.START))
    # the core's own rules first: a scene cannot be turned off, a vacuum has no brightness
    with pytest.raises(ValueError, match="cannot"):
        sent("movie", "turn_off")


def test_states_are_read_like_home_assistant() -> None:
    def state(key: str, topic: str, payload: str) -> dict[str, Any]:
        ent = entity(key)
        return core_state(ent, decode_state(ent, topic, payload))

    assert state("robo", "robo/state", '{"state": "cleaning", "battery_level": 61, '
                                        '"fan_speed": "max"}') == {
        "activity": "cleaning", "battery_level": 61, "fan_speed": "max"}
    assert state("mower", "mower/activity", "mowing") == {"activity": "mowing"}
    assert state("tap", "tap/state", "open") == {"position": 100}
    assert state("tap", "tap/state", '{"state": "closed"}') == {"position": 0}
    assert state("mixer", "mixer/state", "51") == {"position": 20}
    assert state("mixer", "mixer/state", '{"position": 255}') == {"position": 100}
    assert state("alarm", "alarm/state", "armed_night") == {"state": "armed_night"}
    assert entity("movie").state_topics == [] and entity("bell").state_topics == []


@pytest.mark.parametrize(("key", "topic", "payload", "reason"), [
    ("robo", "robo/state", "cleaning", "invalid JSON"),
    ("robo", "robo/state", '{"state": "dancing"}', "unknown vacuum state"),
    ("robo", "robo/state", '{"battery_level": "NaN"}', "battery_level"),
    ("robo", "robo/state", "[" * 5000 + "]" * 5000, "nested deeper"),
    ("mower", "mower/activity", "flying", "unknown lawn mower activity"),
    ("tap", "tap/state", "ajar", "unknown valve state"),
    ("mixer", "mixer/state", "1e999", "valve position"),
    ("mixer", "mixer/state", '{"state": "open"}', "reports a position"),
    ("alarm", "alarm/state", "x" * 300, "characters"),
    ("alarm", "alarm/state", "ARMED_AWAY", "unknown alarm state"),
])
def test_hostile_state_is_refused_with_where_and_why(key: str, topic: str, payload: str,
                                                     reason: str) -> None:
    with pytest.raises(StateError, match=reason):
        decode_state(entity(key), topic, payload)


@pytest.mark.parametrize(("component", "config", "reason"), [
    ("alarm_control_panel", {"cmd_t": "a/set"}, "state_topic"),
    ("alarm_control_panel", {"cmd_t": "a/+", "stat_t": "a/s"}, "command_topic"),
    ("button", {"name": "b"}, "command_topic"),
    ("vacuum", {"cmd_t": "v/c", "sup_feat": ["fly"]}, "supported_features"),
    ("valve", {"cmd_t": "v/c", "reports_position": True, "pl_open": "O"}, "not allowed"),
    ("valve", {"cmd_t": "v/c", "pos_open": 5, "pos_clsd": 5}, "larger"),
    ("lawn_mower", {"dock_command_topic": "#"}, "dock_command_topic"),
])
def test_hostile_discovery_is_refused_with_where_and_why(component: str,
                                                         config: dict[str, Any],
                                                         reason: str) -> None:
    with pytest.raises(DiscoveryError, match=reason):
        parse_discovery(f"homeassistant/{component}/x/config", json.dumps(config))


# -- a real house on a real broker -----------------------------------------------------------


class Appliances(SimDevice):
    """Every new kind announced by one simulated device bridge; it records what it is told."""

    def __init__(self, broker: Mosquitto) -> None:
        super().__init__(broker, "appliances")
        self.subscriptions = ["robo/#", "mower/#", "tap/set", "mixer/set", "alarm/set",
                              "shed/set", "scene/#", "bell/#"]

    def announce(self) -> None:
        for key, (component, config) in CONFIGS.items():
            self.publish(f"homeassistant/{component}/{key}/config", json.dumps(config))

    def commands(self) -> list[tuple[str, str]]:
        with self.lock:
            return [(t, p.decode()) for t, p in self.received if not t.endswith(
                ("/state", "/activity"))]


async def test_new_kinds_discovered_commanded_and_read_back(
        broker: Mosquitto, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    sim = Appliances(broker).start()
    try:
        sim.announce()
        sim.publish("robo/state", '{"state": "docked", "battery_level": 100}')
        cfg = tmp_path / "samantha.yaml"
        cfg.write_text(f"""\
rooms: [{{name: Kitchen}}, {{name: Garden}}, {{name: Hall}}]
mqtt:
  host: 127.0.0.1
  port: {broker.port}
  client_id: samantha-kinds-{time.monotonic_ns()}
  outbox_path: {tmp_path / "outbox.sqlite3"}
""")
        house = House.prepare(cfg)
        async with house:
            devices = house.home.devices
            await until(lambda: len([d for d in devices if d.startswith("mqtt.")]) == 8,
                        what="eight discovered devices")
            kinds = {d.id: d.kind for d in devices.values()}
            assert kinds == {
                "mqtt.robo": Kind.VACUUM, "mqtt.mower": Kind.LAWN_MOWER,
                "mqtt.tap": Kind.VALVE, "mqtt.mixer": Kind.VALVE,
                "mqtt.alarm": Kind.ALARM_CONTROL_PANEL, "mqtt.remote": Kind.ALARM_CONTROL_PANEL,
                "mqtt.movie": Kind.SCENE, "mqtt.bell": Kind.BUTTON}
            assert devices["mqtt.robo"].room == "kitchen"
            assert devices["mqtt.alarm"].sensitive and not devices["mqtt.tap"].sensitive
            await until(lambda: devices["mqtt.robo"].state.get("battery_level") == 100,
                        what="the vacuum's retained state")

            results = await house.execute([
                CoreCommand(device="mqtt.robo", action="start"),
                CoreCommand(device="mqtt.mower", action="dock"),
                CoreCommand(device="mqtt.tap", action="open"),
                CoreCommand(device="mqtt.mixer", action="set_position", params={"position": 40}),
                CoreCommand(device="mqtt.alarm", action="arm_home"),
                CoreCommand(device="mqtt.alarm", action="disarm", params={"code": "4321"}),
                CoreCommand(device="mqtt.movie", action="turn_on"),
                CoreCommand(device="mqtt.bell", action="press"),
            ])
            assert [r.status for r in results] == ["done"] * 5 + ["failed"] + ["done"] * 2
            assert results[5].error == "wrong code for the alarm panel"
            await until(lambda: len(sim.commands()) >= 7, what="seven commands delivered")
            assert sim.commands() == [
                ("robo/cmd", "start"), ("mower/dock", '{"cmd": "dock"}'), ("tap/set", "OPEN"),
                ("mixer/set", "102"), ("alarm/set", "ARM_HOME"), ("scene/movie", "GO"),
                ("bell/press", "PRESS")]
            assert "4321" not in caplog.text

            # the devices report back; the home follows
            sim.publish("robo/state", '{"state": "cleaning", "battery_level": 97}')
            sim.publish("mower/activity", "returning")
            sim.publish("tap/state", "open")
            sim.publish("mixer/state", "102")
            sim.publish("alarm/state", "armed_home")
            await until(lambda: devices["mqtt.alarm"].state["state"] == "armed_home",
                        what="alarm state")
            assert devices["mqtt.robo"].state["activity"] == "cleaning"
            assert devices["mqtt.mower"].state["activity"] == "returning"
            assert devices["mqtt.tap"].state["position"] == 100
            assert devices["mqtt.mixer"].state["position"] == 40

            # hostile state: nothing changes, one warning per device however many arrive
            caplog.clear()
            with caplog.at_level(logging.WARNING):
                for _ in range(20):
                    sim.publish("robo/state", '{"state": "exploding"}', retain=False)
                    sim.publish("alarm/state", "disarmed\x00" * 100, retain=False)
                sim.publish("mower/activity", "docked")  # a good message after the flood
                await until(lambda: devices["mqtt.mower"].state["activity"] == "docked",
                            what="the mower after the flood")
            assert devices["mqtt.robo"].state["activity"] == "cleaning"
            assert devices["mqtt.alarm"].state["state"] == "armed_home"
            warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
            assert len([w for w in warnings if "robo/state" in w]) == 1
            assert len([w for w in warnings if "alarm/state" in w]) == 1
            assert any("unknown vacuum state" in w for w in warnings)
    finally:
        sim.stop()


def test_new_kinds_declared_in_yaml_without_discovery() -> None:
    from samantha.plugins.mqtt.devices import generic_entity
    from samantha.plugins.mqtt.settings import GenericDevice

    tap = generic_entity(GenericDevice(name="Tap", kind="valve", command_topic="tap/set",
                                       state_topic="tap/state"))
    assert [(m.topic, m.payload) for m in encode_command(tap, Command(Action.OPEN))] == [
        ("tap/set", "OPEN")]
    assert core_state(tap, decode_state(tap, "tap/state", "closed")) == {"position": 0}
    mower = generic_entity(GenericDevice(name="Mower", kind="lawn_mower", options={
        "start_mowing_command_topic": "m/go", "activity_state_topic": "m/act"}))
    assert [(m.topic, m.payload) for m in encode_command(mower, Command(Action.START_MOWING))
            ] == [("m/go", "start_mowing")]
    scene = generic_entity(GenericDevice(name="Relax", kind="scene", command_topic="s/relax",
                                         payload_on="RELAX"))
    assert [(m.topic, m.payload) for m in encode_command(scene, Command(Action.TURN_ON))] == [
        ("s/relax", "RELAX")]
