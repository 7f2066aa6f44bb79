"""A bounded, persistent FIFO of QoS1 commands waiting for the broker's PUBACK.

Every command goes through here (not only those issued while disconnected) so that a command
whose PUBACK was lost in a broker or Samantha crash is still on disk and is sent again.
Rows are removed only once the broker acknowledged them.

A command that would act twice if it arrived twice ("press", "next track") is put with
repeatable=False: it is marked attempted on disk before it is written to the socket, and an
attempted one whose PUBACK never came is not sent again (at most once), neither by this
process nor after a restart; its sender is told its fate is unknown.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
import uuid
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    topic TEXT NOT NULL,
    payload BLOB NOT NULL,
    qos INTEGER NOT NULL,
    retain INTEGER NOT NULL,
    created REAL NOT NULL,
    repeatable INTEGER NOT NULL DEFAULT 1,
    attempted INTEGER NOT NULL DEFAULT 0
)
"""
_COLUMNS = "id, seq, topic, payload, qos, retain, created, repeatable, attempted"


class OutboxBusyError(RuntimeError):
    """Another process has the outbox open; two senders would deliver its commands twice."""


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
    repeatable: bool = True  # sending it twice acts once (absolute: "set to 40 %")
    attempted: bool = False  # written to a socket at least once


class Outbox:
    """SQLite (WAL) queue; use from one thread (the asyncio loop).

    The file is written on every put and remove; reads come from an in-memory mirror loaded
    at open, since this process is the file's only writer and a read per command adds up.
    """

    def __init__(self, path: Path | str, max_size: int = 1000) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        self.path = Path(path)
        self.max_size = max_size
        self._lock_fd: int | None = None
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock_fd = _lock(self.path)
        self._db = sqlite3.connect(str(path), isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a process crash (what a restart test exercises); only a
        # power cut may lose the last commits, which is not worth an fsync per light command.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)
        have = {row[1] for row in self._db.execute("PRAGMA table_info(outbox)")}
        for column, default in (("repeatable", 1), ("attempted", 0)):
            if column not in have:  # a file written by an older version
                self._db.execute(
                    f"ALTER TABLE outbox ADD COLUMN {column} INTEGER NOT NULL DEFAULT {default}"
                )
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM outbox ORDER BY seq").fetchall()
        self._items: deque[OutboxItem] = deque(_item(row) for row in rows)

    def put(
        self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False,
        repeatable: bool = True,
    ) -> OutboxItem:
        """Append a command; raises OutboxFullError when the outbox is full."""
        if len(self._items) >= self.max_size:
            raise OutboxFullError(
                f"MQTT outbox is full ({self.max_size} commands waiting for the broker); "
                f"command for {topic!r} refused"
            )
        item_id = uuid.uuid4().hex
        created = time.time()
        cur = self._db.execute(
            "INSERT INTO outbox (id, topic, payload, qos, retain, created, repeatable) "
            "VALUES (?,?,?,?,?,?,?)",
            (item_id, topic, payload, qos, int(retain), created, int(repeatable)),
        )
        item = OutboxItem(item_id, int(cur.lastrowid or 0), topic, payload, qos, retain, created,
                          repeatable)
        self._items.append(item)
        return item

    def head(self) -> OutboxItem | None:
        """The oldest command, or None."""
        return self._items[0] if self._items else None

    def items(self) -> list[OutboxItem]:
        """All waiting commands, oldest first."""
        return list(self._items)

    def mark_attempted(self, item: OutboxItem) -> OutboxItem:
        """Record, before it is written to the socket, that `item` is being sent."""
        if item.attempted:
            return item
        self._db.execute("UPDATE outbox SET attempted = 1 WHERE id = ?", (item.id,))
        marked = replace(item, attempted=True)
        self._items = deque(marked if i.id == item.id else i for i in self._items)
        return marked

    def remove(self, item_id: str) -> bool:
        """Forget an acknowledged command; False if it was not there."""
        cur = self._db.execute("DELETE FROM outbox WHERE id = ?", (item_id,))
        if self._items and self._items[0].id == item_id:
            self._items.popleft()
        else:
            self._items = deque(i for i in self._items if i.id != item_id)
        return cur.rowcount > 0

    def __len__(self) -> int:
        return len(self._items)

    def close(self) -> None:
        self._db.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the lock
            self._lock_fd = None


def _lock(path: Path) -> int:
    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise OutboxBusyError(
            f"the MQTT outbox {path} is in use by another running Samantha; give this one "
            "its own mqtt.outbox_path (and client_id)"
        ) from None
    return fd


def _item(row: tuple) -> OutboxItem:
    item_id, seq, topic, payload, qos, retain, created, repeatable, attempted = row
    return OutboxItem(item_id, seq, topic, bytes(payload), qos, bool(retain), created,
                      bool(repeatable), bool(attempted))
