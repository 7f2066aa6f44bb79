"""The audio each turn's room heard: kept for the last turns in memory (and optionally on
disk), served as WAV to the page, never sent anywhere else."""

from __future__ import annotations

import io
import logging
import wave
from pathlib import Path

log = logging.getLogger(__name__)


def wav_bytes(pcm: bytes, sample_rate: int) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm)
    return out.getvalue()


class AudioStore:
    def __init__(self, directory: Path | None = None) -> None:
        self.memory: dict[int, bytes] = {}
        self.directory = directory
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)

    def _path(self, turn_id: int) -> Path | None:
        return self.directory / f"turn-{turn_id}.wav" if self.directory else None

    def put(self, turn_id: int, pcm: bytes, sample_rate: int) -> None:
        data = wav_bytes(pcm, sample_rate)
        self.memory[turn_id] = data
        path = self._path(turn_id)
        if path is not None:
            try:
                path.write_bytes(data)
            except OSError as err:
                log.warning("dashboard: could not keep turn audio in %s: %s", path, err)

    def get(self, turn_id: int) -> bytes | None:
        return self.memory.get(turn_id)

    def drop(self, turn_id: int) -> None:
        self.memory.pop(turn_id, None)
        path = self._path(turn_id)
        if path is not None:
            path.unlink(missing_ok=True)
