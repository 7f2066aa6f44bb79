"""Runs recordings through a house's real speech pipeline and records what came of each.

One worker process keeps one house and one pipeline per room (building a room's engines and
grammar takes about a second, far longer than most recordings), and before every recording
puts the house back as it was: device states restored, timers cancelled, what "it" and "that"
meant forgotten, the room's clock, wake engine and endpointer fresh. Recordings are replayed
as fast as the pipeline takes them; times after the end of an utterance are the audio clock
plus the wall time spent since (as `samantha listen` reports them), so latencies are those of
a live room whose pipeline keeps up (it decodes at a small fraction of real time).
"""

from __future__ import annotations

import asyncio
import copy
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Job:
    index: int
    wav: str
    room: str
    setup: tuple[str, ...] = ()


@dataclass
class Outcome:
    index: int
    woken: bool = False
    wake_t: float | None = None
    heard: str = ""  # the recognizer's words
    text: str = ""  # what the house was given
    timeout: bool = False
    end: str = ""  # why the utterance ended (end of file, early on a complete sentence, cut...)
    free_form: bool = False  # the grammar result was too far off: decoded again free-form
    confidence: float | None = None  # the recognizer's posterior for what it heard
    intents: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    commands: list[tuple[str, str, dict[str, Any], float | None]] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    error: str | None = None


# The speech settings before issue 13's latency work, laid over the config to measure
# before and after in one run: a lattice at the end of every utterance (pocketsphinx's
# bestpath), the end of speech at a frame's end, no early end on quiet.
BEFORE: dict[str, dict[str, Any]] = {
    "endpoint": {"vad_step_ms": 0, "quiet_silence_ms": 100_000},
    "stt_options": {"bestpath": True},
}


def run_jobs(config: str, jobs: list[Job],
             overlay: dict[str, dict[str, Any]] | None = None) -> list[Outcome]:
    """Worker entry point (a separate process): every job on one house, in order."""
    # Memories and timers of this run must not land in (or come from) the user's data dir.
    os.environ["SAMANTHA_DATA_DIR"] = tempfile.mkdtemp(prefix="voice-accuracy-")
    return asyncio.run(_run(Path(config), jobs, overlay or {}))


def _overlaid(settings: Any, overlay: dict[str, dict[str, Any]]) -> Any:
    endpoint = settings.endpoint.model_copy(update=overlay.get("endpoint", {}))
    options = {**settings.stt.options, **overlay.get("stt_options", {})}
    return settings.model_copy(update={
        "endpoint": endpoint, "stt": settings.stt.model_copy(update={"options": options})})


async def _run(config: Path, jobs: list[Job], overlay: dict[str, dict[str, Any]]) -> list[Outcome]:
    from samantha.events import DeviceCommand, IntentRecognized, ReplySpoken
    from samantha.hardware.pipeline import RoomAudio
    from samantha.hardware.sinks import NullSink
    from samantha.house import House
    from samantha.plugins.speech.messages import ListenTimeout, TranscriptHeard, WakeHeard
    from samantha.plugins.speech.plugin import manual
    from samantha.plugins.speech.room import RoomSpeech
    from samantha.plugins.speech.service import SpeechService, file_profile

    house = House.prepare(config)
    manual.add(house)
    current: list[Outcome] = []
    room_now: list[RoomSpeech] = []

    def clock() -> float | None:
        """The room's clock: audio seconds, plus wall time since the utterance ended."""
        if not room_now:
            return None
        speech = room_now[0]
        if speech.reply_clock is None:
            return speech.now
        t_end, wall_end = speech.reply_clock
        return t_end + (time.monotonic() - wall_end)

    def report(message: Any) -> None:
        if not current:
            return
        out = current[0]
        if isinstance(message, WakeHeard) and not out.woken:
            out.woken, out.wake_t = True, message.t
        elif isinstance(message, TranscriptHeard):
            out.heard, out.text, out.end = message.heard, message.text, message.end
            out.free_form = message.free_form
            out.confidence = message.confidence
        elif isinstance(message, ListenTimeout):
            out.timeout = True

    def on_intent(event: IntentRecognized) -> None:
        if current:
            current[0].intents.append((event.intent, dict(event.slots)))

    def on_command(event: DeviceCommand) -> None:
        if current:
            current[0].commands.append((event.device, event.action, dict(event.params),
                                        clock()))

    def on_reply(event: ReplySpoken) -> None:
        if current:
            current[0].replies.append(event.text)

    results: list[Outcome] = []
    async with house:
        settings = house.section("speech")
        # Replies are not listened to here; synthesizing them would only cost CPU.
        settings = _overlaid(settings.model_copy(update={
            "tts": settings.tts.model_copy(update={"engine": "none"})}), overlay)
        service = SpeechService(house, settings, report=report)
        rooms: dict[str, RoomSpeech] = {}
        initial = {d.id: copy.deepcopy(d.state) for d in house.home.devices.values()}
        house.bus.subscribe(IntentRecognized, on_intent)
        house.bus.subscribe(DeviceCommand, on_command)
        house.bus.subscribe(ReplySpoken, on_reply)
        for n, job in enumerate(jobs, 1):
            if n % 50 == 0:
                print(f"  worker {os.getpid()}: {n}/{len(jobs)} recordings", file=sys.stderr,
                      flush=True)
            out = Outcome(job.index)
            try:
                await _reset(house, initial)
                for sentence in job.setup:
                    await house.handle_text(sentence, job.room)
                await asyncio.sleep(0.01)  # commands are published soon, not at once
                speech = rooms.get(job.room)
                if speech is None:
                    speech = rooms[job.room] = await service.add_room(job.room,
                                                                      sink=NullSink())
                _fresh(speech)
                current[:] = [out]
                room_now[:] = [speech]
                audio = RoomAudio(speech.room, file_profile(Path(job.wav), False))
                await service.run_room(speech, audio)
                await asyncio.sleep(0.01)
            except Exception as err:  # one broken recording must not end the run
                out.error = repr(err)
            finally:
                current.clear()
                room_now.clear()
            results.append(out)
        await service.stop()
    return results


async def _reset(house: Any, initial: dict[str, dict[str, Any]]) -> None:
    from samantha.plugins.context.memory import memory_of
    from samantha.plugins.persona.runtime import runtime_of

    for device_id, state in initial.items():
        house.home.devices[device_id].state = copy.deepcopy(state)
    # Each recording is a first sentence: "that" must not mean the previous recording's device.
    conversation = memory_of(house)
    for room in house.home.rooms:
        conversation.forget(room)
    scheduler = runtime_of(house).scheduler
    for item in scheduler.pending():
        scheduler.cancel(item.id)


def _fresh(speech: Any) -> None:
    """A room pipeline as if just built: its clock, wake engine and endpointer start over.

    These are RoomSpeech's own fields (plugins/speech/room.py); if it grows more per-stream
    state, reset it here too.
    """
    from samantha.plugins.speech.endpoint import Endpointer

    if speech.state.value != "idle":
        raise RuntimeError(f"room {speech.room} is still {speech.state.value}")
    speech.t0 = None
    speech.now = 0.0
    speech.last_wake = float("-inf")
    speech.reply_clock = None
    speech.wake.reset()
    vad = getattr(speech.wake, "vad", None)
    if vad is not None:
        # The wake's noise floor is the last seconds it heard: the previous recording's (a dry
        # one before a noisy room made the fan look like talk starting 0.3 s before the
        # phrase, so the onset rule refused the wake). `samantha listen` starts fresh, too.
        speech.wake.vad = type(vad)()
    speech.endpointer = Endpointer(speech.settings.endpoint)
