"""Tables of one's own in the persona's memory file (SQLite), created on first use.

The people, persona and care plugins each keep a few tables in that one file; each store
subclasses `Tables`, names its `schema` (CREATE ... IF NOT EXISTS statements) and reaches the
connection through `db`, which makes sure its tables exist first.
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from typing import ClassVar, Protocol


class Database(Protocol):
    """The persona's memory store: one connection and write transactions (BEGIN IMMEDIATE)."""

    @property
    def db(self) -> sqlite3.Connection: ...

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...


class Tables:
    schema: ClassVar[str] = ""

    def __init__(self, store: Database) -> None:
        self.store = store
        self._ready = False

    @property
    def db(self) -> sqlite3.Connection:
        db = self.store.db
        if not self._ready:
            db.executescript(self.schema)
            self._ready = True
        return db
