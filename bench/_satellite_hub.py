"""A satellite house for benchmarks: one Mosquitto, one hub, recordings replayed by satellites.

`SatelliteHouse` starts a real Mosquitto (tests/harness/mosquitto.py) and a real hub
(`samantha run --headless`, tests/satellite/sat_harness.py `Hub`) on a config derived from a
house's YAML: the same rooms, devices and speech settings (so the same grammar), with the
speech section's local rooms removed (the hub opens no microphone), the satellite hub served
for every room, and the dashboard on a free loopback port with a generated password (its JSON
API types setup sentences and tells which device commands a turn gave).

`replay(room, wav)` runs `samantha satellite --room ROOM --wav WAV --fast --json` and gathers
what came of it: the satellite's own events (did it wake), and from MQTT what the hub
published for that session (`hermes/asr/textCaptured`, `hermes/intent/<name>` with its slots,
`hermes/nlu/intentNotRecognized`), plus the turn's device commands from the dashboard. Several
rooms may replay at once (one hub session per room); one room replays one recording at a time.

Replies are not synthesised (`tts: none` on the hub, as the local baseline does): a reply
costs CPU and tells nothing about what was understood.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "satellite"))
from sat_harness import SAMANTHA, Hub, Recorder, Seen  # noqa: E402

from harness.mosquitto import Mosquitto, free_port  # noqa: E402

# What the judge reads (replies for questions); audio frames are left out (only cost memory).
# The hub's orders to a room (samantha/site/<room>/asr/stopListening without a sessionId: stand
# down) tell when arbitration gave a wake to another room.
TOPICS = ("hermes/dialogueManager/#", "hermes/asr/textCaptured", "hermes/intent/#",
          "hermes/nlu/intentNotRecognized", "hermes/tts/say", "samantha/site/+/asr/stopListening")
REPLAY_TIMEOUT_S = 60.0  # a satellite process that runs longer than this is stuck
# The dashboard is on loopback: never through an http_proxy from the environment.
_LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Replayed:
    """What came of one recording replayed by a satellite."""

    room: str
    woken: bool = False
    end: str = ""  # why the satellite's utterance ended (end, timeout, ...), "" when it did not
    # The hub gave the wake to another room (arbitration: a wake in another room within
    # `late_s` is taken for the same words heard there). Two people in two rooms at once: the
    # caller replays it again.
    stood_down: bool = False
    session: str | None = None
    text: str = ""  # hermes/asr/textCaptured: what the hub gave the house (snapped)
    heard: str = ""  # the dashboard turn: the recognizer's own words
    intents: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    not_recognized: bool = False
    commands: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    seconds: float = 0.0  # wall time of the satellite process
    events: list[dict[str, Any]] = field(default_factory=list)  # the satellite's json events
    error: str | None = None


def hub_config(example: Path, work: Path, port: int, web_port: int, password: str) -> Path:
    """The example house as a satellite hub: same home and speech settings, no local rooms."""
    config = yaml.safe_load(example.read_text())
    speech = config["speech"]
    speech.pop("rooms", None)
    speech["tts"] = {"engine": "none"}
    config["mqtt"] = {"host": "127.0.0.1", "port": port, "client_id": "samantha-bench-hub",
                      "outbox_path": str(work / "hub-outbox.sqlite3"), "announce_rooms": False}
    config["web"] = {"host": "127.0.0.1", "port": web_port, "password": password,
                     "keep_turns": 200}
    # No listening again after a reply: the replayed recording is over by then. Arbitration
    # takes wakes in two rooms within `late_s` (1 s) for one voice heard twice, and one room
    # stands down; here they are different people in different rooms, so its rounds are made
    # as short as they go (the rare wakes still within 20 ms are replayed again).
    config["satellite"] = {"hub": {"follow_up_s": 0, "question_follow_up_s": 0,
                                   "window_s": 0.02, "tie_s": 0.0, "late_s": 0.02}}
    # Each recording is a first sentence, as voice_accuracy's runner makes it (it forgets the
    # conversation before each): "that" must not mean the previous recording's device.
    config["conversation"] = {"follow_up_seconds": 0.5}
    path = work / "hub.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def satellite_config(example: Path, work: Path, port: int, rooms: list[str]) -> Path:
    """The satellites' config: the broker and the house's wake and endpoint settings."""
    config = yaml.safe_load(example.read_text())
    speech = {k: v for k, v in config["speech"].items() if k in ("wake", "endpoint")}
    path = work / "satellite.yaml"
    path.write_text(yaml.safe_dump({
        "mqtt": {"host": "127.0.0.1", "port": port,
                 "outbox_path": str(work / "sat-outbox.sqlite3")},
        "speech": speech,
        "satellite": {"rooms": {room: {"output": {"sink": "none"}} for room in rooms}},
    }, sort_keys=False))
    return path


class SatelliteHouse:
    """Mosquitto + hub + MQTT recorder + dashboard client; `with` starts and stops them."""

    def __init__(self, example: Path, rooms: list[str]) -> None:
        self.example = example
        self.rooms = rooms
        self._tmp = tempfile.TemporaryDirectory(prefix="bench-satellite-accuracy-")
        self.work = Path(self._tmp.name)
        self.password = secrets.token_urlsafe(16)
        self.broker: Mosquitto | None = None
        self.hub: Hub | None = None
        self.recorder: Recorder | None = None
        self.web_port = 0
        self.sat_config = self.work / "satellite.yaml"

    def __enter__(self) -> SatelliteHouse:
        try:
            self.broker = Mosquitto(self.work / "broker").start("plain")
            self.web_port = free_port()
            config = hub_config(self.example, self.work, self.broker.port, self.web_port,
                                self.password)
            self.sat_config = satellite_config(self.example, self.work, self.broker.port,
                                               self.rooms)
            self.recorder = Recorder(self.broker.port, topics=TOPICS).start()
            self.hub = Hub(config, self.work).start()
            self.hub.wait_ready(120)
            self._wait_dashboard()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.hub is not None:
            self.hub.stop()
        if self.recorder is not None:
            self.recorder.stop()
        if self.broker is not None:
            self.broker.stop()
        self._tmp.cleanup()

    # --- the dashboard's API -------------------------------------------------------------------

    def _api(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.web_port}{path}", method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {self.password}",
                     "Content-Type": "application/json"})
        with _LOOPBACK.open(request, timeout=30) as response:
            return json.loads(response.read())

    def _wait_dashboard(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._api("GET", "/api/rooms")
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def say(self, room: str, text: str) -> None:
        """A typed sentence in `room` (a timer to cancel or ask about); not a satellite's."""
        self._api("POST", "/api/say", {"room": room, "text": text})

    def turns(self, room: str) -> list[dict[str, Any]]:
        return list(self._api("GET", f"/api/turns?room={room}"))

    def snapshot(self, room: str) -> dict[int, tuple[int, int]]:
        """Per turn of `room`: how many commands and transcripts it holds so far.

        A satellite room's next utterance may land in a turn opened by a typed sentence
        (the setup of a case) as well as in the one its wake opened: what a replay did is what
        turns gained, not which turn is new.
        """
        return {t["id"]: (len(t["commands"]), len(_transcripts(t))) for t in self.turns(room)}

    # --- one recording -------------------------------------------------------------------------

    def replay(self, room: str, wav: Path, fast: bool = True) -> Replayed:
        """`wav` as `room`'s microphone, through a satellite process, the broker and the hub;
        unpaced (`--fast`) unless `fast` is False."""
        assert self.recorder is not None and self.hub is not None
        if not self.hub.alive():
            raise RuntimeError(f"the hub exited: {self.hub.stderr()[-500:]}")
        out = Replayed(room)
        before = self.snapshot(room)
        started_wall = time.time()
        started = time.monotonic()
        try:
            done = subprocess.run(
                [SAMANTHA, "satellite", "--room", room, "-c", str(self.sat_config), "--wav",
                 str(wav), *(["--fast"] if fast else []), "--json", "--timeout", "20"],
                capture_output=True, text=True, timeout=REPLAY_TIMEOUT_S, check=False,
                env={**os.environ, "SAMANTHA_DATA_DIR": str(self.work / "satellite-data")})
        except subprocess.TimeoutExpired:
            out.error = f"satellite still running after {REPLAY_TIMEOUT_S:.0f} s"
            return out
        out.seconds = time.monotonic() - started
        out.events = events = [json.loads(line) for line in done.stdout.splitlines()
                               if line.startswith("{")]
        out.woken = any(e["event"] == "wake" for e in events)
        out.end = next((e["why"] for e in events if e["event"] == "end"), "")
        # The satellite reports standing down only while it still streams; unpaced, it has
        # often sent the whole recording before the hub's order arrives.
        out.stood_down = (any(e["event"] == "stop" and e.get("why") == "stand_down"
                              for e in events)
                          or any(m.at >= started_wall and "sessionId" not in m.json()
                                 for m in self.recorder.messages(
                                     f"samantha/site/{room}/asr/stopListening")))
        if done.returncode not in (0, 3):  # 3: no answer from the hub (judged as such)
            out.error = f"satellite exited {done.returncode}: {done.stderr.strip()[-300:]}"
            return out
        if out.woken and not out.stood_down:
            self._gather(out, started_wall, before)
        return out

    def _gather(self, out: Replayed, since: float,
                before: dict[int, tuple[int, int]]) -> None:
        """The hub's messages for the session the wake opened, and the turn's commands."""
        assert self.recorder is not None
        room = out.room

        def of_room(m: Seen) -> bool:
            return m.at >= since and m.json().get("siteId") == room

        try:
            started = self.recorder.wait_for(
                lambda m: m.topic.endswith("/sessionStarted") and of_room(m), 10,
                f"{room}'s session")
        except AssertionError:
            return  # woke, but the hub opened no session (lost arbitration, or refused)
        out.session = started.json()["sessionId"]

        def ours(m: Seen) -> bool:
            return m.at >= since and m.json().get("sessionId") == out.session

        try:
            self.recorder.wait_for(lambda m: m.topic.endswith("/sessionEnded") and ours(m), 30,
                                   f"{room}'s session end")
        except AssertionError:
            out.error = "the hub did not end the session"
        for m in self.recorder.messages():
            if not ours(m):
                continue
            data = m.json()
            if m.topic == "hermes/asr/textCaptured":
                out.text = data.get("text", "")
            elif m.topic.startswith("hermes/intent/"):
                slots = {s["slotName"]: s["value"]["value"] for s in data.get("slots", [])}
                out.intents.append((data["intent"]["intentName"], slots))
            elif m.topic == "hermes/nlu/intentNotRecognized":
                out.not_recognized = True
            elif m.topic == "hermes/tts/say":
                out.replies.append(data.get("text", ""))
        # Device commands follow the intent a moment later (published soon, not at once).
        time.sleep(0.2)
        for turn in sorted(self.turns(room), key=lambda t: t["id"]):
            commands, transcripts = before.get(turn["id"], (0, 0))
            out.commands += [(c["device"], c["action"], dict(c["params"] or {}))
                             for c in turn["commands"][commands:]]
            for step in _transcripts(turn)[transcripts:]:
                out.heard = step.get("heard") or ""


def _transcripts(turn: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in turn["steps"] if s["step"] == "transcript"]
