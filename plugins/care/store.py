"""The care plugin's tables, in the persona's memory file (one file holds what the house knows).

    interactions      what was done by voice: person, room, time, intent, devices (habits)
    night_states      which devices were on at the night check (habits: "left on every night")
    habit_decisions   a suggestion's answer: accepted (and the automation) or declined
    proactive         everything the house said (or held back) on its own, with the reason
    proactive_prefs   "don't ask me that": kinds a person never wants raised again
    heard             where and when each person was last heard
    feelings          a score per utterance from the stand-in low-mood signal (no text kept)

Each write is one transaction (the memory store's BEGIN IMMEDIATE).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from samantha.plugins.people.tables import Tables

SCHEMA = """
CREATE TABLE IF NOT EXISTS interactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person TEXT, room TEXT NOT NULL, at REAL NOT NULL, intent TEXT,
    said TEXT NOT NULL, commands TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS interactions_at ON interactions (at);
CREATE TABLE IF NOT EXISTS night_states (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, devices TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS habit_decisions (
    key TEXT PRIMARY KEY, person TEXT, decision TEXT NOT NULL, at REAL NOT NULL,
    automation TEXT
);
CREATE TABLE IF NOT EXISTS proactive (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, person TEXT, room TEXT,
    kind TEXT NOT NULL, key TEXT NOT NULL, reason TEXT NOT NULL, text TEXT NOT NULL,
    status TEXT NOT NULL, answer TEXT
);
CREATE INDEX IF NOT EXISTS proactive_key ON proactive (person, key);
CREATE TABLE IF NOT EXISTS proactive_prefs (
    person TEXT NOT NULL, kind TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (person, kind)
);
CREATE TABLE IF NOT EXISTS heard (person TEXT PRIMARY KEY, room TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS feelings (person TEXT NOT NULL, at REAL NOT NULL, score REAL NOT NULL);
"""



@dataclass(frozen=True)
class Interaction:
    person: str | None
    room: str
    at: float
    intent: str | None
    said: str
    commands: tuple[tuple[str, str, str], ...]  # (device, action, params as sorted JSON)


@dataclass(frozen=True)
class Utterance:
    """One row of the proactive log."""

    id: int
    at: float
    person: str | None
    room: str | None
    kind: str
    key: str
    reason: str
    text: str
    status: str
    answer: str | None

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at, "person": self.person, "room": self.room,
                "kind": self.kind, "key": self.key, "reason": self.reason, "text": self.text,
                "status": self.status, "answer": self.answer}


def command_key(device: str, action: str, params: dict[str, Any]) -> tuple[str, str, str]:
    return (device, action, json.dumps(params, sort_keys=True, default=str))


class CareStore(Tables):
    schema = SCHEMA

    def _write(self, sql: str, args: tuple[Any, ...]) -> int:
        self.db  # noqa: B018 - the tables exist before the write transaction starts
        with self.store.transaction() as db:
            return int(db.execute(sql, args).lastrowid or 0)

    # --- interactions -----------------------------------------------------------------------

    def log_turn(self, person: str | None, room: str, at: float,
                 interaction: Interaction | None) -> None:
        """Where the person was heard, and what they did, in one transaction (one disk wait)."""
        if person is None and interaction is None:
            return
        self.db  # noqa: B018 - the tables exist before the write transaction starts
        with self.store.transaction() as db:
            if person is not None:
                db.execute("INSERT OR REPLACE INTO heard (person, room, at) VALUES (?, ?, ?)",
                           (person, room, at))
            if interaction is not None:
                db.execute("INSERT INTO interactions (person, room, at, intent, said, commands) "
                           "VALUES (?, ?, ?, ?, ?, ?)",
                           (interaction.person, interaction.room, interaction.at,
                            interaction.intent, interaction.said,
                            json.dumps([list(c) for c in interaction.commands])))

    def interactions(self, since: float) -> list[Interaction]:
        rows = self.db.execute("SELECT person, room, at, intent, said, commands FROM "
                               "interactions WHERE at >= ? ORDER BY at, id", (since,))
        return [Interaction(r[0], r[1], r[2], r[3], r[4],
                            tuple(tuple(c) for c in json.loads(r[5])))  # type: ignore[misc]
                for r in rows]

    def log_night(self, at: float, devices: list[str]) -> None:
        self._write("INSERT INTO night_states (at, devices) VALUES (?, ?)",
                    (at, json.dumps(sorted(devices))))

    def nights(self, since: float) -> list[tuple[float, list[str]]]:
        rows = self.db.execute("SELECT at, devices FROM night_states WHERE at >= ? ORDER BY at",
                               (since,))
        return [(r[0], json.loads(r[1])) for r in rows]

    def prune(self, before: float) -> None:
        self.db  # noqa: B018
        with self.store.transaction() as db:
            db.execute("DELETE FROM interactions WHERE at < ?", (before,))
            db.execute("DELETE FROM night_states WHERE at < ?", (before,))
            db.execute("DELETE FROM feelings WHERE at < ?", (before,))

    # --- habit decisions --------------------------------------------------------------------

    def decision(self, key: str) -> str | None:
        row = self.db.execute("SELECT decision FROM habit_decisions WHERE key = ?",
                              (key,)).fetchone()
        return row[0] if row else None

    def decide(self, key: str, person: str | None, decision: str, at: float,
               automation: str | None = None) -> None:
        self._write("INSERT OR REPLACE INTO habit_decisions (key, person, decision, at, "
                    "automation) VALUES (?, ?, ?, ?, ?)", (key, person, decision, at, automation))

    def decisions(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, decision FROM habit_decisions"))

    # --- the proactive log ------------------------------------------------------------------

    def record(self, *, at: float, person: str | None, room: str | None, kind: str, key: str,
               reason: str, text: str, status: str) -> int:
        return self._write(
            "INSERT INTO proactive (at, person, room, kind, key, reason, text, status) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (at, person, room, kind, key, reason, text, status))

    def answer(self, utterance_id: int, answer: str) -> None:
        self._write("UPDATE proactive SET answer = ? WHERE id = ?", (answer, utterance_id))

    def has(self, person: str | None, key: str, status: str) -> bool:
        return self.db.execute(
            "SELECT 1 FROM proactive WHERE person IS ? AND key = ? AND status = ? LIMIT 1",
            (person, key, status)).fetchone() is not None

    def said_before(self, person: str | None, key: str) -> bool:
        """Raised already (and not put off with "not now", which asks to be asked later)."""
        return self.db.execute(
            "SELECT 1 FROM proactive WHERE person IS ? AND key = ? AND status = 'said' AND "
            "(answer IS NULL OR answer <> 'not now') LIMIT 1", (person, key)).fetchone() is not None

    def said_kind_between(self, person: str | None, kind: str, start: float, end: float) -> bool:
        return self.db.execute(
            "SELECT 1 FROM proactive WHERE person IS ? AND kind = ? AND status = 'said' AND "
            "at >= ? AND at < ? LIMIT 1", (person, kind, start, end)).fetchone() is not None

    def said_since(self, person: str | None, since: float) -> int:
        row = self.db.execute("SELECT COUNT(*) FROM proactive WHERE person IS ? AND at >= ? "
                              "AND status = 'said'", (person, since)).fetchone()
        return int(row[0])

    def log(self, limit: int = 100, person: str | None = None) -> list[Utterance]:
        where, args = ("WHERE person = ?", (person,)) if person else ("", ())
        rows = self.db.execute(
            "SELECT id, at, person, room, kind, key, reason, text, status, answer FROM "
            f"proactive {where} ORDER BY at DESC, id DESC LIMIT ?", (*args, limit))
        return [Utterance(*r) for r in rows][::-1]

    # --- "don't ask me that" ----------------------------------------------------------------

    def never(self, person: str | None, kind: str, at: float) -> None:
        self._write("INSERT OR REPLACE INTO proactive_prefs (person, kind, at) VALUES (?, ?, ?)",
                    (person or "", kind, at))

    def refused(self, person: str | None, kind: str) -> bool:
        return self.db.execute("SELECT 1 FROM proactive_prefs WHERE person = ? AND kind = ?",
                               (person or "", kind)).fetchone() is not None

    # --- who was heard where ----------------------------------------------------------------

    def last_heard(self, person: str) -> tuple[str, float] | None:
        row = self.db.execute("SELECT room, at FROM heard WHERE person = ?", (person,)).fetchone()
        return (row[0], row[1]) if row else None

    def feel(self, person: str, at: float, score: float) -> None:
        self._write("INSERT INTO feelings (person, at, score) VALUES (?, ?, ?)",
                    (person, at, score))

    def feelings(self, person: str, start: float, end: float) -> list[float]:
        rows = self.db.execute("SELECT score FROM feelings WHERE person = ? AND at >= ? AND "
                               "at < ? ORDER BY at", (person, start, end))
        return [r[0] for r in rows]

    # --- a person's data --------------------------------------------------------------------

    def export(self, person: str) -> dict[str, Any]:
        """What the care tables hold about a person (for `samantha memory export --person`)."""
        def rows(sql: str) -> list[dict[str, Any]]:
            cur = self.db.execute(sql, (person,))
            names = [c[0] for c in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

        return {"interactions": rows("SELECT room, at, intent, said, commands FROM interactions "
                                     "WHERE person = ? ORDER BY at"),
                "habit_decisions": rows("SELECT key, decision, at, automation FROM "
                                        "habit_decisions WHERE person = ? ORDER BY at"),
                "raised_with_them": rows("SELECT at, room, kind, reason, text, status, answer "
                                         "FROM proactive WHERE person = ? ORDER BY at"),
                "dont_ask": rows("SELECT kind, at FROM proactive_prefs WHERE person = ?"),
                "last_heard": rows("SELECT room, at FROM heard WHERE person = ?"),
                "feeling_scores": rows("SELECT at, score FROM feelings WHERE person = ? "
                                       "ORDER BY at")}

    # --- erasing a person -------------------------------------------------------------------

    def forget(self, person: str) -> int:
        self.db  # noqa: B018 - a file that never had these tables gets them (empty)
        gone = 0
        with self.store.transaction() as db:
            for table in ("interactions", "habit_decisions", "proactive", "heard", "feelings"):
                gone += db.execute(f"DELETE FROM {table} WHERE person = ?", (person,)).rowcount
            gone += db.execute("DELETE FROM proactive_prefs WHERE person = ?",
                               (person,)).rowcount
        return gone
