"""QoS1 command round trip: raw paho (tuned) vs Samantha's MqttClient vs the whole house.

Loop measured: publish a command (QoS1) -> an echo device publishes state -> the sender
receives it. The echo device is a separate process so that it does not share the GIL.
The last row is the full Samantha path: `house.execute([Command(...)])` through the MQTT
provider (validation, codec, persistent outbox, PUBACK) until the device's echoed state
comes back as a `DeviceStateChanged` on the house's bus.
Both sides set TCP_NODELAY; the broker (from tests/harness) has `set_tcp_nodelay true`.
Writes bench/results/mqtt_rtt.json.
"""

from __future__ import annotations

import asyncio
import json
import socket
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
from samantha.events import DeviceStateChanged  # noqa: E402
from samantha.house import House  # noqa: E402
from samantha.plugins.mqtt.client import MqttClient  # noqa: E402
from samantha.plugins.mqtt.settings import MqttSettings  # noqa: E402
from samantha.providers import Command  # noqa: E402

N = 2000
WARMUP = 200
CMD, STATE = "bench/dev/set", "bench/dev/state"


def nodelay(_c: Any, _u: Any, sock: Any) -> None:
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def echo_device(port: int) -> None:
    """Child process: republish every command as state."""
    c = paho.Client(CallbackAPIVersion.VERSION2, client_id="bench-echo")
    c.on_socket_open = nodelay
    ready = threading.Event()
    c.on_connect = lambda cl, *a: cl.subscribe(CMD, 1)
    c.on_subscribe = lambda *a: ready.set()
    c.on_message = lambda cl, u, m: cl.publish(STATE, m.payload, qos=1)
    c.connect("127.0.0.1", port)
    c.loop_start()
    ready.wait(5)
    print("ready", flush=True)
    sys.stdin.read()  # until the parent closes stdin


def raw_paho(port: int) -> list[float]:
    c = paho.Client(CallbackAPIVersion.VERSION2, client_id="bench-raw")
    c.on_socket_open = nodelay
    got = threading.Event()
    sub = threading.Event()
    c.on_message = lambda *a: got.set()
    c.on_subscribe = lambda *a: sub.set()
    c.connect("127.0.0.1", port)
    c.loop_start()
    c.subscribe(STATE, 1)
    sub.wait(5)
    samples = []
    for i in range(N + WARMUP):
        got.clear()
        t0 = time.perf_counter()
        c.publish(CMD, str(i), qos=1).wait_for_publish(5)
        if not got.wait(5):
            raise RuntimeError("raw: no echo")
        if i >= WARMUP:
            samples.append(time.perf_counter() - t0)
    c.loop_stop()
    c.disconnect()
    return samples


async def samantha(port: int, outbox: Path, via_outbox: bool) -> list[float]:
    settings = MqttSettings(host="127.0.0.1", port=port, client_id=f"bench-sam-{via_outbox}",
                            outbox_path=outbox)
    client = MqttClient(settings)
    await client.start()
    loop = asyncio.get_running_loop()
    waiter: list[asyncio.Future[None]] = []

    def on_state(_m: Any) -> None:
        if waiter and not waiter[0].done():
            waiter[0].set_result(None)

    await client.subscribe(STATE, on_state)
    samples = []
    try:
        for i in range(N + WARMUP):
            fut = loop.create_future()
            waiter[:] = [fut]
            t0 = time.perf_counter()
            if via_outbox:
                await client.send_command(CMD, str(i))
            else:
                await client.publish(CMD, str(i), qos=1)
            await asyncio.wait_for(fut, 5)
            if i >= WARMUP:
                samples.append(time.perf_counter() - t0)
    finally:
        await client.stop()
    return samples


DISCOVERY = "homeassistant/switch/bench_dev/config"
HOUSE_YAML = """\
name: Bench House
rooms: [{{name: Bench}}]
mqtt:
  host: 127.0.0.1
  port: {port}
  client_id: bench-house
  outbox_path: {outbox}
  announce_rooms: false
"""


def announce_switch(port: int) -> None:
    """Retained discovery: a switch whose command and state topics are the echo's."""
    c = paho.Client(CallbackAPIVersion.VERSION2, client_id="bench-announcer")
    c.connect("127.0.0.1", port)
    c.loop_start()
    config = {"name": "Bench switch", "uniq_id": "bench_dev", "cmd_t": CMD, "stat_t": STATE,
              "dev": {"ids": ["bench_dev"], "name": "Bench switch", "sa": "Bench"}}
    c.publish(DISCOVERY, json.dumps(config), qos=1, retain=True).wait_for_publish(5)
    c.disconnect()
    c.loop_stop()


async def full_house(port: int, tmp: Path) -> list[float]:
    announce_switch(port)
    config = tmp / "samantha.yaml"
    config.write_text(HOUSE_YAML.format(port=port, outbox=tmp / "o3.sqlite3"))
    house = House.prepare(config)
    await house.start()
    loop = asyncio.get_running_loop()
    waiter: list[asyncio.Future[None]] = []
    device = "mqtt.bench_dev"

    def on_change(event: DeviceStateChanged) -> None:
        if event.device == device and waiter and not waiter[0].done():
            waiter[0].set_result(None)

    house.bus.subscribe(DeviceStateChanged, on_change)
    samples = []
    try:
        assert device in house.home.devices, "the bench switch was not discovered"
        for i in range(N + WARMUP):
            fut = loop.create_future()
            waiter[:] = [fut]
            # Alternate, so that every echo really changes the state.
            action = "turn_on" if i % 2 == 0 else "turn_off"
            t0 = time.perf_counter()
            (result,) = await house.execute([Command(device=device, action=action)])
            if not result.ok:
                raise RuntimeError(f"house: {result.error}")
            await asyncio.wait_for(fut, 5)
            if i >= WARMUP:
                samples.append(time.perf_counter() - t0)
    finally:
        await house.stop()
    return samples


def stats(samples: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples)
    return {
        "p50_ms": round(statistics.median(ms), 4),
        "p99_ms": round(ms[int(len(ms) * 0.99) - 1], 4),
        "mean_ms": round(statistics.fmean(ms), 4),
    }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--echo":
        echo_device(int(sys.argv[2]))
        return
    with tempfile.TemporaryDirectory() as tmp, Mosquitto(Path(tmp) / "broker") as broker:
        broker.start("plain")
        echo = subprocess.Popen(
            [sys.executable, __file__, "--echo", str(broker.port)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        try:
            assert echo.stdout is not None and echo.stdout.readline().strip() == "ready"
            results = {
                "raw_paho_tuned": stats(raw_paho(broker.port)),
                "samantha_publish": stats(
                    asyncio.run(samantha(broker.port, Path(tmp) / "o1.sqlite3", False))
                ),
                "samantha_send_command": stats(
                    asyncio.run(samantha(broker.port, Path(tmp) / "o2.sqlite3", True))
                ),
                "samantha_full_house": stats(asyncio.run(full_house(broker.port, Path(tmp)))),
            }
        finally:
            if echo.stdin:
                echo.stdin.close()
            echo.wait(5)
    raw = results["raw_paho_tuned"]["p50_ms"]
    print(f"QoS1 command round trip, n={N} (after {WARMUP} warm-up), loopback")
    print(f"{'loop':<24}{'p50 ms':>10}{'p99 ms':>10}{'p50 ratio':>11}")
    for name, r in results.items():
        print(f"{name:<24}{r['p50_ms']:>10.3f}{r['p99_ms']:>10.3f}{r['p50_ms'] / raw:>10.2f}x")
    ratio = results["samantha_publish"]["p50_ms"] / raw
    full = results["samantha_full_house"]
    out = {"n": N, "results": results, "ratio_p50_publish": round(ratio, 3),
           "ratio_p50_send_command": round(results["samantha_send_command"]["p50_ms"] / raw, 3),
           "ratio_p50_full_house": round(full["p50_ms"] / raw, 3),
           "ratio_p99_full_house": round(full["p99_ms"] / results["raw_paho_tuned"]["p99_ms"], 3),
           "target_ratio": 2.0}
    path = write_results("mqtt_rtt", out)
    print(f"wrote {path.relative_to(ROOT)}; Samantha/raw p50 = {ratio:.2f}x, full house/raw "
          f"p50 = {out['ratio_p50_full_house']:.2f}x (target <= 2x)")


if __name__ == "__main__":
    main()
