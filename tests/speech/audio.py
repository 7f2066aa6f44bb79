"""Audio helpers for the speech tests (sox conversion, concatenation, noise) and config paths."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EN_CONFIG = EXAMPLES / "voice_en_pocketsphinx.yaml"
KO_CONFIG = EXAMPLES / "voice_ko_vosk.yaml"

Speak = Callable[..., Path]


def to_16k(src: Path, dst: Path, pad: tuple[float, float]) -> Path:
    subprocess.run(["sox", str(src), "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer",
                    str(dst), "pad", str(pad[0]), str(pad[1])], check=True, capture_output=True)
    return dst


def concat(parts: list[Path], dst: Path) -> Path:
    subprocess.run(["sox", *map(str, parts), str(dst)], check=True, capture_output=True)
    return dst


def synth(kind: str, seconds: float, dst: Path, *extra: str) -> Path:
    """Noise or a tone, 16 kHz mono (-R: the same file every run)."""
    subprocess.run(["sox", "-R", "-n", "-r", "16000", "-c", "1", "-b", "16", str(dst),
                    "synth", str(seconds), kind, *extra, "vol", "0.3"],
                   check=True, capture_output=True)
    return dst


