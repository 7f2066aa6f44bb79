"""A bounded, persistent FIFO of QoS1 commands waiting for the broker's PUBACK.

Every command goes through here (not only those issued while disconnected) so that a command
whose PUBACK was lost in a broker or Samantha crash is still on disk and is sent again.
Rows are removed only once the broker acknowledged them.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    topic TEXT NOT NULL,
    payload BLOB NOT NULL,
    qos INTEGER NOT NULL,
    retain INTEGER NOT NULL,
    created REAL NOT NULL
)
"""


class OutboxFullError(RuntimeError):
    """The outbox holds max_size commands already; the new one was refused, not dropped."""


@dataclass(frozen=True)
class OutboxItem:
    id: str
    seq: int
    topic: str
    payload: bytes
    qos: int
    retain: bool
    created: float


class Outbox:
    """SQLite (WAL) queue; use from one thread (the asyncio loop)."""

    def __init__(self, path: Path | str, max_size: int = 1000) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        self.path = Path(path)
        self.max_size = max_size
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a process crash (what a restart test exercises); only a
        # power cut may lose the last commits, which is not worth an fsync per light command.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)
        self._count = int(self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])

    def put(self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False) -> OutboxItem:
        """Append a command; raises OutboxFullError when the outbox is full."""
        if self._count >= self.max_size:
            raise OutboxFullError(
                f"MQTT outbox is full ({self.max_size} commands waiting for the broker); "
                f"command for {topic!r} refused"
            )
        item_id = uuid.uuid4().hex
        created = time.time()
        cur = self._db.execute(
            "INSERT INTO outbox (id, topic, payload, qos, retain, created) VALUES (?,?,?,?,?,?)",
            (item_id, topic, payload, qos, int(retain), created),
        )
        self._count += 1
        return OutboxItem(item_id, int(cur.lastrowid or 0), topic, payload, qos, retain, created)

    def head(self) -> OutboxItem | None:
        """The oldest command, or None."""
        row = self._db.execute(
            "SELECT id, seq, topic, payload, qos, retain, created FROM outbox "
            "ORDER BY seq LIMIT 1"
        ).fetchone()
        return _item(row) if row else None

    def items(self) -> list[OutboxItem]:
        """All waiting commands, oldest first."""
        rows = self._db.execute(
            "SELECT id, seq, topic, payload, qos, retain, created FROM outbox ORDER BY seq"
        ).fetchall()
        return [_item(row) for row in rows]

    def remove(self, item_id: str) -> bool:
        """Forget an acknowledged command; False if it was not there."""
        cur = self._db.execute("DELETE FROM outbox WHERE id = ?", (item_id,))
        if cur.rowcount:
            self._count -= 1
        return cur.rowcount > 0

    def __len__(self) -> int:
        return self._count

    def close(self) -> None:
        self._db.close()


def _item(row: tuple) -> OutboxItem:
    item_id, seq, topic, payload, qos, retain, created = row
    return OutboxItem(item_id, seq, topic, bytes(payload), qos, bool(retain), created)
