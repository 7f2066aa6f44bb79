"""PortAudio capture and playback through ``sounddevice`` (imported lazily).

``sounddevice`` initialises PortAudio - and with it the ALSA configuration - at
import time, so the environment (``HOME`` for ``~/.asoundrc``, ``PULSE_SERVER``) must
be final before the first call into this module in a process.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from types import ModuleType
from typing import Any, Literal

import numpy as np

from samantha.hardware.errors import (
    AudioDeviceError,
    AudioError,
    BackendUnavailableError,
    ChannelCountError,
    DeviceBusyError,
    DeviceLostError,
    DeviceNotFoundError,
    SampleRateError,
)
from samantha.hardware.frames import AudioFrame
from samantha.hardware.sinks import prepare_output

Kind = Literal["input", "output"]


def _sd() -> ModuleType:
    try:
        import sounddevice
    except OSError as exc:
        raise BackendUnavailableError(
            "PortAudio",
            f"cannot load the PortAudio library: {exc}",
            "apt-get install libportaudio2",
        ) from None
    except ImportError:
        raise BackendUnavailableError(
            "sounddevice", "the Python package is not installed", "pip install 'samantha[audio]'"
        ) from None
    return sounddevice


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    index: int
    name: str
    hostapi: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def list_devices() -> list[DeviceInfo]:
    """Every capture and playback device PortAudio can see."""
    sd = _sd()
    apis = [api["name"] for api in sd.query_hostapis()]
    return [
        DeviceInfo(
            index=int(d["index"]),
            name=str(d["name"]),
            hostapi=apis[d["hostapi"]] if d["hostapi"] < len(apis) else str(d["hostapi"]),
            max_input_channels=int(d["max_input_channels"]),
            max_output_channels=int(d["max_output_channels"]),
            default_samplerate=float(d["default_samplerate"]),
        )
        for d in sd.query_devices()
    ]


def find_device(device: str | int | None, kind: Kind) -> DeviceInfo:
    """Resolve a name (exact, then case-insensitive substring), an index or the default."""
    devices = list_devices()
    usable = [
        d for d in devices if (d.max_input_channels if kind == "input" else d.max_output_channels)
    ]
    label = f"{kind} device {device!r}" if device is not None else f"default {kind} device"
    if not usable:
        raise DeviceNotFoundError(label, f"PortAudio sees no {kind} devices at all")
    if device is None:
        default = _sd().default.device[0 if kind == "input" else 1]
        match = [d for d in usable if d.index == default] or usable[:1]
        return match[0]
    if isinstance(device, int):
        for d in usable:
            if d.index == device:
                return d
        raise DeviceNotFoundError(label, f"no {kind} device has index {device}")
    exact = [d for d in usable if d.name == device]
    partial = [d for d in usable if device.lower() in d.name.lower()]
    if exact or partial:
        return (exact or partial)[0]
    names = ", ".join(repr(d.name) for d in usable[:12])
    raise DeviceNotFoundError(label, "no such device (unplugged or misnamed?)", f"seen: {names}")


def _translate(exc: Exception, where: str) -> AudioError:
    text = str(exc)
    lowered = text.lower()
    if "busy" in lowered or "unavailable" in lowered:
        return DeviceBusyError(where, f"device is in use by another program ({text})")
    if "sample rate" in lowered or "samplerate" in lowered:
        return SampleRateError(where, f"device rejects the sample rate ({text})")  # type: ignore[return-value]
    return AudioDeviceError(where, f"PortAudio error: {text}")


class PortAudioSource:
    """Captures ``(frame_size, channels)`` frames from a PortAudio input device.

    The PortAudio callback thread hands frames to the event loop; if the loop falls
    behind, the oldest frames are dropped (and counted in ``overflows``). When no
    frame arrives for ``stall_timeout`` seconds, ``frames()`` raises
    :class:`DeviceLostError` (a USB array pulled out mid-stream stops calling back).
    """

    def __init__(
        self,
        device: str | int | None = None,
        *,
        channels: int = 1,
        sample_rate: int = 16000,
        frame_size: int = 512,
        dtype: Literal["int16", "float32"] = "int16",
        stall_timeout: float = 2.0,
        max_frames: int = 64,
    ) -> None:
        self.device = device
        self.name = f"portaudio:{device if device is not None else 'default'}"
        self.channels = channels
        self.sample_rate = sample_rate
        self.frame_size = frame_size
        self.dtype = dtype
        self.stall_timeout = stall_timeout
        self.overflows = 0
        self.info: DeviceInfo | None = None
        self._stream: Any = None
        self._queue: asyncio.Queue[AudioFrame] = asyncio.Queue(max_frames)
        self._loop: asyncio.AbstractEventLoop | None = None

    def _open_blocking(self) -> None:
        sd = _sd()
        info = find_device(self.device, "input")
        where = f"input device {info.name!r} (#{info.index})"
        if self.channels > info.max_input_channels:
            raise ChannelCountError(
                where,
                f"profile wants {self.channels} channels, device has {info.max_input_channels}",
                "check 'channels' in the room profile",
            )
        try:
            sd.check_input_settings(
                device=info.index, channels=self.channels, samplerate=self.sample_rate,
                dtype=self.dtype,
            )
        except (sd.PortAudioError, ValueError) as exc:
            err = _translate(exc, where)
            if "rate" in str(exc).lower():
                raise SampleRateError(
                    where, f"cannot capture at {self.sample_rate} Hz ({exc})",
                    f"device default is {info.default_samplerate:.0f} Hz",
                ) from None
            raise err from None
        try:
            stream = sd.InputStream(
                device=info.index, channels=self.channels, samplerate=self.sample_rate,
                blocksize=self.frame_size, dtype=self.dtype, callback=self._callback,
            )
            stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            raise _translate(exc, where) from None
        self.info = info
        self._stream = stream

    async def open(self) -> None:
        self._loop = asyncio.get_running_loop()
        # Opening a device can take ~100 ms (PulseAudio, USB); keep other rooms running.
        await asyncio.to_thread(self._open_blocking)

    def _callback(self, indata: np.ndarray, frames: int, _time: Any, status: Any) -> None:
        stamp = time.monotonic() - frames / self.sample_rate
        frame = AudioFrame(indata.copy(), self.sample_rate, stamp)
        if self._loop is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._enqueue, frame)

    def _enqueue(self, frame: AudioFrame) -> None:
        if self._queue.full():
            self._queue.get_nowait()
            self.overflows += 1
        self._queue.put_nowait(frame)

    async def frames(self) -> AsyncIterator[AudioFrame]:
        if self._stream is None:
            raise AudioDeviceError(self.name, "frames() called before open()")
        while True:
            try:
                frame = await asyncio.wait_for(self._queue.get(), self.stall_timeout)
            except asyncio.TimeoutError:
                raise DeviceLostError(
                    self.name, f"no audio for {self.stall_timeout:.1f} s (device unplugged?)"
                ) from None
            yield frame

    async def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            with contextlib.suppress(Exception):
                # abort() rather than stop(): a vanished device may never drain.
                await asyncio.to_thread(stream.abort)
                await asyncio.to_thread(stream.close)


class PortAudioSink:
    """Plays PCM on a PortAudio output device, resampling/up-mixing as needed.

    A stream is opened per ``play`` call: replies are seconds long, and reopening makes
    a speaker that was unplugged and plugged back in just work on the next reply.
    """

    def __init__(
        self, device: str | int | None = None, *, sample_rate: int = 16000, channels: int = 1
    ) -> None:
        self.device = device
        self.name = f"portaudio:{device if device is not None else 'default'}"
        self.sample_rate = sample_rate
        self.channels = channels

    def _play_blocking(self, data: np.ndarray) -> None:
        sd = _sd()
        info = find_device(self.device, "output")
        where = f"output device {info.name!r} (#{info.index})"
        if self.channels > info.max_output_channels:
            raise ChannelCountError(
                where, f"wants {self.channels} channels, device has {info.max_output_channels}"
            )
        try:
            with sd.OutputStream(
                device=info.index, channels=self.channels, samplerate=self.sample_rate,
                dtype="float32",
            ) as stream:
                stream.write(np.ascontiguousarray(data))
        except (sd.PortAudioError, ValueError) as exc:
            raise _translate(exc, where) from None

    async def play(self, samples: np.ndarray, sample_rate: int) -> None:
        data = prepare_output(samples, sample_rate, self.sample_rate, self.channels, self.name)
        await asyncio.to_thread(self._play_blocking, data)

    async def close(self) -> None:
        return None
