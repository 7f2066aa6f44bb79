"""RoomAudio: one room's capture chain, from device to clean mono 16 kHz frames.

source -> mute gate -> channel map + gain -> ArrayProcessor (DC, dead channels, DOA,
beamform/best channel, AGC) -> resample -> fixed-size int16 frames.

A room never raises into its caller for device trouble: a missing, busy or vanished
device is logged, reported in :attr:`RoomAudio.status`, and reopened with exponential
backoff, so one unplugged array does not take down the other rooms.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import Enum

import numpy as np

from samantha.hardware.errors import AudioError, ChannelCountError, ProfileError
from samantha.hardware.frames import AudioFrame, ProcessedFrame, Rechunker
from samantha.hardware.leds import LedRing, RoomActivity
from samantha.hardware.mute import MuteGate
from samantha.hardware.processing import ArrayProcessor
from samantha.hardware.profiles import AudioProfile
from samantha.hardware.resample import Resampler
from samantha.hardware.sources import AudioSource, FileSource

log = logging.getLogger(__name__)

SourceFactory = Callable[[], AudioSource]
FrameHandler = Callable[[ProcessedFrame], Awaitable[None] | None]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    initial: float = 0.5
    factor: float = 2.0
    maximum: float = 10.0


class RoomState(str, Enum):
    STOPPED = "stopped"
    OPENING = "opening"
    RUNNING = "running"
    RETRYING = "retrying"
    FINISHED = "finished"


@dataclass(slots=True)
class RoomStatus:
    state: RoomState = RoomState.STOPPED
    error: str | None = None
    failures: int = 0
    frames_out: int = 0


def source_for_profile(profile: AudioProfile) -> AudioSource:
    """The capture source a profile describes (network sources are made by satellites)."""
    if profile.backend == "file":
        assert profile.file is not None  # enforced by the profile validator
        return FileSource(profile.file, frame_size=profile.frame_size, realtime=profile.realtime)
    if profile.backend == "portaudio":
        from samantha.hardware.portaudio import PortAudioSource

        return PortAudioSource(
            profile.device,
            channels=profile.channels,
            sample_rate=profile.sample_rate,
            frame_size=profile.frame_size,
        )
    raise ProfileError(profile.name, "backend 'network' needs a source_factory from the satellite")


class RoomAudio:
    def __init__(
        self,
        room: str,
        profile: AudioProfile,
        *,
        source_factory: SourceFactory | None = None,
        output_rate: int = 16000,
        output_frame_size: int = 512,
        retry: RetryPolicy | None = None,
        led: LedRing | None = None,
    ) -> None:
        self.room = room
        self.profile = profile
        self.output_rate = output_rate
        self.output_frame_size = output_frame_size
        self.retry = retry or RetryPolicy()
        self.led = led
        self.status = RoomStatus()
        self._factory = source_factory or (lambda: source_for_profile(profile))
        self._gate = MuteGate()
        self._gain = np.float32(10 ** (profile.gain_db / 20))
        self._stopping = asyncio.Event()

    # --- mute -------------------------------------------------------------------
    @property
    def muted(self) -> bool:
        return self._gate.muted

    def mute(self) -> None:
        """From now on no frame of this room leaves the source (see ``mute.py``)."""
        self._gate.mute()
        if self.led is not None:
            self.led.show(RoomActivity.MUTED)

    def unmute(self) -> None:
        self._gate.unmute()
        if self.led is not None:
            self.led.show(RoomActivity.IDLE)

    def stop(self) -> None:
        self._stopping.set()

    # --- streaming --------------------------------------------------------------
    async def frames(self) -> AsyncIterator[ProcessedFrame]:
        """Processed frames until ``stop()`` or the end of a finite source."""
        delay = self.retry.initial
        while not self._stopping.is_set():
            self.status.state = RoomState.OPENING
            source: AudioSource | None = None
            try:
                source = self._factory()
                await source.open()
                chain = _Chain(self, source)
                self.status.state = RoomState.RUNNING
                self.status.error = None
                async for frame in source.frames():
                    if self._stopping.is_set():
                        return
                    if not self._gate.passes(frame):
                        continue
                    for out in chain.push(frame):
                        self.status.frames_out += 1
                        delay = self.retry.initial  # healthy again: reset the backoff
                        yield out
                for out in chain.flush():
                    yield out
                self.status.state = RoomState.FINISHED
                return
            except AudioError as exc:
                self._failed(str(exc))
            except Exception as exc:  # a bug in one room must not stop the others
                log.exception("room %s: unexpected error in audio chain", self.room)
                self._failed(f"{type(exc).__name__}: {exc}")
            finally:
                if source is not None:
                    with contextlib.suppress(Exception):
                        await source.close()
            self.status.state = RoomState.RETRYING
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)
            delay = min(delay * self.retry.factor, self.retry.maximum)
        self.status.state = RoomState.STOPPED

    def _failed(self, message: str) -> None:
        self.status.failures += 1
        self.status.error = message
        log.warning("room %s: %s (retry #%d)", self.room, message, self.status.failures)

    async def run(self, handler: FrameHandler) -> None:
        """Feed every processed frame to ``handler``; returns on stop or end of source."""
        async for frame in self.frames():
            result = handler(frame)
            if result is not None:
                await result


async def run_rooms(rooms: Iterable[RoomAudio], handler: FrameHandler) -> None:
    """Run several rooms concurrently; each room's failures stay inside that room."""
    await asyncio.gather(*(room.run(handler) for room in rooms))


class _Chain:
    """Per-connection processing state (rebuilt after every reconnect)."""

    def __init__(self, room: RoomAudio, source: AudioSource) -> None:
        profile = room.profile
        self.room = room
        if source.channels != profile.channels:
            raise ChannelCountError(
                f"room {room.room!r} source {source.name}",
                f"delivers {source.channels} channels, profile {profile.name!r} "
                f"expects {profile.channels}",
            )
        self.mics = profile.mic_channels
        self.rate = source.sample_rate
        self.processor = ArrayProcessor(
            profile.processing,
            channels=len(self.mics),
            sample_rate=self.rate,
            geometry_mm=profile.geometry_mm,  # type: ignore[arg-type]
        )
        self.resampler = Resampler(self.rate, room.output_rate, 1)
        self.rechunk = Rechunker(room.output_frame_size, 1, np.float32)
        self.clock: float | None = None
        self.last_end: float | None = None
        self.result = None

    def push(self, frame: AudioFrame) -> list[ProcessedFrame]:
        if self.last_end is None or frame.timestamp - self.last_end > 0.5 * frame.duration:
            # First frame or a gap (mute, overflow): re-anchor output timestamps.
            pending = len(self.rechunk._pending) / self.room.output_rate
            self.clock = frame.timestamp - pending
        self.last_end = frame.end_time
        x = frame.as_float32()
        if x.shape[1] != len(self.mics) or self.mics != list(range(x.shape[1])):
            x = x[:, self.mics]
        if self.room._gain != 1.0:
            x = x * self.room._gain
        self.result = self.processor.process(x, frame.timestamp)
        mono = self.resampler.process(self.result.mono[:, None])
        return self._emit(self.rechunk.push(mono))

    def flush(self) -> list[ProcessedFrame]:
        tail = self.resampler.flush()
        blocks = list(self.rechunk.push(tail))
        rest = self.rechunk.flush()
        if len(rest):
            blocks.append(rest)
        return self._emit(blocks)

    def _emit(self, blocks: Iterable[np.ndarray]) -> list[ProcessedFrame]:
        out = []
        for block in blocks:
            assert self.clock is not None
            pcm = np.clip(np.rint(block * 32768.0), -32768, 32767).astype(np.int16)
            frame = AudioFrame(pcm, self.room.output_rate, self.clock)
            self.clock += len(block) / self.room.output_rate
            r = self.result
            out.append(
                ProcessedFrame(
                    self.room.room,
                    frame,
                    r.direction if r else None,
                    r.channel if r else None,
                    r.dead if r else (),
                )
            )
        return out
