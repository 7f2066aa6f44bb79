"""Runs PortAudio code in a child process whose environment points at the test PulseAudio.

PortAudio reads the ALSA configuration when ``sounddevice`` is imported, so the code
under test runs here, started with the harness' env (see ``harness/pulse.py``).
Usage: ``pa_child.py MODE ARGS...``; results are written as JSON / .npy files.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import numpy as np

from samantha.hardware.errors import AudioError
from samantha.hardware.pipeline import RetryPolicy, RoomAudio
from samantha.hardware.portaudio import PortAudioSink, PortAudioSource, list_devices
from samantha.hardware.profiles import profile_from_dict
from samantha.hardware.wavio import read_audio


async def capture(device: str, channels: int, seconds: float, out: Path) -> None:
    source = PortAudioSource(device, channels=channels, sample_rate=16000, frame_size=800)
    await source.open()
    blocks = []
    started = None
    async for frame in source.frames():
        if started is None:
            started = time.monotonic()
            print("READY", flush=True)
        blocks.append(frame.samples)
        if time.monotonic() - started >= seconds:
            break
    await source.close()
    np.save(out, np.concatenate(blocks))


async def play(device: str, wav: Path) -> None:
    samples, rate = read_audio(wav)
    await PortAudioSink(device, sample_rate=16000, channels=1).play(samples, rate)


async def errors(out: Path) -> None:
    cases = {
        "missing": lambda: PortAudioSource("no-such-mic", channels=1),
        "too_many_channels": lambda: PortAudioSource("vmic4", channels=64),
    }
    result = {}
    for name, make in cases.items():
        try:
            await make().open()
            result[name] = {"type": None, "message": "opened"}
        except AudioError as exc:
            result[name] = {"type": type(exc).__name__, "message": str(exc)}
    out.write_text(json.dumps(result))


async def room(seconds: float, out: Path) -> None:
    profile = profile_from_dict(
        {"name": "virtual-array", "device": "vmic4", "channels": 4, "frame_ms": 32}
    )
    audio = RoomAudio("lab", profile, retry=RetryPolicy(initial=0.2, maximum=0.5))
    frames = []
    started = None
    async for item in audio.frames():
        if started is None:
            started = time.monotonic()
            print("READY", flush=True)
        frames.append(item)
        if time.monotonic() - started >= seconds:
            break
    audio.stop()
    # A direction holds until the next window's estimate: one entry per estimate.
    estimates = {f.direction.timestamp: f.direction.delays for f in frames
                 if f.direction is not None}
    directions = list(estimates.values())
    pcm = np.concatenate([f.frame.samples[:, 0] for f in frames])
    np.save(out.with_suffix(".npy"), pcm)
    out.write_text(
        json.dumps(
            {
                "rate": frames[0].frame.sample_rate,
                "frame_sizes": sorted({f.frame.n_samples for f in frames}),
                "delays": directions,
            }
        )
    )


def main() -> None:
    mode, *args = sys.argv[1:]
    if mode == "capture":
        asyncio.run(capture(args[0], int(args[1]), float(args[2]), Path(args[3])))
    elif mode == "play":
        asyncio.run(play(args[0], Path(args[1])))
    elif mode == "errors":
        asyncio.run(errors(Path(args[0])))
    elif mode == "room":
        asyncio.run(room(float(args[0]), Path(args[1])))
    elif mode == "devices":
        print(json.dumps([d.as_dict() for d in list_devices()]))
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
