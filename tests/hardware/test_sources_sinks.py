"""File and network sources, sinks, and their error messages."""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from samantha.hardware.errors import AudioFileError, ChannelCountError, DeviceLostError
from samantha.hardware.network import NetworkSource
from samantha.hardware.sinks import NullSink, WavFileSink
from samantha.hardware.sources import AudioSource, FileSource
from samantha.hardware.wavio import read_audio, write_wav

from .conftest import ArrayRecordings


async def test_file_source_fast_and_realtime(recordings: ArrayRecordings) -> None:
    fast = FileSource(recordings.array4, frame_size=512)
    assert isinstance(fast, AudioSource)
    await fast.open()
    t0 = time.monotonic()
    frames = [f async for f in fast.frames()]
    assert time.monotonic() - t0 < 0.5
    assert frames[0].channels == 4 and frames[0].sample_rate == 16000
    assert sum(f.n_samples for f in frames) == 37826
    steps = np.diff([f.timestamp for f in frames[:-1]])
    assert np.allclose(steps, 512 / 16000)

    short = write_wav(recordings.array4.parent / "short.wav", np.zeros((8000, 2), np.int16), 16000)
    paced = FileSource(short, frame_size=800, realtime=True)
    await paced.open()
    t0 = time.monotonic()
    count = len([f async for f in paced.frames()])
    assert count == 10 and 0.45 < time.monotonic() - t0 < 2.0  # paced, not read at once


def test_sox_extensible_wav_and_raw_are_readable(
    tmp_path: Path, recordings: ArrayRecordings
) -> None:
    ext = tmp_path / "ext.wav"  # no -t wavpcm: WAVE_FORMAT_EXTENSIBLE
    subprocess.run(["sox", str(recordings.array4), str(ext)], check=True)
    samples, rate = read_audio(ext)
    assert samples.shape[1] == 4 and rate == 16000
    raw = tmp_path / "x.raw"
    samples.astype("<i2").tofile(raw)
    again, _ = read_audio(raw, raw_rate=16000, raw_channels=4)
    assert np.array_equal(again, samples)


def test_bad_files_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(AudioFileError, match=r"nope\.wav: file does not exist"):
        read_audio(tmp_path / "nope.wav")
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"this is not a wav file at all")
    with pytest.raises(AudioFileError, match=r"junk\.wav: not a readable WAV file"):
        read_audio(junk)
    odd = tmp_path / "odd.raw"
    np.zeros(7, "<i2").tofile(odd)
    with pytest.raises(AudioFileError, match="not a multiple of 2 channels"):
        read_audio(odd, raw_rate=16000, raw_channels=2)


async def test_network_source_rechunks_drops_oldest_and_times_out() -> None:
    src = NetworkSource("kitchen-sat", frame_size=160, max_frames=4, timeout=0.3)
    await src.open()
    pcm = (np.arange(1000) % 100).astype(np.int16)
    src.push(pcm.tobytes())  # 6 full frames into a queue of 4: 2 oldest dropped
    assert src.dropped == 2
    got = [await anext(src.frames()) for _ in range(4)]
    assert all(f.n_samples == 160 for f in got)
    assert np.array_equal(got[0].samples[:, 0], pcm[320:480])
    with pytest.raises(ChannelCountError):
        src.push(np.zeros((10, 2), np.int16))
    with pytest.raises(DeviceLostError, match="no audio received"):
        await anext(src.frames())


async def test_network_source_threadsafe_push_and_end() -> None:
    src = NetworkSource("sat", frame_size=100, timeout=2.0)
    await src.open()
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, src.push_threadsafe, np.ones(250, np.int16).tobytes())
    await asyncio.sleep(0.01)
    src.end()
    frames = [f async for f in src.frames()]
    assert [f.n_samples for f in frames] == [100, 100]


async def test_sinks_resample_and_record(tmp_path: Path) -> None:
    tone = (0.3 * np.sin(2 * np.pi * 440 * np.arange(48000) / 48000)).astype(np.float32)
    null = NullSink(sample_rate=16000)
    await null.play(tone, 48000)
    assert null.samples_played == 16000
    sink = WavFileSink(tmp_path / "reply.wav", sample_rate=16000, channels=1)
    await sink.play(tone, 48000)
    await sink.close()
    data, rate = read_audio(tmp_path / "reply.wav")
    assert rate == 16000 and data.shape == (16000, 1)
    assert abs(np.abs(data).max() / 32768 - 0.3) < 0.02


def test_truncated_wav_header_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.wav"
    path.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt ")  # the header stops mid-chunk
    with pytest.raises(AudioFileError, match=r"cut\.wav"):
        read_audio(path)
