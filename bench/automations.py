"""Automations under load: 1,000 MQTT devices, 500 automations, a real Mosquitto.

Devices are fed by a publisher in a separate process (no shared GIL) cycling through 1,000
device state topics (`bench/dev/<i>/state`, JSON `{"on": bool, "t": monotonic_ns}`); 500 of the
devices are motion sensors, each watched by one automation:

    trigger: state (the sensor turns on)  ->  condition: a template  ->
    action: command turn_on on its light, with the publisher's timestamp as a parameter

The house side is Samantha as it runs: an MqttClient subscription feeding `home.update_state`
(a minimal device bridge, so that the MQTT device layer's own costs stay out of this number),
the core bus, the plugin host's `samantha_event`, the engine, templates, `house.execute` and
traces. Compared in the same run with a raw paho subscriber on the same stream:

- throughput: the publisher sends as fast as it can; rate = state changes fully handled (all
  triggered runs finished) per second, vs the raw subscriber's receive rate;
- latency: a paced stream (below saturation); trigger-to-action = publisher's send time to the
  light's command reaching its provider (broker hop included), p50/p99.

Targets: throughput >= 0.5 x raw, p99 <= 10 ms. Writes bench/results/automations.json.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the one Mosquitto harness, shared with the tests

from _results import write_results  # noqa: E402  (bench/ is on sys.path)

from harness.mosquitto import Mosquitto  # noqa: E402
from samantha import hookimpl  # noqa: E402
from samantha.home import Device  # noqa: E402
from samantha.house import House  # noqa: E402
from samantha.kinds import Kind  # noqa: E402
from samantha.plugins.automations.plugin import engine_for  # noqa: E402
from samantha.plugins.mqtt.client import Message, MqttClient  # noqa: E402
from samantha.plugins.mqtt.settings import MqttSettings  # noqa: E402
from samantha.providers import Command, DeviceProvider  # noqa: E402

DEVICES = 1000
AUTOMATIONS = 500
BURST = 40_000  # messages in the throughput phase
PACED_RATE = 2000  # messages per second in the latency phase (half of them trigger runs)
PACED_SECONDS = 5
SETTLE_SECONDS = 1.0
WARMUP_RUNS = 100  # the first 0.2 s of the paced stream
TOPIC = "bench/dev/{}/state"


# --- the publisher (separate process) ---------------------------------------------------------

def publish(port: int, count: int, rate: float) -> None:
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{time.time_ns()}")
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port)
    client.loop_start()
    state = [False] * DEVICES
    started = time.monotonic()
    info = None
    for n in range(count):
        i = n % DEVICES
        state[i] = not state[i]
        payload = json.dumps({"on": state[i], "t": time.monotonic_ns()})
        info = client.publish(TOPIC.format(i), payload, qos=0)
        if rate and n % 20 == 0:
            ahead = started + n / rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
    if info is not None:
        info.wait_for_publish(60)  # QoS 0: written to the socket, so nothing is left behind
    client.disconnect()
    client.loop_stop()


def run_publisher(port: int, count: int, rate: float = 0) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, __file__, "--publish", str(port), str(count),
                             str(rate)])


# --- raw paho baseline ------------------------------------------------------------------------

def raw_rate(port: int) -> dict[str, Any]:
    got: list[float] = []
    ready = threading.Event()
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id="bench-raw")
    client.on_subscribe = lambda *a: ready.set()
    client.on_message = lambda _c, _u, _m: got.append(time.monotonic())
    client.connect("127.0.0.1", port)
    client.subscribe("bench/dev/+/state", qos=0)
    client.loop_start()
    ready.wait(5)
    proc = run_publisher(port, BURST)
    proc.wait()
    client.disconnect()
    client.loop_stop()
    span = got[-1] - got[0] if len(got) > 1 else float("nan")
    return {"received": len(got), "sent": BURST, "rate_per_s": round(len(got) / span)}


# --- the house --------------------------------------------------------------------------------

class Bridge(DeviceProvider):
    """Minimal MQTT device bridge: 500 motion sensors and 500 lights."""

    name = "bench"

    def __init__(self, port: int) -> None:
        self.port = port
        self.client: MqttClient | None = None
        self.house: House | None = None
        self.received = 0
        self.first = 0.0
        self.latencies: list[float] = []
        self.done_at = 0.0
        self.commands = 0

    async def start(self, house: House) -> None:
        self.house = house
        room = house.home.ensure_room("Bench")
        for i in range(DEVICES):
            sensor = i < AUTOMATIONS
            house.home.add_device(Device(
                id=f"dev{i}", name=f"{'sensor' if sensor else 'light'} {i}", room=room.id,
                kind=Kind.BINARY_SENSOR if sensor else Kind.LIGHT,
                device_class="motion" if sensor else None, state={"on": False, "t": 0},
                provider=self.name))
        settings = MqttSettings(host="127.0.0.1", port=self.port, client_id="bench-house",
                                outbox_path=Path(tempfile.mkdtemp()) / "outbox.sqlite3")
        self.client = MqttClient(settings)
        await self.client.start()
        await self.client.subscribe("bench/dev/+/state", self.on_message, qos=0)

    def on_message(self, message: Message) -> None:
        assert self.house is not None
        if not self.received:
            self.first = time.monotonic()
        self.received += 1
        device = "dev" + message.topic.split("/", 3)[2]
        self.house.home.update_state(device, json.loads(message.payload))

    async def execute(self, device: Device, command: Command) -> None:
        assert self.house is not None
        self.latencies.append((time.monotonic_ns() - int(command.params["t"])) / 1e6)
        self.commands += 1
        self.done_at = time.monotonic()
        self.house.home.update_state(device.id, {"on": True})

    async def stop(self) -> None:
        if self.client is not None:
            await self.client.stop()


class BenchPlugin:
    def __init__(self, bridge: Bridge) -> None:
        self.bridge = bridge

    @hookimpl
    def samantha_device_providers(self, house: House) -> list[DeviceProvider]:
        return [self.bridge]


def write_config(directory: Path) -> Path:
    lines = []
    for i in range(AUTOMATIONS):
        lines += [f"- id: motion_{i}", "  triggers:",
                  f"    - {{trigger: state, device: dev{i}, to: 'on'}}",
                  "  conditions: [\"{{ trigger.to_state.t > 0 }}\"]",
                  "  actions:",
                  f"    - {{command: turn_on, device: dev{i + AUTOMATIONS}, "
                  "params: {t: '{{ trigger.to_state.t }}'}}"]
    (directory / "automations.yaml").write_text("\n".join(lines) + "\n")
    config = directory / "samantha.yaml"
    config.write_text("name: Bench\nrooms: [{name: Bench}]\n"
                      "automation_settings: {keep_traces: 5, watch: false}\n"
                      "automations: !include automations.yaml\n")
    return config


async def house_phase(port: int, directory: Path) -> dict[str, Any]:
    bridge = Bridge(port)
    house = House.prepare(write_config(directory))
    house.host.register(BenchPlugin(bridge), "bench")
    engine = engine_for(house)
    assert engine is not None
    async with house:
        assert len(engine.runners) == AUTOMATIONS, engine.issues

        async def wait_for(commands: int, proc: subprocess.Popen[bytes]) -> None:
            deadline = time.monotonic() + 120
            while (proc.poll() is None or bridge.commands < commands) and (
                    time.monotonic() < deadline):
                await asyncio.sleep(0.05)
                if proc.poll() is not None and time.monotonic() - bridge.done_at > 2:
                    break

        # Throughput: every 2nd message of a sensor turns it on -> one run per 4 messages.
        expected = BURST // 4
        proc = run_publisher(port, BURST)
        await wait_for(expected, proc)
        throughput = {"received": bridge.received, "sent": BURST, "runs": bridge.commands,
                      "expected_runs": expected,
                      "rate_per_s": round(bridge.received / (bridge.done_at - bridge.first))}
        failed = sum(1 for r in engine.runners.values() for t in r.engine.traces.traces(
            r.automation.id) if t.outcome != "finished")
        # Latency: a paced stream well below saturation. Let the burst's aftermath (trace
        # writes of 10,000 runs) finish first, and leave out the first runs while the new
        # publisher connects, as the MQTT benchmark leaves out its warm-up.
        await asyncio.sleep(SETTLE_SECONDS)
        bridge.latencies.clear()
        before = bridge.commands
        count = PACED_RATE * PACED_SECONDS
        proc = run_publisher(port, count, PACED_RATE)
        await wait_for(before + count // 4, proc)
        lat = sorted(bridge.latencies[WARMUP_RUNS:])
    return {"throughput": throughput, "failed_runs": failed,
            "latency": {"rate_per_s": PACED_RATE, "runs": len(lat),
                        "p50_ms": round(statistics.median(lat), 3),
                        "p99_ms": round(lat[int(len(lat) * 0.99) - 1], 3),
                        "max_ms": round(lat[-1], 3)}}


def main() -> None:
    broker = Mosquitto(extra_config="max_queued_messages 0\n").start("plain")
    try:
        assert broker.port is not None
        raw = raw_rate(broker.port)
        with tempfile.TemporaryDirectory() as tmp:
            house = asyncio.run(house_phase(broker.port, Path(tmp)))
    finally:
        broker.stop()
    ratio = house["throughput"]["rate_per_s"] / raw["rate_per_s"]
    out = {"devices": DEVICES, "automations": AUTOMATIONS, "raw_paho": raw, **house,
           "throughput_ratio": round(ratio, 3),
           "targets": {"ratio_min": 0.5, "p99_max_ms": 10.0},
           "met": ratio >= 0.5 and house["latency"]["p99_ms"] <= 10.0}
    print(json.dumps(out, indent=2))
    write_results("automations", out)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--publish":
        publish(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
    else:
        main()
