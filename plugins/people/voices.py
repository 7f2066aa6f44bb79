"""Voice profiles: one averaged speaker vector per person, kept in the persona's memory file
(table `voices`), and identification of a recording against them."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .recall import from_blob, to_blob
from .speaker import MIN_SCORE
from .tables import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS voices (
    person TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    vector BLOB NOT NULL,
    samples INTEGER NOT NULL,
    seconds REAL NOT NULL,
    enrolled REAL NOT NULL
);
"""


@dataclass(frozen=True)
class Match:
    person: str | None  # None: nobody enrolled is close enough (a guest)
    score: float        # cosine similarity to the closest profile
    closest: str | None


class VoiceProfiles:
    def __init__(self, store: Database, model: str) -> None:
        self.store = store
        self.model = model

    def _db(self) -> None:
        self.store.db.executescript(SCHEMA)

    def enroll(self, person: str, vectors: list[np.ndarray], seconds: float) -> None:
        """Replace a person's profile with the mean of these recordings' vectors."""
        if not vectors:
            raise ValueError("no recordings to enroll")
        mean = np.mean(np.stack(vectors), axis=0)
        mean /= np.linalg.norm(mean)
        self._db()
        with self.store.transaction() as db:
            db.execute("INSERT OR REPLACE INTO voices (person, model, vector, samples, seconds, "
                       "enrolled) VALUES (?, ?, ?, ?, ?, ?)",
                       (person, self.model, to_blob(mean), len(vectors), seconds, time.time()))

    def profiles(self) -> dict[str, np.ndarray]:
        self._db()
        return {row[0]: from_blob(row[1]) for row in self.store.db.execute(
            "SELECT person, vector FROM voices WHERE model = ? ORDER BY person", (self.model,))}

    def listing(self) -> dict[str, dict[str, float]]:
        self._db()
        return {row[0]: {"samples": row[1], "seconds": round(row[2], 1), "enrolled": row[3]}
                for row in self.store.db.execute(
                    "SELECT person, samples, seconds, enrolled FROM voices ORDER BY person")}

    def forget(self, person: str) -> bool:
        self._db()
        with self.store.transaction() as db:
            return db.execute("DELETE FROM voices WHERE person = ?", (person,)).rowcount > 0

    def identify(self, vector: np.ndarray, threshold: float = MIN_SCORE) -> Match:
        best, score = None, -1.0
        for person, profile in self.profiles().items():
            similarity = float(profile @ vector)
            if similarity > score:
                best, score = person, similarity
        if best is None:
            return Match(None, 0.0, None)
        return Match(best if score >= threshold else None, score, best)
