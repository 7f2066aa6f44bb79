"""Speech fixtures made at test time: flite (English) and espeak-ng (Korean) through sox."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from speech.audio import Speak, to_16k
from speech.corpus import Corpus


@pytest.fixture(scope="module")
def audio_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech-audio")


@pytest.fixture(scope="module")
def say_en(audio_dir: Path) -> Speak:
    """English speech with flite (slt by default), padded, 16 kHz mono s16."""
    def make(text: str, voice: str = "slt", pad: tuple[float, float] = (0.3, 0.6)) -> Path:
        name = f"en_{voice}_{abs(hash((text, pad)))}"
        raw = audio_dir / f"{name}_raw.wav"
        subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(raw)], check=True,
                       capture_output=True)
        return to_16k(raw, audio_dir / f"{name}.wav", pad)

    return make


@pytest.fixture(scope="module")
def say_ko(audio_dir: Path) -> Speak:
    """Korean speech with espeak-ng -v ko, padded, 16 kHz mono s16."""
    def make(text: str, pad: tuple[float, float] = (0.3, 0.6), rate: int = 150) -> Path:
        name = f"ko_{abs(hash((text, pad, rate)))}"
        raw = audio_dir / f"{name}_raw.wav"
        subprocess.run(["espeak-ng", "-v", "ko", "-s", str(rate), "-w", str(raw), text],
                       check=True, capture_output=True)
        return to_16k(raw, audio_dir / f"{name}.wav", pad)

    return make


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    """Every flite voice and piper's joe, said three ways (speech/corpus.py); one instance per
    session, recordings cached across sessions in the speech cache."""
    return Corpus()
