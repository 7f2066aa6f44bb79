"""Voice latency: end of speech -> device command on MQTT, stage by stage (issue 13).

Recordings come from tests/speech/corpus.py (the audio the tests and bench/voice_accuracy.py
hear): commands for the kitchen lights said in the kitchen, by four voices, in the three forms
(pause after the wake phrase, one breath, one breath in a noisy reverberant room). The house is
examples/voice_en_pocketsphinx.yaml with its kitchen lights moved onto a real Mosquitto broker
(an MQTT light with a command topic), so the last stage is a real publish.

Two paths, each through the real parts:

- room: a room's whole pipeline (`SpeechService`: wake engine, recognizer, endpointer,
  snapping, speaker check, the house's intent handling, the MQTT device);
- hub: the satellite hub's end-of-utterance path (`plugins/satellite/session.Utterance`: the
  hub's recognizer and endpointer, then `text_for_house`, `heard`, `respond`), fed from the wake
  detection on as the hub is fed by a satellite's audio frames. The audio's way over MQTT to
  the hub is not in it: bench/satellite.py measures the whole hub path over a broker.

Times: end of speech is the corpus's (the last sample of the dry speech above -30 dBFS). The
endpoint stage is audio time (when the endpointer decided minus end of speech); the others
are wall time on this machine, from the arrival of the frame that ended the utterance:
`decode` (that frame and the recognizer's final result), `snap` (the grammar sentence for the
transcript), `speaker` (whose voice, when anyone is enrolled), `house` (intent handling up to
the device command on the bus) and `mqtt` (the bus to the message on the command topic).
`total` is end of speech to the MQTT message. With --before, the same recordings run again
with the settings before the latency work (bench/_voice_runner.py BEFORE) for comparison.

    .venv/bin/python bench/voice_latency.py [--runs N] [--before]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from _results import write_results  # noqa: E402
from _voice_runner import BEFORE, _overlaid, _reset  # noqa: E402
from speech.corpus import FORMS, Corpus, Recording, Utterance  # noqa: E402

EXAMPLE = ROOT / "examples" / "voice_en_pocketsphinx.yaml"
LIGHT_TOPIC = "bench/kitchen_lights/set"
# What the MQTT light (on/off only: one command topic) can do, with and without its name.
COMMANDS = ["turn on the kitchen lights", "turn off the kitchen lights", "turn on the lights",
            "turn off the lights"]
VOICES = ["slt", "rms", "awb", "joe"]
STAGES = ("endpoint", "decode", "snap", "speaker", "house", "mqtt", "total")
TARGET_P50_MS = 150


def config_with_mqtt(work: Path, port: int) -> Path:
    """The example house, its kitchen lights an MQTT light on the bench's broker."""
    text = EXAMPLE.read_text()
    light = "  - {name: Kitchen Lights, room: Kitchen, kind: light}\n"
    if light not in text:
        raise SystemExit(f"{EXAMPLE} no longer has {light.strip()!r}; update this benchmark")
    text = text.replace(light, "")
    text = text.replace("\nspeech:\n", f"""
mqtt:
  host: 127.0.0.1
  port: {port}
  client_id: samantha-voice-latency
  outbox_path: {work / "outbox.sqlite3"}
  announce_rooms: false
  devices:
    - {{name: Kitchen Lights, room: Kitchen, kind: light, command_topic: {LIGHT_TOPIC}}}

speech:
""", 1)
    path = work / "house.yaml"
    path.write_text(text)
    return path


@dataclass
class Marks:
    """Stage times of one recording (seconds; audio time for the endpoint, wall otherwise)."""

    decided_at: float | None = None  # audio clock when the endpointer ended the utterance
    arrived: float | None = None  # wall: the ending frame arrived
    decoded: float | None = None  # wall: the final result is in
    stages: dict[str, float] = field(default_factory=dict)
    command: float | None = None  # wall: DeviceCommand on the bus
    published: float | None = None  # wall: the message on the command topic

    def add(self, stage: str, seconds: float) -> None:
        self.stages[stage] = self.stages.get(stage, 0.0) + seconds


class Topic:
    """A real MQTT subscriber on the light's command topic (paho's thread)."""

    def __init__(self, port: int) -> None:
        import paho.mqtt.client as paho
        from paho.mqtt.enums import CallbackAPIVersion

        self.arrivals: list[float] = []
        self._lock = threading.Lock()
        subscribed = threading.Event()
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"vl-{os.getpid()}")
        self.client.on_connect = lambda c, *_a: c.subscribe(LIGHT_TOPIC, 0)
        self.client.on_subscribe = lambda *_a: subscribed.set()
        self.client.on_message = lambda *_a: self._arrived()
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        if not subscribed.wait(5):
            raise SystemExit("could not subscribe to the bench broker")

    def _arrived(self) -> None:
        with self._lock:
            self.arrivals.append(time.monotonic())

    def first_after(self, t: float) -> float | None:
        with self._lock:
            return next((a for a in self.arrivals if a >= t), None)

    def stop(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


@contextmanager
def instrumented(current: list[Marks]) -> Iterator[None]:
    """Time the stages by wrapping the pipeline's steps (behaviour unchanged), then unwrap."""
    from samantha.plugins.satellite import session as session_module
    from samantha.plugins.speech import room as room_module
    from samantha.plugins.speech.endpoint import Decision, Endpointer

    update = Endpointer.update

    def timed_update(self: Endpointer, pcm: bytes, end_time: float, *rest: Any) -> Decision:
        decision = update(self, pcm, end_time, *rest)
        if decision is not Decision.CONTINUE and current and current[0].decided_at is None:
            current[0].decided_at = end_time
        return decision

    def wrap(name: str, step: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.monotonic()
            try:
                return await step(*args, **kwargs)
            finally:
                if current:
                    current[0].add(name, time.monotonic() - began)
        return timed

    saved = {(room_module, "text_for_house"): room_module.text_for_house,
             (room_module, "heard"): room_module.heard,
             (session_module, "text_for_house"): session_module.text_for_house}
    Endpointer.update = timed_update  # type: ignore[method-assign]
    room_module.text_for_house = wrap("snap", room_module.text_for_house)  # type: ignore
    room_module.heard = wrap("speaker", room_module.heard)  # type: ignore
    session_module.text_for_house = wrap("snap", session_module.text_for_house)  # type: ignore
    try:
        yield
    finally:
        Endpointer.update = update  # type: ignore[method-assign]
        for (module, name), original in saved.items():
            setattr(module, name, original)


def timed_stt(stt: Any, current: list[Marks]) -> None:
    """Mark when the recognizer took the ending frame and when its final result was in."""
    accept, finish = stt.accept, stt.finish

    def timed_accept(pcm: bytes) -> str:
        if current:
            current[0].arrived = time.monotonic()
        return accept(pcm)

    def timed_finish() -> Any:
        result = finish()
        if current and current[0].decoded is None:
            current[0].decoded = time.monotonic()
        return result

    stt.accept, stt.finish = timed_accept, timed_finish


def frames(pcm: bytes, size: int = 1024) -> Iterator[bytes]:
    for start in range(0, len(pcm), size):
        yield pcm[start:start + size]


async def hub_path(house: Any, speech: Any, stt: Any, rec: Recording, room: str,
                   current: list[Marks]) -> None:
    """The hub's end-of-utterance path on one recording (see the module docstring)."""
    from samantha.hardware.wavio import read_audio
    from samantha.plugins.people.identify import heard, respond
    from samantha.plugins.satellite.session import Utterance as HubUtterance
    from samantha.plugins.speech.endpoint import Decision
    from samantha.plugins.speech.grammar.keeper import text_for_house

    samples, _ = read_audio(rec.path)
    pcm = samples[:, 0].astype("<i2").tobytes()
    keeper, settings = speech.keeper, speech.settings
    speech.wake.reset()
    rest = b""
    for n, block in enumerate(frames(pcm)):
        detection = speech.wake.process(block)
        if detection is not None:
            rest = detection.trailing + pcm[(n + 1) * 1024:]
            break
    else:
        return
    marks = current[0]
    utterance = HubUtterance(stt, settings.endpoint, keeper.complete)
    decision = Decision.CONTINUE
    for block in frames(rest):
        decision = utterance.feed(block)
        if decision is not Decision.CONTINUE:
            break
    if decision is Decision.CONTINUE or decision is Decision.TIMEOUT:
        return
    # The hub's utterance clock starts at the wake; the recording's at its start.
    wake_at = (len(pcm) - len(rest)) / 2 / 16000
    marks.decided_at = wake_at + utterance.t
    transcript = utterance.finish()
    marks.decoded = time.monotonic()
    audio = b"".join(utterance.audio)
    text = (await text_for_house(keeper, settings.stt, stt, transcript, audio, room)).text
    began = time.monotonic()
    voice = await heard(house, audio, 16000) if text else None
    marks.add("speaker", time.monotonic() - began)
    if text:
        await respond(house, text, room, voice, audio, 16000)


async def measure(config: Path, recordings: list[Recording], path: str,
                  overlay: dict[str, dict[str, Any]], topic: Topic) -> list[Marks]:
    from _voice_runner import _fresh

    from samantha.events import DeviceCommand
    from samantha.hardware.pipeline import RoomAudio
    from samantha.hardware.sinks import NullSink
    from samantha.house import House
    from samantha.plugins.speech.plugin import manual
    from samantha.plugins.speech.service import SpeechService, file_profile

    house = House.prepare(config)
    manual.add(house)
    current: list[Marks] = []
    results: list[Marks] = []

    def on_command(_event: DeviceCommand) -> None:
        if current and current[0].command is None:
            current[0].command = time.monotonic()

    async with house:
        settings = house.section("speech")
        settings = _overlaid(settings.model_copy(update={
            "tts": settings.tts.model_copy(update={"engine": "none"})}), overlay)
        service = SpeechService(house, settings)
        speech = await service.add_room("kitchen", sink=NullSink())
        stt = service._build("stt", settings.stt.engine)
        stt.set_grammar(speech.keeper.grammar_for(speech.room))
        timed_stt(speech.stt if path == "room" else stt, current)
        initial = {d.id: copy.deepcopy(d.state) for d in house.home.devices.values()}
        house.bus.subscribe(DeviceCommand, on_command)
        await asyncio.sleep(0.5)  # the MQTT connection is up
        with instrumented(current):
            for rec in recordings:
                await _reset(house, initial)
                await asyncio.sleep(0.01)
                _fresh(speech)
                marks = Marks()
                current[:] = [marks]
                if path == "room":
                    audio = RoomAudio(speech.room, file_profile(rec.path, False))
                    await service.run_room(speech, audio)
                else:
                    await hub_path(house, speech, stt, rec, speech.room, current)
                deadline = time.monotonic() + 1.0
                while marks.command and time.monotonic() < deadline:
                    marks.published = topic.first_after(marks.command)
                    if marks.published:
                        break
                    await asyncio.sleep(0.002)
                current.clear()
                results.append(marks)
        await service.stop()
    return results


def stage_ms(marks: Marks, rec: Recording) -> dict[str, float] | None:
    """Milliseconds per stage, or None when the command did not reach the topic."""
    if None in (marks.decided_at, marks.decoded, marks.command, marks.published):
        return None
    assert marks.decided_at is not None and marks.decoded is not None
    assert marks.command is not None and marks.published is not None
    endpoint = (marks.decided_at - rec.speech_end_s) * 1000
    arrived = marks.arrived if marks.arrived is not None else marks.decoded
    decode = (marks.decoded - arrived) * 1000
    snap = marks.stages.get("snap", 0.0) * 1000
    speaker = marks.stages.get("speaker", 0.0) * 1000
    house = (marks.command - marks.decoded) * 1000 - snap - speaker
    mqtt = (marks.published - marks.command) * 1000
    total = endpoint + (marks.published - arrived) * 1000
    return {"endpoint": endpoint, "decode": decode, "snap": snap, "speaker": speaker,
            "house": house, "mqtt": mqtt, "total": total}


def summary(rows: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for stage in STAGES:
        values = sorted(r[stage] for r in rows)
        if values:
            p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
            out[stage] = {"p50": round(statistics.median(values), 1), "p95": round(p95, 1)}
    return out


def print_table(title: str, figures: dict[str, Any]) -> None:
    print(f"\n{title}")
    print(f"  {'form':<8}{'n':>4}  " + "".join(f"{s:>15}" for s in STAGES))
    for form, f in figures.items():
        cells = "".join(f"{f['stages'][s]['p50']:>7.1f} /{f['stages'][s]['p95']:>6.1f}"
                        if s in f["stages"] else f"{'-':>15}" for s in STAGES)
        print(f"  {form:<8}{f['n']:>2}/{f['of']:<2} {cells}")
    print("  (each cell: p50 / p95 ms)")


def run(config: Path, recordings: list[Recording], path: str,
        overlay: dict[str, dict[str, Any]], topic: Topic) -> dict[str, Any]:
    marks = asyncio.run(measure(config, recordings, path, overlay, topic))
    figures: dict[str, Any] = {}
    for form in ("all", *FORMS):
        chosen = [(m, r) for m, r in zip(marks, recordings, strict=True)
                  if form == "all" or r.utterance.form == form]
        rows = [row for m, r in chosen if (row := stage_ms(m, r)) is not None]
        figures[form] = {"n": len(rows), "of": len(chosen), "stages": summary(rows)}
    return figures


def main() -> None:
    from harness.mosquitto import Mosquitto

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="Say every recording N times.")
    parser.add_argument("--before", action="store_true",
                        help="Also measure with the settings before the latency work.")
    args = parser.parse_args()
    corpus = Corpus()
    recordings = corpus.get_many(Utterance(text, voice, form) for text in COMMANDS
                                 for voice in VOICES for form in FORMS) * args.runs
    print(f"voice latency: {len(recordings)} recordings ({corpus.made} synthesized now), "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    results: dict[str, Any] = {"target_p50_ms": TARGET_P50_MS, "recordings": len(recordings)}
    with tempfile.TemporaryDirectory(prefix="voice-latency-") as tmp:
        work = Path(tmp)
        os.environ["SAMANTHA_DATA_DIR"] = str(work / "data")
        broker = Mosquitto(work / "broker").start("plain")
        topic = Topic(broker.port)
        try:
            config = config_with_mqtt(work, broker.port)
            variants = [("now", {})] + ([("before", BEFORE)] if args.before else [])
            for name, overlay in variants:
                for path in ("room", "hub"):
                    figures = run(config, recordings, path, overlay, topic)
                    results[f"{path}_{name}"] = figures
                    print_table(f"{path} path, settings {name}: end of speech -> command on "
                                "MQTT", figures)
        finally:
            topic.stop()
            broker.stop()
    if args.before:
        results["before_settings"] = BEFORE
    for path in ("room", "hub"):
        p50 = results[f"{path}_now"]["all"]["stages"].get("total", {}).get("p50")
        verdict = "meets" if p50 is not None and p50 <= TARGET_P50_MS else "misses"
        print(f"{path}: total p50 {p50} ms {verdict} the target of {TARGET_P50_MS} ms")
    path_written = write_results("voice_latency", results)
    print(f"wrote {path_written.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
