"""One room's satellite: wake word and VAD locally, the utterance (audio or text) to the hub.

Idle audio never leaves the room: frames go over MQTT only between a wake (or the hub's
`asr/startListening`, for a follow-up) and the end of the utterance (local VAD, or the hub's
`asr/stopListening`). While a reply plays the wake word is not listened for and nothing is
streamed, so the satellite never hears itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from enum import Enum
from typing import Any

import numpy as np

from samantha.hardware.frames import AudioFrame, ProcessedFrame
from samantha.hardware.sinks import AudioSink
from samantha.plugins.mqtt.client import Message, MqttClient, MqttError
from samantha.plugins.satellite import hermes
from samantha.plugins.satellite.limits import MAX_LEAD_S, REPLY_LIMITS
from samantha.plugins.satellite.settings import SatelliteSettings, SiteSettings
from samantha.plugins.satellite.status import CpuMeter, status_for
from samantha.plugins.satellite.wakegate import GatedWake, WakeHit
from samantha.plugins.speech.endpoint import Decision, Endpointer
from samantha.plugins.speech.engines import SpeechToText, WakeEngine
from samantha.plugins.speech.settings import SpeechSettings

log = logging.getLogger(__name__)

Report = Callable[[dict[str, Any]], None]
_MAX_QUEUED_PLAYS = 4
_RATE = 16_000  # the wake engine's audio: mono s16le
_REPLAY_BYTES = 512 * 2  # 32 ms, a live frame's length


def _seconds(pcm: bytes) -> float:
    return len(pcm) / 2 / _RATE


def _even(pcm: bytes) -> bytes:
    """Whole 16-bit samples."""
    return pcm[: len(pcm) // 2 * 2]


class Mode(str, Enum):
    IDLE = "idle"
    STREAMING = "streaming"  # audio frames to the hub
    LOCAL = "local"  # recognising here, text to the hub


class Satellite:
    def __init__(self, room: str, settings: SatelliteSettings, speech: SpeechSettings,
                 client: MqttClient, *, wake: WakeEngine, sink: AudioSink,
                 stt: SpeechToText | None = None, report: Report | None = None) -> None:
        self.room = room
        self.settings = settings
        self.site: SiteSettings = settings.rooms.get(room) or SiteSettings()
        self.speech = speech
        self.client = client
        self.sink = sink
        self.stt = stt
        self.report = report or (lambda _event: None)
        self.endpointer = Endpointer(speech.endpoint)
        self.gate = GatedWake(wake, self.endpointer.vad)
        self.mode = Mode.IDLE
        self.session_id: str | None = None
        self.session_open = False  # from a wake until the hub ends (or refuses) the session
        self.hotword_off = False
        self.playing = False
        self.pending_listen: hermes.AsrStartListening | None = None
        self.t0: float | None = None
        self.now = 0.0
        self.wake_blocked_until = 0.0
        self.frames_sent = 0
        self.idle_since = time.monotonic()
        self._play_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._cpu = CpuMeter()
        self._status_task: asyncio.Task[None] | None = None
        self._logged: set[str] = set()
        self._frame_topic = hermes.audio_frame_topic(room)
        self._topics = settings.topics()

    def _topic(self, cls: type[hermes.HermesMessage], **parts: str) -> str:
        """Where this room's `cls` messages go: its own topic, or Hermes' shared one."""
        if self.settings.shared_topics:
            return cls.topic(**parts) if parts else cls.TOPIC
        return self._topics.of(cls, self.room, **parts)

    # --- wiring ---------------------------------------------------------------------------

    async def start(self) -> None:
        c = self.client
        await c.subscribe(f"hermes/audioServer/{self.room}/playBytes/+", self._on_play)
        await c.subscribe(hermes.AudioPlayStop.topic(site_id=self.room), self._on_stop_playing)
        await c.subscribe(self._topic(hermes.AsrStartListening), self._on_start_listening)
        await c.subscribe(self._topic(hermes.AsrStopListening), self._on_stop_listening)
        await c.subscribe(self._topic(hermes.HotwordToggleOff), self._on_toggle)
        await c.subscribe(self._topic(hermes.HotwordToggleOn), self._on_toggle)
        await c.subscribe(self._topic(hermes.DialogueSessionEnded), self._on_session_ended)
        # The MQTT client announces a bare "online" on every (re)connect; put the details back.
        c.add_connect_listener(self.publish_status)
        await self.publish_status()
        self._status_task = asyncio.get_running_loop().create_task(self._status_loop())

    async def stop(self) -> None:
        for task in [self._status_task, *self._tasks]:
            if task is not None:
                task.cancel()
        for task in [self._status_task, *self._tasks]:
            if task is not None:
                with contextlib.suppress(BaseException):
                    await task

    async def _publish(self, topic: str, payload: bytes, qos: int = 1,
                       retain: bool = False) -> bool:
        try:
            await self.client.publish(topic, payload, qos=qos, retain=retain)
        except MqttError as err:
            self._log_once(f"publish:{topic}", "satellite %s: not sent to %s: %s", self.room,
                           topic, err)
            return False
        return True

    def _log_once(self, key: str, message: str, *args: Any) -> None:
        if key not in self._logged:
            self._logged.add(key)
            log.warning(message, *args)

    # --- health ---------------------------------------------------------------------------

    async def publish_status(self) -> None:
        floor = self.endpointer.vad.floor
        status = status_for(self.room, cpu=self._cpu.read(),
                            level_db=round(floor, 1) if floor is not None else None,
                            muted=self.hotword_off, playing=self.playing, stt=self.site.stt)
        await self._publish(self.settings.status_of(self.room), status.payload(), retain=True)

    async def _status_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.status_interval_s)
            await self.publish_status()

    # --- audio in -------------------------------------------------------------------------

    async def run(self, frames: AsyncIterator[ProcessedFrame]) -> None:
        async for processed in frames:
            await self.process(processed.frame)
        if self.mode is not Mode.IDLE:
            await self._end_utterance(Decision.END)

    async def process(self, frame: AudioFrame) -> None:
        if self.t0 is None:
            self.t0 = frame.timestamp
        self.now = frame.end_time - self.t0
        if self.playing:
            return
        if self.hotword_off:
            if self.mode is not Mode.IDLE:
                await self._stop_listening("muted")
            return
        pcm = frame.pcm_bytes()
        if self.mode is Mode.IDLE:
            if self.pending_listen is not None:
                await self._listen(self.pending_listen.session_id, wake=None)
                self.pending_listen = None
            else:
                if self.now < self.wake_blocked_until:
                    self.endpointer.vad.is_speech(pcm, frame.duration)  # keep the floor current
                    return
                hit = self.gate.process(pcm, frame.duration, self.now)
                if hit is not None:
                    await self._woke(hit)
                return
        if self.mode is Mode.STREAMING:
            self.frames_sent += 1
            await self._publish(self._frame_topic, hermes.wav_bytes(frame.as_int16()), qos=0)
            decision = self.endpointer.update(pcm, self.now, frame.duration, "", False)
        else:
            assert self.stt is not None
            partial = self.stt.accept(pcm)
            decision = self.endpointer.update(pcm, self.now, frame.duration, partial, False)
        if decision is not Decision.CONTINUE:
            await self._end_utterance(decision)

    async def _woke(self, hit: WakeHit) -> None:
        self.wake_blocked_until = self.now + self.speech.wake.refractory_s
        lead, trailing = self._lead(hit), _even(hit.detection.trailing)
        # The hub normalises on the phrase and the command's start (trailing), then decodes
        # the start: both announced here, both streamed first (_listen).
        detected = hermes.HotwordDetected(
            model_id=hit.detection.phrase.replace(" ", "_"), site_id=self.room,
            current_sensitivity=1.0, level_db=hit.level_db, detected_at=time.time(),
            lead_s=_seconds(lead) or None,
            trailing_s=min(_seconds(trailing), MAX_LEAD_S) if lead else None)
        self.report({"event": "wake", "t": round(self.now, 3), "room": self.room,
                     "phrase": hit.detection.phrase, "level_db": hit.level_db})
        topic = self._topic(hermes.HotwordDetected, wakeword_id=self.settings.wakeword_id)
        if not await self._publish(topic, detected.payload()):
            self.gate.reset()
            return  # no hub to talk to: streaming would go nowhere
        await self._listen(None, wake=hit, lead=lead)

    def _lead(self, hit: WakeHit) -> bytes:
        """The wake phrase's audio the hub normalises on, when the hub decodes the command."""
        if self.site.stt == "local" and self.stt is not None:
            return b""  # recognised here, normalised here (_listen)
        lead = hit.detection.lead
        return lead[max(len(lead) - int(MAX_LEAD_S * _RATE) * 2, len(lead) % 2):]

    async def _listen(self, session_id: str | None, wake: WakeHit | None,
                      lead: bytes = b"") -> None:
        self.session_open = True
        self.session_id = session_id
        # Said in one breath, the command began while the wake phrase was still being decided:
        # the wake engine holds that audio (`trailing`), and it goes first, as a local room
        # replays it; without it the hub heard "... the lights" for "turn off the lights".
        detection = wake.detection if wake is not None else None
        trailing = _even(detection.trailing) if detection else b""
        self.endpointer.reset(self.now - _seconds(trailing),
                              context=detection.lead if detection else b"")
        if self.site.stt == "local" and self.stt is not None:
            self.mode = Mode.LOCAL
            start_after_wake = getattr(self.stt, "start_after_wake", None)
            if detection is not None and detection.lead and start_after_wake is not None:
                start_after_wake(detection.lead + trailing)  # this voice, this room
            else:
                self.stt.start()
        else:
            self.mode = Mode.STREAMING
            for start in range(0, len(lead), _REPLAY_BYTES):  # not judged: not the command
                await self._stream(lead[start:start + _REPLAY_BYTES])
        self.report({"event": "listen", "t": round(self.now, 3), "room": self.room,
                     "mode": self.mode.value, "wake": wake is not None,
                     "lead_s": round(_seconds(lead), 3),
                     "replayed_s": round(_seconds(trailing), 3)})
        await self._replay(trailing)

    async def _stream(self, pcm: bytes) -> None:
        """One frame of audio to the hub (mono s16le)."""
        self.frames_sent += 1
        await self._publish(self._frame_topic, hermes.wav_bytes(np.frombuffer(pcm, "<i2")),
                            qos=0)

    async def _replay(self, trailing: bytes) -> None:
        """The command's start held by the wake engine, in frame-sized pieces, judged by the
        endpointer as live audio would be."""
        now = self.now
        for start in range(0, len(trailing), _REPLAY_BYTES):
            chunk = trailing[start:start + _REPLAY_BYTES]
            at = now - _seconds(trailing[start + len(chunk):])
            if self.mode is Mode.STREAMING:
                await self._stream(chunk)
                partial = ""
            elif self.mode is Mode.LOCAL and self.stt is not None:
                partial = self.stt.accept(chunk)
            else:
                return
            decision = self.endpointer.update(chunk, at, _seconds(chunk), partial, False)
            if decision is not Decision.CONTINUE:
                await self._end_utterance(decision)
                return

    async def _end_utterance(self, decision: Decision) -> None:
        mode, self.mode = self.mode, Mode.IDLE
        self.gate.reset()
        self.idle_since = time.monotonic()
        self.report({"event": "end", "t": round(self.now, 3), "room": self.room,
                     "why": decision.value, "frames_sent": self.frames_sent})
        if mode is Mode.LOCAL and self.stt is not None:
            transcript = self.stt.finish()
            if decision is Decision.TIMEOUT:
                transcript = transcript.__class__("", 0.0)
            captured = hermes.AsrTextCaptured(
                text=transcript.text,
                likelihood=hermes.likelihood_of(transcript.confidence, transcript.text),
                seconds=round(self.now - self.endpointer.start, 3), site_id=self.room,
                session_id=self.session_id, wakeword_id=self.settings.wakeword_id)
            await self._publish(self._topic(hermes.AsrTextCaptured), captured.payload())

    async def _stop_listening(self, why: str) -> None:
        if self.mode is Mode.LOCAL and self.stt is not None:
            self.stt.finish()  # the hub no longer wants it: nothing is sent
        self.mode = Mode.IDLE
        self.gate.reset()
        self.idle_since = time.monotonic()
        self.report({"event": "stop", "t": round(self.now, 3), "room": self.room, "why": why,
                     "frames_sent": self.frames_sent})

    # --- messages from the hub ------------------------------------------------------------

    def _parse(self, cls: type[hermes.M], message: Message) -> hermes.M | None:
        try:
            return cls.from_payload(message.payload)
        except ValueError as err:
            self._log_once(f"bad:{message.topic}", "satellite %s: ignoring malformed %s: %s",
                           self.room, message.topic, err)
            return None

    async def _on_start_listening(self, message: Message) -> None:
        msg = self._parse(hermes.AsrStartListening, message)
        if msg is None or msg.site_id != self.room:
            return
        if msg.wakeword_id is not None:
            # The hub confirms our wake won arbitration; only the session id is news.
            if self.mode is not Mode.IDLE:
                self.session_id = msg.session_id
            return
        if self.hotword_off or self.mode is not Mode.IDLE:
            return
        if self.playing:
            self.pending_listen = msg
            return
        self.pending_listen = msg  # taken up by the next frame, in the audio loop

    async def _on_stop_listening(self, message: Message) -> None:
        msg = self._parse(hermes.AsrStopListening, message)
        if msg is None or msg.site_id != self.room:
            return
        if msg.session_id is None:
            self.session_open = False  # another room answers: stand down
        self.pending_listen = None
        if self.mode is not Mode.IDLE:
            await self._stop_listening("hub" if msg.session_id else "stand_down")

    async def _on_session_ended(self, message: Message) -> None:
        msg = self._parse(hermes.DialogueSessionEnded, message)
        if msg is not None and msg.site_id == self.room:
            self.session_open = False
            self.session_id = None
            self.pending_listen = None
            self.report({"event": "session_ended", "t": round(self.now, 3), "room": self.room,
                         "reason": msg.termination.reason})

    async def _on_toggle(self, message: Message) -> None:
        off = message.topic.endswith("/toggleOff")
        cls = hermes.HotwordToggleOff if off else hermes.HotwordToggleOn
        msg = self._parse(cls, message)
        if msg is None or msg.site_id != self.room or self.hotword_off == off:
            return
        self.hotword_off = off
        await self.publish_status()

    # --- audio out ------------------------------------------------------------------------

    def _on_play(self, message: Message) -> None:
        request_id = message.topic.rsplit("/", 1)[-1]
        if len(self._tasks) >= _MAX_QUEUED_PLAYS:
            # Replies wait their turn holding their audio: a flood must not pile them up.
            self._log_once("play:flood", "satellite %s: more than %d replies waiting to play; "
                           "dropping the rest", self.room, _MAX_QUEUED_PLAYS)
            return
        task = asyncio.get_running_loop().create_task(self._play(request_id, message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_stop_playing(self, message: Message) -> None:
        """The hub says stop (someone said "stop"): the reply playing and those waiting."""
        cut = [task for task in self._tasks if not task.done()]
        for task in cut:
            task.cancel()
        if cut:
            self.report({"event": "stopped", "t": round(self.now, 3), "room": self.room,
                         "replies": len(cut)})

    async def _play(self, request_id: str, message: Message) -> None:
        async with self._play_lock:
            try:
                samples, rate = hermes.read_wav_bytes(message.payload, REPLY_LIMITS)
            except ValueError as err:
                self._log_once(f"bad:{message.topic}", "satellite %s: ignoring %s: %s",
                               self.room, message.topic, err)
                samples = None
            if samples is not None:
                self.playing = True
                if self.mode is not Mode.IDLE:
                    await self._stop_listening("playing")
                self.report({"event": "play", "t": round(self.now, 3), "room": self.room,
                             "id": request_id, "seconds": round(len(samples) / rate, 3)})
                try:
                    await self.sink.play(samples, rate)
                except Exception as err:
                    log.warning("satellite %s: could not play %s: %s", self.room, request_id,
                                err)
                finally:
                    self.playing = False
                    # What the mic picked up while we spoke is our own voice: forget it.
                    self.gate.reset()
            # Answer even for a bad payload: the hub must not wait for audio that never plays.
            finished = hermes.AudioPlayFinished(id=request_id, session_id=self.session_id)
            await self._publish(hermes.AudioPlayFinished.topic(site_id=self.room),
                                finished.payload())

    # --- replay (`--wav`) -------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return (self.mode is not Mode.IDLE or self.playing or self.session_open
                or self.pending_listen is not None or bool(self._tasks))

    async def settle(self, timeout: float) -> bool:
        """After a replayed recording: wait until the hub has answered; False on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.busy:
            if loop.time() > deadline:
                return False
            await asyncio.sleep(0.05)
        return True
