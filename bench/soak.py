"""Chaos soak: a running house keeps obeying through broker restarts, kills, broken plugins
and floods (issue 19, item 8). Real processes on a real Mosquitto, loopback only.

Set-up (temp dir, free port, everything stopped by PID):
- Mosquitto with persistence on (a home broker's usual setting: retained discovery and the
  devices' sessions survive a restart);
- `samantha run --headless` (the house and satellite hub) and two `samantha satellite`
  processes (kitchen, living room) replaying a long silence, i.e. idle;
- 50 simulated lights, each its own paho client (persistent session, QoS1) that announces
  itself by retained discovery (`schema: json`, brightness in percent), obeys commands,
  reports state and records every command it receives;
- `samantha say -` (its own process, same plugins) feeding 1,000 sentences "set the <lamp>
  to <n> percent": each (lamp, n) pair is sent once, so it is the command's unique id and a
  pair received twice is a duplicated effect;
- both Samantha processes load bench/_soak_hang.py (its `samantha_event` hook never
  returns) and bench/_soak_raise.py (it raises on every event).

While the commands flow: the broker restarts three times, the kitchen satellite is
SIGKILLed (and restarted), fuzzed discovery (tests/harness/hostile_mqtt.py) and fuzzed
Hermes traffic (the strategies of tests/satellite/hostile.py) flood the broker, and the house
is SIGKILLed and restarted. A prober flips the office's microphone switch over MQTT every
0.25 s: its answers show when the house obeys again after each fault.

Reports commands lost and duplicated, tracebacks per process log, recovery after each fault
and the house's memory growth, against the issue's targets; writes bench/results/soak.json.

Duplicated effects: every command is absolute ("set to n percent"), so one received again
right after itself (a QoS1 redelivery after a PUBACK lost in a restart: docs/mqtt.md
"Reliability") changes nothing and is reported apart; a duplicated effect is an old level
taking effect again after a newer one, or levels arriving out of order.

Memory: growth is measured from a warmed house (the satellites' streams decoded for a while,
the grammar rebuilt for a device that comes and goes, RSS settled), as a restarted house
starts at that level; the growth from the cold baseline (2 s after the first answer) is
reported too, and for each fault the house's RSS before it, its peak until the next fault
and where it was then (`rss_mb`; the whole timeline is in the JSON). --trace-memory loads
bench/_soak_tracemalloc.py into the house and writes tracemalloc dumps (and what malloc_trim
gives back) into the work dir; --arena-max N runs the house with MALLOC_ARENA_MAX=N (an
experiment: glibc's per-thread malloc arenas). bench/_soak_decoders.py measures what one
speech decoder costs and keeps.

    .venv/bin/python bench/soak.py [--commands 1000] [--rate 6] [--trace-memory] [--arena-max N]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "satellite")]

from _results import write_results  # noqa: E402  (bench/ is on sys.path)
from mqtt_flood import Flooder as DiscoveryFlooder  # noqa: E402
from mqtt_flood import rss_mb  # noqa: E402
from sat_harness import SAMANTHA, SPEECH, Hub, Process, satellite_config  # noqa: E402
from test_flood import Flooder as HermesFlooder  # noqa: E402
from test_flood import fuzzed_traffic  # noqa: E402

from harness.hostile_mqtt import fuzzed_discovery  # noqa: E402
from harness.mosquitto import Mosquitto  # noqa: E402

TARGETS = {"lost": 0, "duplicated": 0, "recovery_s": 5.0, "growth_mb": 50.0}
DEVICES = 50
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
         "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo",
         "sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu", "amber",
         "black", "cobalt", "copper", "crimson", "emerald", "golden", "indigo", "ivory",
         "jade", "lemon", "magenta", "maroon", "olive", "orange", "pearl", "pink", "purple",
         "ruby", "scarlet", "silver", "teal", "violet", "white"]
PLUGINS = [ROOT / "bench" / "_soak_hang.py", ROOT / "bench" / "_soak_raise.py"]


TRACER = ROOT / "bench" / "_soak_tracemalloc.py"


def house_yaml(port: int, work: Path, client_id: str, *, hub: bool, trace: bool = False) -> str:
    plugins = ", ".join(str(p) for p in [*PLUGINS, *([TRACER] if trace else [])])
    text = f"""name: Soak House
language: en
web: {{enabled: false}}
rooms: [{{name: Office}}, {{name: Kitchen}}, {{name: Living Room}}, {{name: Bedroom}}]
plugins: [{plugins}]
mqtt:
  host: 127.0.0.1
  port: {port}
  client_id: {client_id}
  outbox_path: {work / (client_id + "-outbox.sqlite3")}
  announce_rooms: {"true" if hub else "false"}
"""
    if not hub:
        # Habit mining compares every interaction with every later one within two minutes:
        # 1,000 sentences in three minutes made each reply of `say -` slower (p50 8 s, p99
        # 141 s; 122 sentences never answered). That is the care plugin's cost, not the
        # network's, so the soak leaves it out.
        text += "care: {habits: {enabled: false}}\n"
    if hub:
        text += SPEECH + """satellite:
  hub: {window_s: 0.15, tie_s: 0.05, late_s: 1.0, frame_gap_s: 1.0}
"""
    return text


class Clock:
    """Seconds since the soak began; every event of the run is stamped with it."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def __call__(self) -> float:
        return time.monotonic() - self.start


class Lights:
    """50 lights, each a paho client of its own with a persistent session."""

    def __init__(self, port: int, clock: Clock) -> None:
        self.clock = clock
        self.lock = threading.Lock()
        self.received: list[tuple[float, int, int]] = []  # (t, lamp, brightness)
        self.clients: list[paho.Client] = []
        connected = threading.Barrier(DEVICES + 1)
        for i in range(DEVICES):
            client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"soak-light-{i}",
                                 clean_session=False, userdata={"i": i, "first": True})
            client.reconnect_delay_set(0.05, 0.5)
            client.on_connect = self._connected(connected)
            client.on_message = self._command
            client.connect("127.0.0.1", port)
            client.loop_start()
            self.clients.append(client)
        connected.wait(20)

    @staticmethod
    def config(i: int) -> tuple[str, str]:
        uid = f"soak_{i:02d}"
        return f"homeassistant/light/{uid}/config", json.dumps({
            "name": None, "uniq_id": uid, "schema": "json", "brightness": True,
            "bri_scl": 100, "cmd_t": f"soak/{i}/set", "stat_t": f"soak/{i}/state",
            "dev": {"ids": [uid], "name": f"{WORDS[i]} lamp", "sa": "Office"}})

    def _connected(self, barrier: threading.Barrier) -> Callable[..., None]:
        def on_connect(client: paho.Client, userdata: dict[str, Any], *_a: Any) -> None:
            i = userdata["i"]
            client.subscribe(f"soak/{i}/set", 1)
            if userdata["first"]:
                userdata["first"] = False
                client.publish(*self.config(i), qos=1, retain=True)
                barrier.wait(20)
        return on_connect

    def _command(self, client: paho.Client, userdata: dict[str, Any],
                 msg: paho.MQTTMessage) -> None:
        i = userdata["i"]
        try:
            command = json.loads(msg.payload)
            level = int(command["brightness"])
        except (ValueError, KeyError, TypeError):
            level = -1  # an unexpected command: counted, never matches a sentence
        with self.lock:
            self.received.append((self.clock(), i, level))
        client.publish(f"soak/{i}/state", json.dumps({"state": "ON", "brightness": level}),
                       qos=0, retain=True)

    def first_after(self, t: float) -> float | None:
        with self.lock:
            times = [at for at, _, _ in self.received if at >= t]
        return min(times) if times else None

    def stop(self) -> None:
        for client in self.clients:
            client.disconnect()
            client.loop_stop()


class Prober(threading.Thread):
    """Flips the office microphone switch every 0.25 s; records when the house answers."""

    def __init__(self, port: int, clock: Clock) -> None:
        super().__init__(daemon=True)
        self.clock = clock
        self.answers: list[float] = []
        self.sat_status: list[tuple[float, str, bytes]] = []
        self.value = "OFF"
        self._done = threading.Event()
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id="soak-prober",
                                  clean_session=False)
        self.client.reconnect_delay_set(0.05, 0.5)
        self.client.on_connect = lambda c, *_a: c.subscribe(
            [("samantha/room/office/mic_muted", 1), ("samantha/satellite/+/status", 1)])
        self.client.on_message = self._message
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()

    def _message(self, _c: Any, _u: Any, msg: paho.MQTTMessage) -> None:
        if msg.topic.startswith("samantha/satellite/"):
            self.sat_status.append((self.clock(), msg.topic.split("/")[2], bytes(msg.payload)))
        elif not msg.retain and msg.payload.decode(errors="replace") == self.value:
            self.answers.append(self.clock())

    def run(self) -> None:
        while not self._done.wait(0.25):
            self.value = "ON" if self.value == "OFF" else "OFF"
            self.client.publish("samantha/room/office/mic_muted/set", self.value, qos=1)

    def first_answer_after(self, t: float) -> float | None:
        later = [a for a in self.answers if a >= t]
        return min(later) if later else None

    def satellite_back_after(self, room: str, t: float) -> float | None:
        later = [at for at, r, p in self.sat_status
                 if r == room and at >= t and b"true" in p.replace(b" ", b"")]
        return min(later) if later else None

    def stop(self) -> None:
        self._done.set()
        self.join(5)
        self.client.disconnect()
        self.client.loop_stop()


class Sayer:
    """`samantha say -` fed one sentence per command at a steady rate; answers parsed."""

    def __init__(self, config: Path, work: Path, clock: Clock) -> None:
        self.clock = clock
        self.err_path = work / "say.err"
        self.sent: list[tuple[float, int, int]] = []  # (t, lamp, level)
        self.replies: list[tuple[float, dict[str, Any]]] = []
        self.bad_lines = 0
        with self.err_path.open("wb") as err:
            self.proc = subprocess.Popen(
                [SAMANTHA, "say", "-", "--room", "office", "--json", "-c", str(config)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                start_new_session=True, env={**os.environ, "PYTHONFAULTHANDLER": "1"})
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                self.replies.append((self.clock(), json.loads(line)))
            except ValueError:
                self.bad_lines += 1

    def feed(self, plan: list[tuple[int, int]], rate: float) -> None:
        assert self.proc.stdin is not None
        started = time.monotonic()
        for n, (lamp, level) in enumerate(plan):
            time.sleep(max(0.0, started + n / rate - time.monotonic()))
            self.sent.append((self.clock(), lamp, level))
            self.proc.stdin.write(f"set the {WORDS[lamp]} lamp to {level} percent\n".encode())
            self.proc.stdin.flush()

    def finish(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while len(self.replies) < len(self.sent) and time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(max(5.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        self.reader.join(5)


class Memory(threading.Thread):
    """The house's RSS every 0.5 s, per life of the process, and stamped by the soak's clock
    (the timeline shows what each fault added)."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(daemon=True)
        self.clock = clock
        self.pid: int | None = None
        self.life = 0
        self.samples: dict[int, list[float]] = {}
        self.timeline: list[tuple[float, float]] = []  # (t, MB)
        self._done = threading.Event()

    def follow(self, pid: int) -> None:
        self.life += 1
        self.pid = pid
        self.samples[self.life] = []

    def run(self) -> None:
        while not self._done.wait(0.5):
            pid, life = self.pid, self.life
            if pid is None:
                continue
            with contextlib.suppress(OSError, RuntimeError):  # between a kill and a restart
                mb = rss_mb(pid)
                self.samples[life].append(mb)
                self.timeline.append((self.clock(), mb))

    def at(self, t: float) -> float | None:
        """The last RSS sampled at or before t."""
        before = [mb for at, mb in self.timeline if at <= t]
        return before[-1] if before else None

    def peak(self, t0: float, t1: float) -> float | None:
        inside = [mb for at, mb in self.timeline if t0 <= at <= t1]
        return max(inside) if inside else None

    def stop(self) -> None:
        self._done.set()
        self.join(5)


def wait_for_devices(config: Path, want: int, timeout: float = 60) -> None:
    """Until `samantha devices` sees all the lights (their retained discovery arrived)."""
    deadline = time.monotonic() + timeout
    while True:
        out = subprocess.run([SAMANTHA, "devices", "--json", "-c", str(config)],
                             capture_output=True, text=True, timeout=60).stdout
        try:
            seen = sum(1 for d in json.loads(out) if str(d.get("id", "")).startswith(
                "mqtt.soak_"))
        except ValueError:
            seen = 0
        if seen >= want:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {seen} of {want} lights discovered")
        time.sleep(0.5)


def settle(pid: int, timeout: float = 30.0) -> None:
    """Until the house's RSS holds still (5 samples a second apart within 2 MB)."""
    samples: list[float] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        samples = [*samples[-4:], rss_mb(pid)]
        if len(samples) == 5 and max(samples) - min(samples) < 2.0:
            return
        time.sleep(1.0)


def warm_up(client: paho.Client, pid: int) -> None:
    """What a house does once and keeps: the satellites' streams decoded for a while, the
    speech grammar rebuilt for a device that comes and goes. Growth is measured from here:
    the first 2 s after start-up miss ~60 MB of it (a restarted house starts at that level)."""
    topic = "homeassistant/light/soak_warmup/config"
    client.publish(topic, json.dumps({
        "name": None, "uniq_id": "soak_warmup", "cmd_t": "soak/warmup/set",
        "dev": {"ids": ["soak_warmup"], "name": "warmup lamp", "sa": "Office"}}), qos=1,
        retain=True)
    time.sleep(3)
    client.publish(topic, b"", qos=1, retain=True)
    time.sleep(3)
    settle(pid)


def keep_log(process: Process, suffix: str) -> None:
    """Keep a log before the process is started again (start() truncates it)."""
    for path in (process.out_path, process.err_path):
        if path.exists():
            path.rename(path.with_name(f"{path.stem}-{suffix}{path.suffix}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--commands", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=6.0, help="sentences a second")
    parser.add_argument("--discovery-flood", type=int, default=5000)
    parser.add_argument("--hermes-flood", type=int, default=2000)
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs)")
    parser.add_argument("--arena-max", type=int, default=0,
                        help="an experiment: MALLOC_ARENA_MAX for the house (glibc's malloc "
                        "arenas, one per thread by default, up to 8 per core)")
    parser.add_argument("--trace-memory", action="store_true",
                        help="tracemalloc in the house; top allocations dumped to the work "
                        "dir at the baseline, before the house kill and at the end (implies "
                        "--keep; the figures then include tracemalloc's own overhead)")
    args = parser.parse_args()
    args.keep = args.keep or args.trace_memory
    work = Path(tempfile.mkdtemp(prefix="soak-"))
    print(f"work dir {work}")
    # Every process keeps its memory, care log, to-dos and state in the work dir: a soak
    # must not start from (or grow) what earlier runs left in ~/.local.
    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_STATE_HOME", "state"),
                     ("SAMANTHA_DATA_DIR", "data/samantha")):
        os.environ[var] = str(work / sub)
    hermes_traffic = fuzzed_traffic(args.hermes_flood)
    silence = work / "silence.wav"
    subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", str(silence), "trim",
                    "0", "600"], check=True)
    (work / "broker").mkdir()
    broker = Mosquitto(work / "broker", extra_config=(
        f"persistence true\npersistence_location {work / 'broker'}/\nmax_queued_messages 0"))
    broker.start("plain")
    port = broker.port
    clock = Clock()
    hub_config = work / "house.yaml"
    hub_config.write_text(house_yaml(port, work, "soak-house", hub=True,
                                     trace=args.trace_memory))
    say_config = work / "say.yaml"
    say_config.write_text(house_yaml(port, work, "soak-say", hub=False))
    sat_config = satellite_config(work, port)
    lights = Lights(port, clock)
    hub = Hub(hub_config, work)
    hub.env["PYTHONFAULTHANDLER"] = "1"
    hub.env["SAMANTHA_TRACEMALLOC_DIR"] = str(work)
    if args.arena_max:
        hub.env["MALLOC_ARENA_MAX"] = str(args.arena_max)
        figures_env = {"malloc_arena_max": args.arena_max}
    else:
        figures_env = {}

    traced: set[int] = set()

    def dump_memory() -> None:
        """The first signal to a house starts tracing; each later one waits for its dump."""
        if not (args.trace_memory and hub.alive()):
            return
        pid = hub.pid
        before = set(work.glob(f"dump-{pid}-*.txt"))
        os.kill(pid, signal.SIGUSR1)
        if pid not in traced:
            traced.add(pid)
            return
        deadline = time.monotonic() + 90  # a snapshot of a big heap takes a while
        while not set(work.glob(f"dump-{pid}-*.txt")) - before:
            if time.monotonic() > deadline or not hub.alive():
                print("no tracemalloc dump came")
                return
            time.sleep(0.2)
    memory = Memory(clock)
    sats = {room: Process(["satellite", "--room", room, "-c", str(sat_config), "--wav",
                           str(silence), "--timeout", "5"], work, f"sat-{room}")
            for room in ("kitchen", "living_room")}
    prober: Prober | None = None
    sayer: Sayer | None = None
    faults: list[dict[str, Any]] = []
    figures: dict[str, Any] = {"commands": args.commands, "devices": DEVICES,
                               "rate_per_s": args.rate, "targets": TARGETS, **figures_env}
    try:
        wait_for_devices(say_config, DEVICES)
        hub.start()
        memory.follow(hub.pid)
        memory.start()
        hub.wait_ready()
        for sat in sats.values():
            sat.start()
        prober = Prober(port, clock)
        prober.start()
        deadline = time.monotonic() + 30
        while prober.first_answer_after(0) is None:
            if time.monotonic() > deadline:
                raise RuntimeError("the house never answered the prober")
            time.sleep(0.1)
        time.sleep(2)
        cold_baseline = rss_mb(hub.pid)
        warm_up(prober.client, hub.pid)
        baseline = rss_mb(hub.pid)
        dump_memory()
        figures["house_baseline_mb"] = round(baseline, 1)
        figures["house_cold_baseline_mb"] = round(cold_baseline, 1)
        print(f"house ready ({cold_baseline:.0f} MB, {baseline:.0f} MB once warm); "
              f"{DEVICES} lights; 2 satellites")

        plan = [(lamp, 11 + rnd) for rnd in range(args.commands // DEVICES + 1)
                for lamp in range(DEVICES)][:args.commands]
        sayer = Sayer(say_config, work, clock)
        feeder = threading.Thread(target=sayer.feed, args=(plan, args.rate), daemon=True)
        t0 = clock()
        feeder.start()
        span = args.commands / args.rate

        def at(fraction: float) -> None:
            time.sleep(max(0.0, t0 + fraction * span - clock()))

        def broker_restart(n: int) -> None:
            down = clock()
            broker.restart()
            back = clock()
            faults.append({"fault": f"broker restart {n}", "at_s": round(down, 1),
                           "back_at_s": round(back, 1), "kind": "broker"})
            print(f"{down:6.1f}s broker restarted ({back - down:.2f} s down)")

        at(0.10)
        broker_restart(1)
        at(0.22)
        killed = clock()
        sats["kitchen"].kill(signal.SIGKILL)
        keep_log(sats["kitchen"], "1")
        time.sleep(1.0)
        sats["kitchen"].start()
        faults.append({"fault": "kitchen satellite SIGKILL", "at_s": round(killed, 1),
                       "back_at_s": round(clock(), 1), "kind": "satellite"})
        print(f"{killed:6.1f}s kitchen satellite killed, restarted")
        at(0.30)
        flood_started = clock()
        discovery = DiscoveryFlooder(port)
        sent, size = discovery.send(fuzzed_discovery(19, args.discovery_flood), retain=False)
        discovery.stop()
        hermes = HermesFlooder(port)
        for n in range(0, len(hermes_traffic), 250):
            hermes.wake()
            hermes.send(hermes_traffic[n:n + 250], n)
            time.sleep(0.5)
        hermes.stop()
        faults.append({"fault": f"flood: {sent} discovery ({size / 1e6:.0f} MB) + "
                       f"{len(hermes_traffic)} Hermes", "at_s": round(flood_started, 1),
                       "back_at_s": round(clock(), 1), "kind": "flood"})
        print(f"{flood_started:6.1f}s flood: {sent} fuzzed discovery messages, "
              f"{len(hermes_traffic)} fuzzed Hermes messages ({clock() - flood_started:.0f} s)")
        at(0.45)
        broker_restart(2)
        at(0.60)
        killed = clock()
        first_life_peak = max(memory.samples[memory.life], default=baseline)
        dump_memory()
        hub.kill(signal.SIGKILL)
        keep_log(hub, "1")
        hub.start()
        memory.follow(hub.pid)
        faults.append({"fault": "house SIGKILL", "at_s": round(killed, 1),
                       "back_at_s": round(clock(), 1), "kind": "house"})
        print(f"{killed:6.1f}s house killed, restarted")
        hub.wait_ready()
        time.sleep(2)
        settle(hub.pid, timeout=8.0)  # short: the commands and the last restart go on
        second_baseline = rss_mb(hub.pid)
        dump_memory()
        at(0.80)
        broker_restart(3)
        feeder.join()
        sayer.finish(timeout=120)
        t_end = clock()
        # What is still on its way (an outbox drained at the end) gets a little time.
        expected = set(plan)
        wait_until = time.monotonic() + 20
        while time.monotonic() < wait_until:
            with lights.lock:
                got = {(lamp, level) for _, lamp, level in lights.received}
            if expected <= got:
                break
            time.sleep(0.2)
        time.sleep(1)
        second_life_peak = max(memory.samples[memory.life], default=second_baseline)
        final_rss = rss_mb(hub.pid)
        dump_memory()
        figures["house_alive_at_end"] = hub.alive()
        figures["run_s"] = round(t_end - t0, 1)
    finally:
        memory.stop()
        if prober is not None:
            prober.stop()
        for sat in sats.values():
            sat.stop()
        hub.stop()
        lights.stop()
        broker.stop()

    # -- the figures ---------------------------------------------------------------------
    with lights.lock:
        counts = Counter((lamp, level) for _, lamp, level in lights.received)
    expected = set(plan)
    lost = sorted(expected - set(counts))
    # Every command here is absolute ("set to n percent"). One received again right after
    # itself (the outbox or the broker redelivering a QoS1 message whose PUBACK was lost in a
    # restart) changes nothing: it is counted as a redelivery. It is a duplicated *effect*
    # when the lamp had taken another level in between (the old level would come back), or
    # when levels arrive out of the order they were sent in.
    redelivered = sum(n - 1 for key, n in counts.items() if key in expected and n > 1)
    duplicated = 0
    with lights.lock:
        for lamp in range(DEVICES):
            levels = [level for _, a, level in lights.received if a == lamp and level >= 0]
            applied = [lv for n, lv in enumerate(levels) if n == 0 or lv != levels[n - 1]]
            # Each lamp's levels were sent increasing: one not above all before it is an
            # old command taking effect again (or late).
            duplicated += sum(1 for n, lv in enumerate(applied) if n and lv <= max(applied[:n]))
    unexpected = sum(n for key, n in counts.items() if key not in expected)
    statuses = Counter(r.get("status") for _, reply in sayer.replies
                       for r in reply.get("results", []))
    no_command = sum(1 for _, reply in sayer.replies if not reply.get("commands"))
    done_but_lost = sum(1 for (_, lamp, level), (_, reply) in zip(sayer.sent, sayer.replies,
                                                                     strict=False)
                        if (lamp, level) in lost
                        and any(r.get("status") == "done" for r in reply.get("results", [])))
    latencies = sorted(t_reply - t_sent for (t_sent, _, _), (t_reply, _) in
                       zip(sayer.sent, sayer.replies, strict=False))
    status_of = {(lamp, level): [r.get("status") for r in reply.get("results", [])]
                 for (_, lamp, level), (_, reply) in zip(sayer.sent, sayer.replies,
                                                         strict=False)}
    with lights.lock:
        dup_examples = [{"lamp": lamp, "level": level, "reply": status_of.get((lamp, level)),
                         "received_at_s": [round(t, 2) for t, a, b in lights.received
                                           if (a, b) == (lamp, level)]}
                        for (lamp, level), n in counts.items() if n > 1][:10]
    figures.update({
        "duplicated_examples": dup_examples,
        "sent": len(sayer.sent), "replies": len(sayer.replies), "reply_status": dict(statuses),
        "replies_without_command": no_command, "lost": len(lost), "lost_examples": lost[:10],
        "reported_done_but_lost": done_but_lost, "duplicated": duplicated,
        "redelivered_back_to_back": redelivered,
        "unexpected_commands": unexpected,
        "say_latency_s": {"p50": round(latencies[len(latencies) // 2], 3),
                          "p99": round(latencies[int(len(latencies) * 0.99)], 3),
                          "max": round(latencies[-1], 3)} if latencies else {},
    })
    assert prober is not None
    for fault in faults:
        back = fault["back_at_s"]
        if fault["kind"] == "broker":
            obeyed = lights.first_after(back)
            answered = prober.first_answer_after(back)
            fault["first_light_command_s"] = None if obeyed is None else round(obeyed - back, 2)
            fault["house_answers_s"] = None if answered is None else round(answered - back, 2)
            worst = [v for v in (fault["first_light_command_s"], fault["house_answers_s"])
                     if v is not None]
            fault["recovery_s"] = max(worst) if len(worst) == 2 else None
        elif fault["kind"] == "house":
            answered = prober.first_answer_after(back)
            fault["recovery_s"] = None if answered is None else round(answered - back, 2)
        elif fault["kind"] == "satellite":
            online = prober.satellite_back_after("kitchen", back)
            fault["recovery_s"] = None if online is None else round(online - back, 2)
        else:
            answered = prober.first_answer_after(back)
            fault["recovery_s"] = None if answered is None else round(answered - back, 2)
    for n, fault in enumerate(faults):
        # The house's RSS just before the fault, its peak until the next fault (or 10 s after
        # the last), and where it settled then: what each fault added.
        end = faults[n + 1]["at_s"] if n + 1 < len(faults) else fault["back_at_s"] + 10
        before, peak, after = (memory.at(fault["at_s"]),
                               memory.peak(fault["at_s"], end), memory.at(end))
        fault["rss_mb"] = {"before": None if before is None else round(before, 1),
                           "peak": None if peak is None else round(peak, 1),
                           "next": None if after is None else round(after, 1)}
    figures["faults"] = faults
    figures["rss_timeline"] = [[round(t, 1), round(mb, 1)] for t, mb in memory.timeline[::4]]
    figures["growth_from_cold_mb"] = round(first_life_peak - cold_baseline, 1)
    figures["memory_mb"] = {"cold_baseline": round(cold_baseline, 1),
                            "baseline": round(baseline, 1),
                            "first_life_peak": round(first_life_peak, 1),
                            "after_restart": round(second_baseline, 1),
                            "second_life_peak": round(second_life_peak, 1),
                            "final": round(final_rss, 1)}
    growth = max(first_life_peak - baseline, second_life_peak - second_baseline)
    figures["growth_mb"] = round(growth, 1)
    logs = sorted(work.glob("*.err")) + sorted(work.glob("*.out"))
    figures["tracebacks"] = {p.name: p.read_bytes().count(b"Traceback") for p in logs}
    figures["log_lines"] = {p.name: len(p.read_bytes().splitlines()) for p in logs}
    recoveries = [f["recovery_s"] for f in faults if f["kind"] in ("broker", "house")]
    worst_recovery = None if None in recoveries else max(recoveries)

    rows = [("commands lost", len(lost), TARGETS["lost"]),
            ("duplicated effects", duplicated, TARGETS["duplicated"]),
            ("worst recovery (s)", worst_recovery, TARGETS["recovery_s"]),
            ("memory growth (MB)", round(growth, 1), TARGETS["growth_mb"]),
            ("tracebacks", sum(figures["tracebacks"].values()), 0)]
    print()
    print(f"{len(sayer.sent)} commands to {DEVICES} lights in {figures['run_s']} s; "
          f"replies: {dict(statuses)}; say latency {figures['say_latency_s']}")
    for fault in faults:
        detail = {k: v for k, v in fault.items() if k not in ("fault", "kind")}
        print(f"  {fault['fault']}: {detail}")
    print(f"tracebacks per log: {figures['tracebacks']}")
    print(f"memory (MB): {figures['memory_mb']}; growth from the cold start-up baseline "
          f"{figures['growth_from_cold_mb']}")
    print(f"absolute commands received again right after themselves (no effect): "
          f"{redelivered}")
    print()
    print(f"{'measure':<22}{'value':>10}{'target':>10}{'ratio':>10}")
    for name, value, target in rows:
        if value is None:
            ratio = "never"
        elif target:
            ratio = f"{value / target:.2f}x"
        else:
            ratio = "met" if value == 0 else "MISSED"
        print(f"{name:<22}{value!s:>10}{target!s:>10}{ratio:>10}")
    figures["table"] = [{"measure": n, "value": v, "target": t} for n, v, t in rows]
    path = write_results("soak", figures)
    print(f"wrote {path}")
    if args.keep:
        print(f"logs kept in {work}")
    else:
        broker.close()
        subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    main()
