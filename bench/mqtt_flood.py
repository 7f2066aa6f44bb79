"""Memory of a running house under hostile MQTT discovery floods, on a real Mosquitto.

A `samantha run --headless` process (its own interpreter, measured through /proc/PID/status)
follows discovery on a private broker. Phases, RSS sampled after each:

1. baseline: the house with one good bulb;
2. 20 lights whose names are 200,000 characters (the issue: 96 MB -> 1.51 GB);
3. N fuzzed discovery messages (tests/harness/hostile_mqtt.py; default 100,000): junk,
   deep nesting, huge payloads, poison topics, hostile templates, valid configs;
4. the sources go away: an empty config on every topic used above.

After each phase the house must still answer over MQTT (its room's "microphone muted" switch,
set through `<base>/room/<room>/mic_muted/set`, comes back on `.../mic_muted`): the broker
delivers to the house in order, so the answer also means the flood before it was read.
Target: growth <= 50 MB, given back after phase 4. Writes bench/results/mqtt_flood.json.

    .venv/bin/python bench/mqtt_flood.py [--messages N]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
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
sys.path.insert(0, str(ROOT / "tests"))  # the Mosquitto harness and the hostile traffic

from _results import write_results  # noqa: E402  (bench/ is on sys.path)

from harness.hostile_mqtt import big_name_light, fuzzed_discovery  # noqa: E402
from harness.mosquitto import Mosquitto  # noqa: E402

TARGET_MB = 50.0
HOUSE_YAML = """\
name: Flood House
rooms: [{{name: Office}}]
mqtt:
  host: 127.0.0.1
  port: {port}
  client_id: flood-house
  outbox_path: {outbox}
"""
GOOD_BULB = ("homeassistant/light/good/config", json.dumps({
    "name": "Desk Lamp", "uniq_id": "good", "cmd_t": "good/set", "stat_t": "good/state",
    "dev": {"ids": ["good"], "name": "Desk Lamp", "sa": "Office"}}))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


class Flooder:
    """One paho client publishing as fast as the broker takes it (QoS1, 500 in flight)."""

    def __init__(self, port: int) -> None:
        self.c = paho.Client(CallbackAPIVersion.VERSION2, client_id="flooder")
        self.c.max_inflight_messages_set(500)
        self.muted: dict[str, str] = {}
        self.house: subprocess.Popen[bytes] | None = None
        self.changed = threading.Condition()
        ready = threading.Event()
        self.c.on_connect = lambda cl, *a: (cl.subscribe("samantha/room/+/mic_muted", 1),
                                            ready.set())
        self.c.on_message = self._on_message
        self.c.connect("127.0.0.1", port)
        self.c.loop_start()
        ready.wait(5)

    def _on_message(self, _c: Any, _u: Any, msg: paho.MQTTMessage) -> None:
        with self.changed:
            self.muted[msg.topic] = msg.payload.decode()
            self.changed.notify_all()

    def send(self, messages: Any, retain: bool = True) -> tuple[int, int]:
        count = size = 0
        pending = []
        for topic, payload in messages:
            pending.append(self.c.publish(topic, payload, qos=1, retain=retain))
            count += 1
            size += len(payload)
            if len(pending) >= 2000:
                for info in pending:
                    info.wait_for_publish(60)
                pending.clear()
        for info in pending:
            info.wait_for_publish(60)
        return count, size

    def house_answers(self, value: str, timeout: float = 120) -> float:
        """Flip the office microphone switch; seconds until the house reports it."""
        topic = "samantha/room/office/mic_muted"
        started = time.monotonic()
        self.c.publish(f"{topic}/set", value, qos=1)
        with self.changed:
            while not self.changed.wait_for(lambda: self.muted.get(topic) == value, 1.0):
                if self.house is not None and self.house.poll() is not None:
                    raise RuntimeError(f"the house exited with {self.house.returncode}")
                if time.monotonic() - started > timeout:
                    raise RuntimeError(f"the house did not answer within {timeout} s")
        return time.monotonic() - started

    def stop(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


def settle(pid: int, seconds: float = 2.0) -> float:
    """RSS once it stopped moving (or after a few seconds)."""
    last = rss_mb(pid)
    for _ in range(int(seconds / 0.25)):
        time.sleep(0.25)
        now = rss_mb(pid)
        if abs(now - last) < 0.5:
            return now
        last = now
    return last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mqtt-flood-"))
    # Unlimited queue for the house: the broker must not drop what the house is slow to read.
    broker = Mosquitto(work / "broker", extra_config="max_queued_messages 0")
    broker.start("plain")
    config = work / "samantha.yaml"
    config.write_text(HOUSE_YAML.format(port=broker.port, outbox=work / "outbox.sqlite3"))
    flooder = Flooder(broker.port)
    flooder.send([GOOD_BULB])
    exe = Path(sys.executable).parent / "samantha"
    log = (work / "house.log").open("wb")
    # faulthandler: should the interpreter itself crash, the log says where.
    house = subprocess.Popen([str(exe), "run", "--headless", "-c", str(config)],
                             stderr=log, stdout=log, start_new_session=True,
                             env={**os.environ, "PYTHONFAULTHANDLER": "1"})
    flooder.house = house
    figures: dict[str, Any] = {"messages": args.messages, "seed": args.seed,
                               "target_growth_mb": TARGET_MB}
    try:
        deadline = time.monotonic() + 60
        while b"running headless" not in (work / "house.log").read_bytes():
            if house.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((work / "house.log").read_text())
            time.sleep(0.1)
        flooder.house_answers("ON")
        base = settle(house.pid)
        figures["baseline_mb"] = round(base, 1)
        print(f"baseline: {base:.1f} MB")

        started = time.monotonic()
        count, size = flooder.send(big_name_light(i) for i in range(20))
        flooder.house_answers("OFF")
        big = settle(house.pid)
        figures["big_names"] = {"lights": count, "bytes": size, "rss_mb": round(big, 1),
                                "growth_mb": round(big - base, 1),
                                "seconds": round(time.monotonic() - started, 1)}
        print(f"20 lights with 200,000-character names ({size / 1e6:.1f} MB sent): "
              f"{big:.1f} MB (+{big - base:.1f})")

        started = time.monotonic()
        # Not retained: the broker would have to keep every one of them.
        count, size = flooder.send(fuzzed_discovery(args.seed, args.messages), retain=False)
        answer = flooder.house_answers("ON", timeout=600)
        took = time.monotonic() - started
        flood = settle(house.pid, 5)
        peak = flood
        figures["fuzzed"] = {"sent": count, "bytes": size, "rss_mb": round(flood, 1),
                             "growth_mb": round(flood - base, 1), "seconds": round(took, 1),
                             "answer_after_flood_s": round(answer, 3),
                             "messages_per_s": round(count / took)}
        print(f"{count} fuzzed discovery messages ({size / 1e6:.0f} MB) in {took:.0f} s: "
              f"{flood:.1f} MB (+{flood - base:.1f}); the house answered "
              f"{answer * 1000:.0f} ms after the flood")

        started = time.monotonic()
        topics = [t for t, _ in big_name_light_topics()] + [
            t for t, _ in fuzzed_discovery(args.seed, args.messages)]
        flooder.send(((t, b"") for t in topics), retain=False)
        flooder.house_answers("OFF", timeout=600)
        gone = settle(house.pid, 5)
        figures["removed"] = {"rss_mb": round(gone, 1), "growth_mb": round(gone - base, 1),
                              "given_back_mb": round(peak - gone, 1),
                              "seconds": round(time.monotonic() - started, 1)}
        print(f"after the sources went away: {gone:.1f} MB (+{gone - base:.1f} over baseline)")
        worst = max(big, flood, gone) - base
        figures["worst_growth_mb"] = round(worst, 1)
        figures["growth_vs_target"] = round(worst / TARGET_MB, 2)
        figures["house_log_lines"] = len((work / "house.log").read_bytes().splitlines())
        figures["tracebacks"] = (work / "house.log").read_bytes().count(b"Traceback")
        print(f"worst growth {worst:.1f} MB = {worst / TARGET_MB:.2f}x the 50 MB target; "
              f"house log: {figures['house_log_lines']} lines, "
              f"{figures['tracebacks']} tracebacks")
    finally:
        house.send_signal(signal.SIGTERM)
        try:
            house.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(house.pid, signal.SIGKILL)
        flooder.stop()
        broker.close()
        log.close()
    path = write_results("mqtt_flood", figures)
    print(f"wrote {path}")


def big_name_light_topics() -> list[tuple[str, bytes]]:
    return [(big_name_light(i, chars=1)[0], b"") for i in range(20)]


if __name__ == "__main__":
    main()
