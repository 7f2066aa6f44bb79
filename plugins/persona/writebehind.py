"""Writes that need not hold up a reply: how people seem and the relationship with them.

Every turn updates both, and a transaction on the memory file ends with a full fsync (about
7 ms here): two of them before the prompt would eat the persona's whole 20 ms budget for the
first spoken sentence, and even one on the event loop delays whatever comes next. Callers keep
the current value in memory and queue the SQL here; a worker thread writes the queue in one
transaction on its own connection (WAL lets the house keep reading meanwhile). `flush` writes
what is left on the caller's connection, after any write in flight: at shutdown, before
forgetting a person (a late write must not bring them back) and before reading the event log.
A crash loses at most the estimates of the last moment, never a memory, a conversation turn or
a timer (those still write at once).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .memory import MemoryStore

log = logging.getLogger(__name__)

Write = tuple[str, tuple[Any, ...]]


class WriteBehind:
    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self._queue: list[Write] = []
        self._queue_lock = threading.Lock()  # held for microseconds: append / take
        self._write_lock = threading.Lock()  # held while a batch is written
        self._task: asyncio.Task[None] | None = None

    def write(self, sql: str, args: tuple[Any, ...]) -> None:
        with self._queue_lock:
            self._queue.append((sql, args))
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (the CLI): write now
            self.flush()
            return
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._drain())

    def _take(self) -> list[Write]:
        with self._queue_lock:
            queue, self._queue = self._queue, []
        return queue

    async def _drain(self) -> None:
        while self._queue:
            await asyncio.to_thread(self._write_in_thread)

    def _write_in_thread(self) -> None:
        with self._write_lock:
            queue = self._take()
            if not queue:
                return
            try:
                db = sqlite3.connect(self.store.path, isolation_level=None, timeout=2)
                try:
                    db.execute("PRAGMA synchronous=FULL")
                    db.execute("BEGIN IMMEDIATE")
                    for sql, args in queue:
                        db.execute(sql, args)
                    db.execute("COMMIT")
                finally:
                    db.close()
            except Exception as err:  # estimates only: log and go on
                log.warning("could not save how people seem / the relationship (%d change(s))"
                            ": %s", len(queue), err)

    def flush(self) -> None:
        """Write everything queued now, on the store's own connection (after any batch in
        flight has finished)."""
        with self._write_lock:
            queue = self._take()
            if not queue:
                return
            try:
                with self.store.transaction() as db:
                    for sql, args in queue:
                        db.execute(sql, args)
            except Exception as err:
                log.warning("could not save how people seem / the relationship (%d change(s))"
                            ": %s", len(queue), err)

    async def close(self) -> None:
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task
        self.flush()
