"""A source fed by PCM chunks pushed from the network (satellites)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import numpy as np

from samantha.hardware.errors import ChannelCountError, DeviceLostError
from samantha.hardware.frames import AudioFrame, Rechunker

_END = None


class NetworkSource:
    """Frames from s16le PCM pushed by a receiver task (e.g. a satellite connection).

    Chunks of any size are re-blocked into ``frame_size`` frames. The queue is bounded:
    when the consumer falls behind, the *oldest* frames are dropped, because stale
    audio is worse than a gap for a wake word and VAD. If nothing arrives for
    ``timeout`` seconds, ``frames()`` raises :class:`DeviceLostError` so the room
    supervisor can treat a silent satellite like an unplugged microphone.
    """

    def __init__(
        self,
        name: str,
        *,
        sample_rate: int = 16000,
        channels: int = 1,
        frame_size: int = 512,
        max_frames: int = 256,
        timeout: float | None = 5.0,
    ) -> None:
        self.name = f"net:{name}"
        self.sample_rate = sample_rate
        self.channels = channels
        self.frame_size = frame_size
        self.timeout = timeout
        self.dropped = 0
        self._queue: asyncio.Queue[AudioFrame | None] = asyncio.Queue(max_frames)
        self._rechunk = Rechunker(frame_size, channels, np.int16)
        self._next_ts: float | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def open(self) -> None:
        self._loop = asyncio.get_running_loop()

    async def close(self) -> None:
        self.end()

    def push(self, pcm: bytes | np.ndarray, timestamp: float | None = None) -> None:
        """Queue interleaved s16le bytes or an int16 ``(n, channels)`` array.

        Call from the event loop; from another thread use :meth:`push_threadsafe`.
        ``timestamp`` is the monotonic capture time of the chunk's first sample, if known.
        """
        if isinstance(pcm, bytes | bytearray | memoryview):
            raw = np.frombuffer(pcm, dtype="<i2")
            if raw.size % self.channels:
                raise ChannelCountError(
                    self.name, f"{raw.size} samples is not a multiple of {self.channels} channels"
                )
            block = raw.reshape(-1, self.channels).astype(np.int16)
        else:
            block = pcm if pcm.ndim == 2 else pcm[:, None]
            if block.shape[1] != self.channels:
                raise ChannelCountError(
                    self.name, f"expected {self.channels} channels, got {block.shape[1]}"
                )
        if timestamp is not None:
            pending = (len(self._rechunk._pending)) / self.sample_rate
            self._next_ts = timestamp - pending
        elif self._next_ts is None:
            self._next_ts = time.monotonic() - len(block) / self.sample_rate
        for out in self._rechunk.push(block):
            frame = AudioFrame(out.copy(), self.sample_rate, self._next_ts)
            self._next_ts += len(out) / self.sample_rate
            self._put(frame)

    def push_threadsafe(self, pcm: bytes | np.ndarray, timestamp: float | None = None) -> None:
        if self._loop is None:
            raise RuntimeError(f"{self.name}: open() the source before pushing from a thread")
        self._loop.call_soon_threadsafe(self.push, pcm, timestamp)

    def end(self) -> None:
        """Mark the stream finished: ``frames()`` ends after the queued frames."""
        self._put(_END)

    def _put(self, item: AudioFrame | None) -> None:
        while True:
            try:
                self._queue.put_nowait(item)
                return
            except asyncio.QueueFull:
                self._queue.get_nowait()
                self.dropped += 1

    async def frames(self) -> AsyncIterator[AudioFrame]:
        while True:
            try:
                item = await asyncio.wait_for(self._queue.get(), self.timeout)
            except asyncio.TimeoutError:
                raise DeviceLostError(
                    self.name, f"no audio received for {self.timeout:.1f} s"
                ) from None
            if item is _END:
                return
            yield item
