"""RoomAudio end to end on real recordings: resampling, DOA, mute, isolation of failures."""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path

import numpy as np

from samantha.hardware.frames import ProcessedFrame, utterance_direction
from samantha.hardware.leds import LoggingLedRing, RoomActivity
from samantha.hardware.pipeline import RetryPolicy, RoomAudio, RoomState, run_rooms
from samantha.hardware.profiles import profile_from_dict
from samantha.hardware.sources import FileSource

from .conftest import ArrayRecordings


def _file_room(path: Path, channels: int, **extra: object) -> RoomAudio:
    profile = profile_from_dict(
        {"name": "t", "backend": "file", "file": str(path), "realtime": False,
         "channels": channels, **extra}
    )  # fmt: skip
    return RoomAudio("living", profile, retry=RetryPolicy(initial=0.05, maximum=0.1))


async def test_array_room_yields_mono_16k_with_delays(recordings: ArrayRecordings) -> None:
    room = _file_room(recordings.array4, 4, processing={"doa_window_ms": 256})
    frames = [f async for f in room.frames()]
    assert room.status.state == RoomState.FINISHED
    assert all(f.frame.sample_rate == 16000 and f.frame.channels == 1 for f in frames)
    assert {f.frame.n_samples for f in frames[:-1]} == {512}
    total = sum(f.frame.n_samples for f in frames)
    assert abs(total - 37826) < 600
    delays = frames[-1].direction.delays
    assert np.allclose(delays, [0, 8, 16, 24], atol=0.5), delays


async def test_48k_stereo_file_is_resampled(tmp_path: Path, recordings: ArrayRecordings) -> None:
    wav48 = tmp_path / "a48.wav"
    subprocess.run(["sox", str(recordings.array4), "-t", "wavpcm", "-r", "48000", str(wav48),
                    "remix", "1", "2"], check=True)  # fmt: skip
    room = _file_room(wav48, 2, processing={"mode": "best_channel"})
    frames = [f async for f in room.frames()]
    assert frames[0].frame.sample_rate == 16000
    assert abs(sum(f.frame.n_samples for f in frames) - 37826) < 600
    assert frames[-1].channel in (0, 1)


async def test_doa_reported_per_frame_and_per_utterance(tmp_path: Path) -> None:
    # A 4-mic HAT hearing a talker at 90°: render exact fractional delays.
    from samantha.hardware import arrays
    from samantha.hardware.profiles import builtin_profiles
    from samantha.hardware.wavio import write_wav

    geometry = builtin_profiles()["respeaker_4mic_hat"].geometry_mm
    pos = arrays.mic_positions_m(geometry)
    d = arrays.steering_delays(np.array([0.0, 1.0, 0.0]), pos, 16000)
    rng = np.random.default_rng(3)
    n = 32000
    burst = rng.standard_normal(n) * np.repeat(rng.random(n // 1600) > 0.3, 1600) * 0.2
    spec, f = np.fft.rfft(burst, 2 * n), np.fft.rfftfreq(2 * n)
    x = np.stack([np.fft.irfft(spec * np.exp(-2j * np.pi * f * di), 2 * n)[:n] for di in d], 1)
    x += rng.standard_normal(x.shape) * 0.002
    path = write_wav(tmp_path / "talker90.wav", x.astype(np.float32), 16000)
    room = _file_room(path, 4, geometry_mm=geometry)
    frames = [f async for f in room.frames()]
    last = frames[-1].direction
    assert last is not None and abs(last.azimuth_deg - 90) < 10, last
    overall = utterance_direction(frames)
    assert overall is not None and abs(overall.azimuth_deg - 90) < 10


async def test_mute_drops_frames_instead_of_zeroing(recordings: ArrayRecordings) -> None:
    led = LoggingLedRing("living")
    profile = profile_from_dict(
        {"name": "t", "channels": 4, "processing": {"agc": False}}
    )
    source = FileSource(recordings.array4, frame_size=512, realtime=True)
    room = RoomAudio("living", profile, source_factory=lambda: source, led=led)
    got: list[ProcessedFrame] = []

    async def consume() -> None:
        async for f in room.frames():
            got.append(f)

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.5)
    room.mute()
    during = len(got)
    await asyncio.sleep(0.8)
    assert len(got) == during, "frames left the room while muted"
    room.unmute()
    await task
    assert len(got) > during
    assert led.history == [RoomActivity.MUTED, RoomActivity.IDLE]
    # Dropped, not zeroed: there is a gap in timestamps and no silent frames appear.
    stamps = np.array([f.frame.timestamp for f in got])
    assert np.max(np.diff(stamps)) > 0.5
    assert min(np.abs(f.frame.samples).max() for f in got[2:-2]) > 0


async def test_a_broken_room_never_stops_the_others(recordings: ArrayRecordings) -> None:
    bad = RoomAudio(
        "attic",
        profile_from_dict({"name": "gone", "device": "no-such-usb-array", "channels": 4}),
        retry=RetryPolicy(initial=0.05, factor=2, maximum=0.2),
    )
    wrong = _file_room(recordings.array4, 2)  # profile says 2 channels, file has 4
    good = _file_room(recordings.array4, 4)
    seen: dict[str, int] = {}

    def handler(frame: ProcessedFrame) -> None:
        seen[frame.room] = seen.get(frame.room, 0) + 1

    good.room = "living"
    wrong.room = "garage"
    runner = asyncio.create_task(run_rooms([bad, wrong, good], handler))
    # Rooms run in their own tasks: wait (bounded) for the states asserted below rather
    # than a fixed second, which a loaded machine can spend before the good room finishes.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not (
            good.status.state == RoomState.FINISHED and bad.status.failures >= 2
            and wrong.status.error):
        await asyncio.sleep(0.02)
    assert good.status.state == RoomState.FINISHED and seen["living"] > 50
    assert bad.status.state in (RoomState.RETRYING, RoomState.OPENING)
    assert bad.status.failures >= 2
    assert "no-such-usb-array" in (bad.status.error or "")
    assert "delivers 4 channels, profile 't' expects 2" in (wrong.status.error or "")
    bad.stop()
    wrong.stop()
    await asyncio.wait_for(runner, 2.0)
    assert bad.status.state == RoomState.STOPPED
