"""Long-term memory in SQLite: facts and preferences per person and for the household.

The same file keeps the mood (`state`) and pending timers, reminders and scheduled actions
(`scheduled`, read and written by schedule.py) so that one file is the persona's whole state.

Every write is its own transaction in WAL mode with synchronous=FULL, so a process killed in the
middle of a write loses at most that write, never one that was already committed.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import time
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel

from samantha.plugins.people.recall import Embedder, encode, from_blob, save_vectors, to_blob

log = logging.getLogger(__name__)

HOUSEHOLD = None  # person value of memories that belong to everyone
# Below this cosine a memory is not about the question (unless they share a word). Unrelated
# sentences score about -0.1..0.15 with MiniLM; most paraphrases 0.2 and up (bench/recall.py).
MIN_SIMILARITY = 0.15

STOPWORDS = frozenset({
    "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "for", "with",
    "about", "from", "by", "is", "are", "was", "were", "be", "been", "am", "i", "me", "my",
    "mine", "you", "your", "we", "our", "us", "it", "its", "this", "that", "these", "those", "he",
    "she", "they", "them", "his", "her", "their", "do", "does", "did", "have", "has", "had",
    "not", "no", "yes", "so", "just", "very", "really", "what", "who", "when", "where", "why",
    "how", "can", "could", "would", "should", "will", "shall", "please", "remember", "forget",
    "know", "like", "likes", "liked",
})

SCHEMA = """
CREATE TABLE IF NOT EXISTS memories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person TEXT,
    text TEXT NOT NULL,
    source TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS memory_vectors (
    memory_id INTEGER PRIMARY KEY,
    model TEXT NOT NULL,
    vector BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS scheduled (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    room TEXT NOT NULL,
    due REAL NOT NULL,
    text TEXT NOT NULL,
    command TEXT,
    person TEXT,
    source TEXT NOT NULL,
    created REAL NOT NULL,
    duration REAL,
    paused REAL
);
"""

# Columns added after the first release: a file written by an older version gains them on open.
LATER_COLUMNS = {"scheduled": {"duration": "REAL", "paused": "REAL"}}


class Memory(BaseModel):
    id: int
    person: str | None
    text: str
    source: Literal["said", "model"]
    created: float

    def owner(self) -> str:
        return self.person or "household"


def words(text: str) -> set[str]:
    """Content words, lightly stemmed, for matching a sentence against memories."""
    out = set()
    for word in re.findall(r"[\w']+", text.casefold()):
        word = word.removesuffix("'s")
        if word in STOPWORDS or len(word) < 2:
            continue
        out.add(word[:-1] if len(word) > 3 and word.endswith("s") else word)
    return out


class MemoryStore:
    """Opened on first use, so a house that never needs memory never touches the disk."""

    def __init__(self, path: Path, embedder: Embedder | None = None) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self.embedder = embedder  # None: relevance by shared words only

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA busy_timeout=2000")
            db.executescript(SCHEMA)
            _add_later_columns(db)
            self._db = db
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _row(self, row: tuple[Any, ...]) -> Memory:
        return Memory(id=row[0], person=row[1], text=row[2], source=row[3], created=row[4])

    def add(self, text: str, person: str | None = HOUSEHOLD,
            source: Literal["said", "model"] = "said") -> Memory:
        text = " ".join(text.split()).strip()
        if not text:
            raise ValueError("an empty memory")
        with self.transaction() as db:
            existing = db.execute("SELECT id, person, text, source, created FROM memories "
                                  "WHERE text = ? AND person IS ?", (text, person)).fetchone()
            if existing:
                return self._row(existing)
            vector = self._encode([text])
            cur = db.execute("INSERT INTO memories (person, text, source, created) "
                             "VALUES (?, ?, ?, ?)", (person, text, source, time.time()))
            memory_id = cur.lastrowid
            if vector is not None and self.embedder is not None:
                db.execute("INSERT OR REPLACE INTO memory_vectors (memory_id, model, vector) "
                           "VALUES (?, ?, ?)", (memory_id, self.embedder.name, to_blob(vector[0])))
        return self.get(int(memory_id or 0)) or Memory(id=0, person=person, text=text,
                                                        source=source, created=time.time())

    def transaction(self) -> _Tx:
        return _Tx(self.db)

    def get(self, memory_id: int) -> Memory | None:
        row = self.db.execute("SELECT id, person, text, source, created FROM memories "
                              "WHERE id = ?", (memory_id,)).fetchone()
        return self._row(row) if row else None

    def all(self, person: str | None = None, *, include_household: bool = True) -> list[Memory]:
        """Everyone's memories, or one person's (with the household's unless told not to).

        For the house's own use (CLI, export). What a speaker may hear is `visible`.
        """
        sql = "SELECT id, person, text, source, created FROM memories"
        args: tuple[Any, ...] = ()
        if person is not None:
            sql += " WHERE person = ?" + (" OR person IS NULL" if include_household else "")
            args = (person,)
        return [self._row(r) for r in self.db.execute(sql + " ORDER BY id", args)]

    def visible(self, person: str | None) -> list[Memory]:
        """What may be said to (or put in a prompt for) this speaker: the household's memories
        and their own. An unknown speaker (None) gets the household's only, never a person's."""
        if person is None:
            rows = self.db.execute("SELECT id, person, text, source, created FROM memories "
                                   "WHERE person IS NULL ORDER BY id")
            return [self._row(r) for r in rows]
        return self.all(person)

    def forget_person(self, person: str) -> int:
        """Erase everything remembered about one person; returns how many memories went."""
        with self.transaction() as db:
            db.execute("DELETE FROM memory_vectors WHERE memory_id IN "
                       "(SELECT id FROM memories WHERE person = ?)", (person,))
            return db.execute("DELETE FROM memories WHERE person = ?", (person,)).rowcount

    def forget(self, memory_id: int) -> bool:
        with self.transaction() as db:
            db.execute("DELETE FROM memory_vectors WHERE memory_id = ?", (memory_id,))
            return db.execute("DELETE FROM memories WHERE id = ?", (memory_id,)).rowcount > 0

    def matching(self, text: str, person: str | None) -> list[Memory]:
        """Memories that share most of their content words with `text` (for 'forget ...')."""
        wanted = words(text)
        if not wanted:
            return []
        found = []
        for memory in self.visible(person):
            have = words(memory.text)
            if have and len(wanted & have) >= max(1, round(0.6 * len(wanted))):
                found.append(memory)
        return found

    def relevant(self, query: str, person: str | None, limit: int) -> list[Memory]:
        """The memories this speaker may hear that are about the query, best first.

        By meaning when there is an embedder (cosine of sentence vectors, with shared words
        and the speaker's own memories as small bonuses), else by shared content words.
        """
        return [m for _, m in self.ranked(query, person, limit)]

    def ranked(self, query: str, person: str | None, limit: int) -> list[tuple[float, Memory]]:
        """`relevant` with each memory's score: cosine similarity plus small bonuses when by
        meaning, else shared words (1 per word, +0.5 for the speaker's own)."""
        if limit <= 0:
            return []
        wanted = words(query)
        candidates = self.visible(person)
        meaning = self._similarities(query, candidates)
        scored = []
        for index, memory in enumerate(candidates):
            overlap = len(wanted & words(memory.text))
            own = 1.0 if person is not None and memory.person == person else 0.0
            if meaning is not None:
                similarity = float(meaning[index])
                if similarity < MIN_SIMILARITY and not overlap:
                    continue
                score = similarity + 0.03 * overlap + 0.02 * own
            elif overlap:
                score = overlap + 0.5 * own
            else:
                continue
            scored.append((score, memory.created, memory))
        scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
        return [(score, m) for score, _, m in scored[:limit]]

    def _encode(self, texts: list[str]) -> np.ndarray | None:
        return encode(self.embedder, texts)

    def _similarities(self, query: str, memories: list[Memory]) -> np.ndarray | None:
        """Cosine similarity of the query to each memory; vectors missing from the file
        (memories written before, or by another model) are computed and saved now."""
        if self.embedder is None or not memories:
            return None
        model = self.embedder.name
        stored = {row[0]: from_blob(row[1]) for row in self.db.execute(
            "SELECT memory_id, vector FROM memory_vectors WHERE model = ?", (model,))}
        missing = [m for m in memories if m.id not in stored]
        if missing:
            vectors = self._encode([m.text for m in missing])
            if vectors is None:
                return None
            new = {m.id: v for m, v in zip(missing, vectors, strict=True)}
            stored.update(new)
            with self.transaction() as db:
                save_vectors(db, "memory_vectors", "memory_id", model, new)
        asked = self._encode([query])
        if asked is None:
            return None
        matrix = np.stack([stored[m.id] for m in memories])
        return matrix @ asked[0]

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM memories").fetchone()[0])

    def export(self, person: str | None = None) -> list[dict[str, Any]]:
        """Everything, or one person's own memories (not the household's)."""
        chosen = self.all(person, include_household=False) if person else self.all()
        return [m.model_dump() for m in chosen]

    def load_state(self, key: str) -> Any:
        row = self.db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def save_state(self, key: str, value: Any) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key) "
                       "DO UPDATE SET value = excluded.value", (key, json.dumps(value)))


def _add_later_columns(db: sqlite3.Connection) -> None:
    for table, columns in LATER_COLUMNS.items():
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        for name, kind in columns.items():
            if name not in have:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")


class _Tx:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on error (autocommit mode otherwise)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
