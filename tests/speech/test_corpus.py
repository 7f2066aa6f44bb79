"""The speech corpus makes what it says: format, forms, measured SNR, cache, determinism."""

from __future__ import annotations

import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest
from speech.corpus import (
    LEAD_S,
    PAUSE_S,
    ROOM_SNR_DB,
    TAIL_S,
    Corpus,
    Recording,
    Utterance,
    speech_edges,
)


def samples(rec: Recording) -> np.ndarray:
    with wave.open(str(rec.path), "rb") as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (16000, 1, 2)
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768


def longest_quiet_s(x: np.ndarray, start_s: float, end_s: float, dbfs: float = -45) -> float:
    """The longest run of 10 ms frames below `dbfs` between two times."""
    frames = x[int(start_s * 16000):int(end_s * 16000)]
    frames = frames[:len(frames) // 160 * 160].reshape(-1, 160)
    quiet = np.sqrt(np.mean(frames ** 2, axis=1)) < 10 ** (dbfs / 20)
    best = run = 0
    for q in quiet:
        run = run + 1 if q else 0
        best = max(best, run)
    return best / 100


@pytest.fixture
def corpus(tmp_path: Path) -> Corpus:
    return Corpus(tmp_path / "cache")


def test_pause_breath_and_room_forms(corpus: Corpus) -> None:
    pause, breath, room = corpus.get_many(Utterance("turn off the lights", "slt", form)
                                          for form in ("pause", "breath", "room"))
    for rec in (pause, breath, room):
        x = samples(rec)
        assert rec.duration_s == pytest.approx(len(x) / 16000)
        assert LEAD_S <= rec.speech_start_s < rec.speech_end_s <= rec.duration_s - TAIL_S + 0.01
    # The pause is silence of PAUSE_S between the wake phrase and the command...
    assert pause.command_start_s is not None
    gap = longest_quiet_s(samples(pause), pause.speech_start_s, pause.command_start_s)
    assert PAUSE_S - 0.01 <= gap <= PAUSE_S + 0.1  # + the voice's own fade below -45 dBFS
    # ...one breath has no gap in it where the pause was...
    assert longest_quiet_s(samples(breath), breath.speech_start_s, breath.speech_end_s) < 0.2
    assert breath.command_start_s is None and breath.snr_db is None
    # ...and the room is the breath recording itself, wet and noisy, ending where it ends.
    assert (room.speech_start_s, room.speech_end_s) == (breath.speech_start_s,
                                                        breath.speech_end_s)
    assert room.snr_db == pytest.approx(ROOM_SNR_DB, abs=0.5)
    assert speech_edges(breath.path) == pytest.approx((breath.speech_start_s,
                                                       breath.speech_end_s), abs=1e-3)


def test_room_noise_is_really_about_15_db_below_the_speech(corpus: Corpus) -> None:
    """An independent look: the noise alone (before the talker starts) against the loud part
    of the speech, without the generator's own bookkeeping."""
    room = corpus.get(Utterance("set the temperature to twenty two degrees", "rms", "room"))
    x = samples(room)
    noise = x[: int((room.speech_start_s - 0.05) * 16000)]
    speech = x[int(room.speech_start_s * 16000):int(room.speech_end_s * 16000)]
    frames = speech[:len(speech) // 320 * 320].reshape(-1, 320)
    power = np.mean(frames ** 2, axis=1)
    loud = power[power > power.max() / 1000]  # the frames the generator counts as speech
    snr = 10 * np.log10(np.mean(loud) / np.mean(noise ** 2))
    assert 11 < snr < 19, snr
    assert np.abs(x).max() < 1.0  # nothing clipped


def test_talk_without_the_wake_phrase(corpus: Corpus) -> None:
    rec = corpus.get(Utterance("I told Samantha's sister about it", "kal16", "breath", None))
    assert rec.utterance.spoken == "I told Samantha's sister about it"
    assert rec.speech_end_s - rec.speech_start_s > 1.0
    with pytest.raises(ValueError, match="no pause form"):
        Utterance("I told Samantha's sister about it", "kal16", "pause", None)


def test_cached_by_content_and_the_same_every_time(tmp_path: Path) -> None:
    first = Corpus(tmp_path / "a")
    wanted = [Utterance("open the blinds", "kal", "pause"),
              Utterance("open the blinds", "kal", "room")]
    made = first.get_many(wanted)
    assert first.made == 3  # the room form is made from the breath recording
    again = Corpus(tmp_path / "a")
    assert [r.path for r in again.get_many(wanted)] == [r.path for r in made]
    assert again.made == 0
    elsewhere = Corpus(tmp_path / "b").get_many(wanted)
    assert [r.path.read_bytes() for r in elsewhere] == [r.path.read_bytes() for r in made]
    assert again.get(Utterance("open the blinds", "kal", "breath")).path != made[0].path


def test_unknown_voice_or_form_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match=r"unknown voice 'espeak'.*kal16"):
        Utterance("hello", "espeak")
    with pytest.raises(ValueError, match=r"unknown form 'shout'.*room"):
        Utterance("hello", "slt", "shout")


_MAKE_ONE = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from speech.corpus import Corpus, Utterance
go = Path(sys.argv[2])
while not go.exists():  # both processes ask at the same moment
    time.sleep(0.005)
corpus = Corpus(Path(sys.argv[1]))
recording = corpus.get(Utterance("close the kitchen blinds", "awb", "room"))
print(corpus.made, recording.path.read_bytes().hex()[:64], recording.speech_end_s)
"""


def test_two_processes_asking_for_one_recording_make_it_once(tmp_path: Path) -> None:
    """Parallel test workers (or a benchmark beside the tests) share the cache: one process
    makes a recording, the other waits and reads it (a piper WAV and its sidecar could
    otherwise come from two different runs)."""
    go = tmp_path / "go"
    tests = str(Path(__file__).parents[1])
    children = [subprocess.Popen([sys.executable, "-c", _MAKE_ONE, str(tmp_path / "cache"),
                                  str(go), tests], stdout=subprocess.PIPE, text=True)
                for _ in range(2)]
    time.sleep(0.5)  # both started and waiting
    go.touch()
    outputs = [child.communicate(timeout=120)[0].split() for child in children]
    assert all(child.returncode == 0 for child in children)
    assert sorted(int(made) for made, _, _ in outputs) == [0, 2]  # breath + room, once
    assert outputs[0][1:] == outputs[1][1:]  # the same file, the same sidecar
