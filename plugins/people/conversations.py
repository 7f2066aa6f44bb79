"""Conversation memory: each conversation (one person, one room) kept across restarts.

Turns are written to the persona's SQLite file as they happen (table `turns`). A conversation
ends after `gap` seconds of silence; then it is condensed into an `episode` (when, where, with
whom, what about, how the person seemed) and `threads` with a follow-up time ("job interview
tomorrow" -> ask tomorrow evening). Condensing uses the model when there is one (see
condense.py) and the extractive summary here when not. Only known people's conversations are
kept: a guest's stay in the room's short in-memory history and are never written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from . import clock
from .tables import Database, Tables

SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person TEXT NOT NULL,
    room TEXT NOT NULL,
    said TEXT NOT NULL,
    reply TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS episodes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person TEXT NOT NULL,
    room TEXT NOT NULL,
    started REAL NOT NULL,
    ended REAL NOT NULL,
    summary TEXT NOT NULL,
    mood TEXT,
    how TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS threads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person TEXT NOT NULL,
    room TEXT NOT NULL,
    text TEXT NOT NULL,
    follow_up REAL NOT NULL,
    created REAL NOT NULL,
    episode INTEGER
);
CREATE TABLE IF NOT EXISTS episode_vectors (
    episode_id INTEGER PRIMARY KEY,
    model TEXT NOT NULL,
    vector BLOB NOT NULL
);
"""

FOLLOW_UP_DAYS = 3  # an open thread is raised for this long after its follow-up time


class Turn(BaseModel):
    person: str
    room: str
    said: str
    reply: str
    at: float


class Episode(BaseModel):
    id: int
    person: str
    room: str
    started: float
    ended: float
    summary: str
    mood: str | None
    how: str  # "model" or "extractive"


class Thread(BaseModel):
    id: int
    person: str
    room: str
    text: str
    follow_up: float
    created: float


class Condensed(BaseModel):
    """What a conversation comes down to."""

    summary: str
    mood: str | None = None
    threads: list[tuple[str, float]] = []  # (what, follow-up time)


class Conversations(Tables):
    schema = SCHEMA

    def __init__(self, store: Database, gap_seconds: float) -> None:
        super().__init__(store)
        self.gap = gap_seconds

    def record(self, person: str, room: str, said: str, reply: str) -> None:
        self.db  # noqa: B018 - creates the tables before the write transaction
        with self.store.transaction() as db:
            db.execute("INSERT INTO turns (person, room, said, reply, at) VALUES (?, ?, ?, ?, ?)",
                       (person, room, said, reply, clock.now()))

    def ended(self) -> list[list[Turn]]:
        """Conversations nobody has added to for `gap` seconds, oldest first."""
        cutoff = clock.now() - self.gap
        groups: dict[tuple[str, str], list[Turn]] = {}
        for row in self.db.execute("SELECT person, room, said, reply, at FROM turns ORDER BY id"):
            turn = Turn(person=row[0], room=row[1], said=row[2], reply=row[3], at=row[4])
            groups.setdefault((turn.person, turn.room), []).append(turn)
        return [turns for turns in groups.values() if turns[-1].at < cutoff]

    def close_conversation(self, turns: list[Turn], condensed: Condensed, how: str) -> Episode:
        """Keep the episode and its threads and drop the turns, in one transaction."""
        first, last = turns[0], turns[-1]
        self.db  # noqa: B018 - creates the tables before the write transaction
        with self.store.transaction() as db:
            cur = db.execute(
                "INSERT INTO episodes (person, room, started, ended, summary, mood, how) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (first.person, first.room, first.at, last.at, condensed.summary,
                 condensed.mood, how))
            episode_id = int(cur.lastrowid or 0)
            for text, follow_up in condensed.threads:
                db.execute("INSERT INTO threads (person, room, text, follow_up, created, "
                           "episode) VALUES (?, ?, ?, ?, ?, ?)",
                           (first.person, first.room, text, follow_up, last.at, episode_id))
            db.execute("DELETE FROM turns WHERE person = ? AND room = ? AND at <= ?",
                       (first.person, first.room, last.at))
        return Episode(id=episode_id, person=first.person, room=first.room, started=first.at,
                       ended=last.at, summary=condensed.summary, mood=condensed.mood, how=how)

    def add_thread(self, person: str, room: str, text: str, follow_up: float) -> None:
        """A follow-up that did not come from condensing (e.g. the persona's offline self)."""
        self.db  # noqa: B018 - creates the tables before the write transaction
        with self.store.transaction() as db:
            db.execute("INSERT INTO threads (person, room, text, follow_up, created, episode) "
                       "VALUES (?, ?, ?, ?, ?, NULL)",
                       (person, room, text, follow_up, clock.now()))

    def episodes(self, person: str, limit: int = 50) -> list[Episode]:
        rows = self.db.execute("SELECT id, person, room, started, ended, summary, mood, how "
                               "FROM episodes WHERE person = ? ORDER BY ended DESC LIMIT ?",
                               (person, limit))
        return [Episode(id=r[0], person=r[1], room=r[2], started=r[3], ended=r[4],
                        summary=r[5], mood=r[6], how=r[7]) for r in rows]

    def open_threads(self, person: str) -> list[Thread]:
        """Threads whose follow-up time has come (and not long gone)."""
        now = clock.now()
        rows = self.db.execute("SELECT id, person, room, text, follow_up, created FROM threads "
                               "WHERE person = ? AND follow_up <= ? AND follow_up > ? "
                               "ORDER BY follow_up", (person, now, now - FOLLOW_UP_DAYS * 86400))
        return [Thread(id=r[0], person=r[1], room=r[2], text=r[3], follow_up=r[4],
                       created=r[5]) for r in rows]

    def threads(self, person: str) -> list[Thread]:
        rows = self.db.execute("SELECT id, person, room, text, follow_up, created FROM threads "
                               "WHERE person = ? ORDER BY follow_up", (person,))
        return [Thread(id=r[0], person=r[1], room=r[2], text=r[3], follow_up=r[4],
                       created=r[5]) for r in rows]

    def pending_turns(self, person: str) -> list[Turn]:
        rows = self.db.execute("SELECT person, room, said, reply, at FROM turns "
                               "WHERE person = ? ORDER BY id", (person,))
        return [Turn(person=r[0], room=r[1], said=r[2], reply=r[3], at=r[4]) for r in rows]

    def forget(self, person: str) -> int:
        """Erase a person's conversations: turns, episodes and threads."""
        self.db  # noqa: B018
        with self.store.transaction() as db:
            db.execute("DELETE FROM episode_vectors WHERE episode_id IN "
                       "(SELECT id FROM episodes WHERE person = ?)", (person,))
            return sum(db.execute(f"DELETE FROM {table} WHERE person = ?", (person,)).rowcount
                       for table in ("turns", "episodes", "threads"))

    def export(self, person: str) -> dict[str, Any]:
        return {"episodes": [e.model_dump() for e in self.episodes(person, limit=10_000)],
                "threads": [t.model_dump() for t in self.threads(person)],
                "unfinished_conversation": [t.model_dump() for t in self.pending_turns(person)]}


def as_data(episodes: Iterable[Episode], threads: Iterable[Thread],
            room_names: dict[str, str], related: Iterable[Episode] = ()) -> dict[str, Any]:
    """Recent episodes, older ones about what was just said (`related`, found by meaning) and
    due threads for HOUSE DATA (all strings are data, never rules)."""
    from datetime import datetime

    def when(at: float) -> str:
        return datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M")

    def entry(e: Episode) -> dict[str, Any]:
        return {"when": when(e.ended), "room": room_names.get(e.room, e.room),
                "summary": e.summary, "how_they_seemed": e.mood}

    episodes = list(episodes)
    shown = {e.id for e in episodes}
    older = [entry(e) for e in related if e.id not in shown]
    return {
        "recent_conversations": [entry(e) for e in episodes],
        **({"related_conversations": older} if older else {}),
        "follow_up_now": [
            {"about": t.text, "since": when(t.created), "room": room_names.get(t.room, t.room)}
            for t in threads],
    }
