"""Helpers for the satellite system tests and bench/satellite.py: recordings, configs,
hub and satellite processes, and an MQTT recorder (a plain paho client, independent of ours)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

SAMANTHA = str(Path(sys.executable).parent / "samantha")
LIGHT_TOPIC = "test/kitchen_lights/set"


# --- recordings ---------------------------------------------------------------------------------


def _run(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True)


def say(text: str, out: Path, pad: tuple[float, float] = (0.3, 0.6), voice: str = "slt") -> Path:
    """English speech by flite (`voice`), 16 kHz mono s16, padded with silence."""
    raw = out.with_suffix(".raw.wav")
    _run("flite", "-voice", voice, "-t", text, "-o", str(raw))
    _run("sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", str(out),
         "pad", str(pad[0]), str(pad[1]))
    return out


@dataclass(frozen=True)
class Recordings:
    loud: Path  # "hey samantha" + pause + "turn on the lights"
    quiet: Path  # the same at vol 0.3 (-10.5 dB): another room, further away
    follow_up: Path  # the same, then (no wake word) "turn off the lights" after the reply
    silence: Path


def make_recordings(directory: Path) -> Recordings:
    wake = say("hey samantha", directory / "wake.wav")
    command = say("turn on the lights", directory / "command.wav")
    loud = directory / "loud.wav"
    _run("sox", str(wake), str(command), str(loud))
    quiet = directory / "quiet.wav"
    _run("sox", str(loud), str(quiet), "vol", "0.3")
    off = say("turn off the lights", directory / "off.wav", pad=(2.5, 1.0))
    follow_up = directory / "follow_up.wav"
    _run("sox", str(loud), str(off), str(follow_up))
    silence = directory / "silence.wav"
    _run("sox", "-n", "-r", "16000", "-c", "1", "-b", "16", str(silence), "trim", "0", "1.5")
    return Recordings(loud, quiet, follow_up, silence)


def speech_end(path: Path, threshold_db: float = -40.0) -> float:
    """Seconds into `path` where the last speech ends (20 ms RMS windows above threshold)."""
    import numpy as np

    from samantha.hardware.wavio import read_audio

    samples, rate = read_audio(path)
    x = samples[:, 0].astype(np.float64) / 32768.0
    win = rate // 50
    n = len(x) // win
    rms = np.sqrt(np.mean(x[: n * win].reshape(n, win) ** 2, axis=1) + 1e-12)
    loud = np.nonzero(20 * np.log10(rms) > threshold_db)[0]
    return float((loud[-1] + 1) * win / rate) if len(loud) else 0.0


# --- configs ------------------------------------------------------------------------------------

SPEECH = """speech:
  wake: {engine: pocketsphinx, phrases: [hey samantha]}
  stt: {engine: pocketsphinx, mode: grammar, sentences: [turn on the lights, turn off the lights]}
  tts: {engine: espeak}
"""


def hub_config(work: Path, port: int, *, follow_up_s: float = 0.0, extra: str = "",
               mqtt_extra: str = "") -> Path:
    path = work / "hub.yaml"
    path.write_text(f"""name: Satellite House
language: en
web: {{enabled: false}}  # hubs of parallel tests would fight over the dashboard's port
rooms:
  - {{name: Kitchen}}
  - {{name: Living Room}}
  - {{name: Bedroom}}
devices:
  - {{name: Ceiling Light, room: Living Room, kind: light}}
mqtt:
  host: 127.0.0.1
  port: {port}
  client_id: samantha-hub-test
  outbox_path: {work / "hub-outbox.sqlite3"}
  announce_rooms: false
{mqtt_extra}  devices:
    - {{name: Kitchen Lights, room: Kitchen, kind: light, command_topic: {LIGHT_TOPIC}}}
{SPEECH}satellite:
  hub: {{window_s: 0.15, tie_s: 0.05, late_s: 1.0, follow_up_s: {follow_up_s},
         frame_gap_s: 1.0}}
{extra}""")
    return path


def satellite_config(work: Path, port: int, *, mqtt_extra: str = "", site_extra: str = "",
                     name: str = "satellite.yaml") -> Path:
    """A satellite's config: broker, wake word, rooms' outputs; no devices, no rooms list."""
    path = work / name
    path.write_text(f"""mqtt:
  host: 127.0.0.1
  port: {port}
  outbox_path: {work / "sat-outbox.sqlite3"}
{mqtt_extra}{SPEECH}satellite:
  status_interval_s: 2
  rooms:
    kitchen: {{output: {{sink: wav, path: {work / "kitchen-reply.wav"}}}{site_extra}}}
    living_room: {{output: {{sink: wav, path: {work / "living_room-reply.wav"}}}{site_extra}}}
    bedroom: {{output: {{sink: wav, path: {work / "bedroom-reply.wav"}}}{site_extra}}}
""")
    return path


# --- processes ----------------------------------------------------------------------------------


class Process:
    """A `samantha` subprocess in its own session; stopped by PID."""

    def __init__(self, args: list[str], work: Path, name: str,
                 env: dict[str, str] | None = None) -> None:
        self.args = args
        self.out_path = work / f"{name}.out"
        self.err_path = work / f"{name}.err"
        # Its own data dir: a hub restores the scheduled sentences it finds there.
        self.env = {**os.environ, "SAMANTHA_DATA_DIR": str(work / "data"), **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.proc = subprocess.Popen([SAMANTHA, *self.args], stdout=out, stderr=err,
                                         stdin=subprocess.DEVNULL, env=self.env,
                                         start_new_session=True)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait(self, timeout: float) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.alive():
            assert self.proc is not None
            self.proc.send_signal(sig)
            self.proc.wait(10)

    def stop(self) -> None:
        if not self.alive():
            return
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)

    def stdout(self) -> str:
        return self.out_path.read_text(errors="replace") if self.out_path.exists() else ""

    def stderr(self) -> str:
        return self.err_path.read_text(errors="replace") if self.err_path.exists() else ""

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stdout().splitlines()
                if line.startswith("{")]


class Hub(Process):
    def __init__(self, config: Path, work: Path) -> None:
        super().__init__(["-v", "run", "--headless", "-c", str(config)], work, "hub")

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while "satellite hub ready" not in self.stderr():
            if not self.alive() or time.monotonic() > deadline:
                raise AssertionError(f"hub not ready:\n{self.stderr()[-3000:]}")
            time.sleep(0.1)


def satellite(config: Path, room: str, wav: Path, work: Path, *, start_at: float | None = None,
              name: str | None = None, env: dict[str, str] | None = None,
              extra: tuple[str, ...] = ()) -> Process:
    args = ["satellite", "--room", room, "-c", str(config), "--wav", str(wav), "--json",
            "--timeout", "15", *extra]
    if start_at is not None:
        args += ["--start-at", f"{start_at:.3f}"]
    return Process(args, work, name or f"sat-{room}", env)


# --- an independent MQTT observer ---------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    topic: str
    payload: bytes
    at: float  # time.time() when received
    retain: bool

    def json(self) -> Any:
        return json.loads(self.payload)


class Recorder:
    """Records every message on hermes/#, samantha/# and test/# (paho's own thread)."""

    def __init__(self, port: int, *, username: str | None = None, password: str | None = None,
                 topics: tuple[str, ...] = ("hermes/#", "samantha/#", "test/#")) -> None:
        self.port = port
        self.topics = topics
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"rec-{os.getpid()}-"
                                  f"{time.monotonic_ns()}")
        if username:
            self.client.username_pw_set(username, password)
        self.client.on_connect = self._connected
        self.client.on_subscribe = lambda *_a: self._subscribed.set()
        self.client.on_message = self._message

    def _connected(self, client: paho.Client, *_a: Any) -> None:
        client.subscribe([(t, 0) for t in self.topics])

    def _message(self, _c: Any, _u: Any, msg: paho.MQTTMessage) -> None:
        with self._lock:
            self.seen.append(Seen(msg.topic, bytes(msg.payload), time.time(), bool(msg.retain)))

    def start(self) -> Recorder:
        self.client.connect("127.0.0.1", self.port)
        self.client.loop_start()
        if not self._subscribed.wait(5):
            raise AssertionError("recorder could not subscribe")
        return self

    def stop(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()

    def messages(self, prefix: str = "") -> list[Seen]:
        with self._lock:
            return [m for m in self.seen if m.topic.startswith(prefix)]

    def clear(self) -> None:
        with self._lock:
            self.seen.clear()

    def wait_for(self, predicate: Any, timeout: float, what: str) -> Seen:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in self.messages():
                if predicate(m):
                    return m
            time.sleep(0.02)
        topics = sorted({m.topic for m in self.messages()})
        raise AssertionError(f"no {what} within {timeout} s; topics seen: {topics}")

    def json_on(self, topic: str) -> list[Any]:
        return [m.json() for m in self.messages() if m.topic == topic]
