"""Simulated MQTT devices (real paho clients) and settings helpers for the MQTT tests."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from harness.mosquitto import Mosquitto
from samantha.plugins.mqtt.settings import MqttSettings, TlsSettings


def settings_for(broker: Mosquitto, tmp_path: Path, **extra: Any) -> MqttSettings:
    base: dict[str, Any] = {
        "host": broker.host,
        "port": broker.port,
        "client_id": f"samantha-test-{time.monotonic_ns()}",
        "outbox_path": tmp_path / "outbox.sqlite3",
        "reconnect_min_delay": 0.05,
        "reconnect_max_delay": 0.2,
    }
    if broker.mode == "password":
        base |= {"username": broker.username, "password": broker.password}
    if broker.mode == "tls":
        assert broker.tls_files is not None
        base["tls"] = TlsSettings(ca_certs=broker.tls_files.ca_cert)
    return MqttSettings(**(base | extra))


class SimDevice:
    """A device simulator: a real paho client on its own network thread."""

    def __init__(self, broker: Mosquitto, name: str) -> None:
        self.broker = broker
        self.name = name
        self.received: list[tuple[str, bytes]] = []
        self.lock = threading.Lock()
        self.subscribed = threading.Event()
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"sim-{name}")
        self.client.reconnect_delay_set(0.02, 0.1)  # type: ignore[arg-type]
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = lambda *a: self.subscribed.set()
        self.client.on_message = self._on_message
        self.subscriptions: list[str] = []

    def start(self) -> SimDevice:
        self.client.connect(self.broker.host, self.broker.port, keepalive=5)
        self.client.loop_start()
        assert self.subscribed.wait(5), "simulated device never subscribed"
        return self

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def wait_resubscribed(self, timeout: float = 5) -> None:
        assert self.subscribed.wait(timeout), "simulated device did not come back"

    def publish(self, topic: str, payload: str | bytes, retain: bool = True) -> None:
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(5)

    def _on_connect(self, client: paho.Client, *_: Any) -> None:
        self.subscribed.clear()
        client.subscribe([(t, 1) for t in self.subscriptions])

    def _on_message(self, client: paho.Client, _u: Any, msg: paho.MQTTMessage) -> None:
        with self.lock:
            self.received.append((msg.topic, msg.payload))
        self.handle(msg.topic, msg.payload)

    def handle(self, topic: str, payload: bytes) -> None:
        pass

    async def received_async(self, count: int, timeout: float = 5) -> list[tuple[str, bytes]]:
        """Like wait_received, but lets the asyncio loop (and Samantha's client) run."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            await asyncio.sleep(0.005)
        raise AssertionError(f"{self.name}: got {len(self.received)} of {count} messages")

    def wait_received(self, count: int, timeout: float = 5) -> list[tuple[str, bytes]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.005)
        raise AssertionError(f"{self.name}: got {len(self.received)} of {count} messages")


class Z2MBulb(SimDevice):
    """Zigbee2MQTT-style bulb: abbreviated JSON-schema discovery with `~`, JSON state."""

    def __init__(
        self,
        broker: Mosquitto,
        name: str = "desk_bulb",
        ieee: str = "0x00158d01",
        label: str = "Desk bulb",
        area: str | None = "Office",
    ) -> None:
        super().__init__(broker, name)
        self.ieee = ieee
        self.label = label
        self.area = area
        self.base = f"zigbee2mqtt/{name}"
        self.subscriptions = [f"{self.base}/set"]
        self.state: dict[str, Any] = {"state": "OFF", "brightness": 0, "color_mode": "xy"}
        self.discovery_topic = f"homeassistant/light/{ieee}/light/config"

    def discovery(self) -> dict[str, Any]:
        return {
            "~": self.base,
            "name": None,
            "uniq_id": f"{self.ieee}_light_zigbee2mqtt",
            "schema": "json",
            "cmd_t": "~/set",
            "stat_t": "~",
            "bri": True,
            "bri_scl": 254,
            "sup_clrm": ["xy", "color_temp"],
            "avty": [{"t": "zigbee2mqtt/bridge/state", "val_tpl": "{{ value_json.state }}"}],
            "dev": {
                "ids": [f"zigbee2mqtt_{self.ieee}"],
                "name": self.label,
                "mf": "IKEA",
                "mdl": "TRADFRI bulb",
                **({"sa": self.area} if self.area else {}),
            },
            "o": {"name": "Zigbee2MQTT", "sw": "1.40.0"},
        }

    def announce(self) -> SimDevice:
        self.publish("zigbee2mqtt/bridge/state", json.dumps({"state": "online"}))
        self.publish(self.discovery_topic, json.dumps(self.discovery()))
        self.publish(self.base, json.dumps(self.state))
        return self

    def handle(self, topic: str, payload: bytes) -> None:
        try:
            command = json.loads(payload)
        except ValueError:
            return
        self.state.update(command)
        self.client.publish(self.base, json.dumps(self.state), qos=1, retain=True)


class TasmotaSwitch(SimDevice):
    """Tasmota-style plug: plain ON/OFF payloads on cmnd/stat topics, LWT Online/Offline."""

    def __init__(self, broker: Mosquitto, name: str = "tasmota_plug") -> None:
        super().__init__(broker, name)
        self.subscriptions = [f"cmnd/{name}/POWER"]
        self.discovery_topic = f"homeassistant/switch/{name}/config"
        self.power = "OFF"

    def announce(self) -> SimDevice:
        self.publish(f"tele/{self.name}/LWT", "Online")
        config = {
            "name": "Kettle plug",
            "uniq_id": f"{self.name}_RL_1",
            "cmd_t": f"cmnd/{self.name}/POWER",
            "stat_t": f"stat/{self.name}/POWER",
            "pl_on": "ON",
            "pl_off": "OFF",
            "avty_t": f"tele/{self.name}/LWT",
            "pl_avail": "Online",
            "pl_not_avail": "Offline",
            "dev": {"ids": [self.name], "name": "Kitchen plug", "sug_area": "Kitchen"},
        }
        self.publish(self.discovery_topic, json.dumps(config))
        self.publish(f"stat/{self.name}/POWER", self.power)
        return self

    def handle(self, topic: str, payload: bytes) -> None:
        text = payload.decode()
        if text == "TOGGLE":
            text = "OFF" if self.power == "ON" else "ON"
        self.power = text
        self.client.publish(f"stat/{self.name}/POWER", text, qos=1, retain=True)


class Cover(SimDevice):
    """A roller shutter with position, default HA cover options."""

    def __init__(self, broker: Mosquitto, name: str = "shutter") -> None:
        super().__init__(broker, name)
        self.subscriptions = [f"cover/{name}/set", f"cover/{name}/position/set"]
        self.discovery_topic = f"homeassistant/cover/{name}/config"
        self.position = 0

    def announce(self) -> SimDevice:
        config = {
            "name": "Living shutter",
            "unique_id": f"cover_{self.name}",
            "command_topic": f"cover/{self.name}/set",
            "state_topic": f"cover/{self.name}/state",
            "position_topic": f"cover/{self.name}/position",
            "set_position_topic": f"cover/{self.name}/position/set",
        }
        self.publish(self.discovery_topic, json.dumps(config))
        self.publish(f"cover/{self.name}/position", str(self.position))
        return self

    def handle(self, topic: str, payload: bytes) -> None:
        text = payload.decode()
        if topic.endswith("/position/set"):
            self.position = int(text)
        elif text in ("OPEN", "CLOSE"):
            self.position = 100 if text == "OPEN" else 0
        self.client.publish(f"cover/{self.name}/position", str(self.position), qos=1, retain=True)
        state = "open" if self.position else "closed"
        self.client.publish(f"cover/{self.name}/state", state, qos=1, retain=True)


