"""Writes that need not hold up a reply: how people seem and the relationship with them.

Every turn updates both, and each write to the memory file is a transaction with a full
fsync (about 7 ms here): two of them before the prompt would eat the persona's whole 20 ms
budget for the first spoken sentence. Callers keep the current value in memory and queue the
SQL here; the queue is written in one transaction as soon as the event loop is free (while
the model thinks), and at shutdown. A crash loses at most the estimates of the last moment,
never a memory, a conversation turn or a timer (those still write at once).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .memory import MemoryStore

log = logging.getLogger(__name__)


class WriteBehind:
    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self._queue: list[tuple[str, tuple[Any, ...]]] = []
        self._scheduled = False

    def write(self, sql: str, args: tuple[Any, ...]) -> None:
        self._queue.append((sql, args))
        if self._scheduled:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (the CLI): write now
            self.flush()
            return
        self._scheduled = True
        loop.call_soon(self.flush)

    def flush(self) -> None:
        self._scheduled = False
        queue, self._queue = self._queue, []
        if not queue:
            return
        try:
            with self.store.transaction() as db:
                for sql, args in queue:
                    db.execute(sql, args)
        except Exception as err:  # estimates only: log and go on
            log.warning("could not save how people seem / the relationship (%d change(s)): %s",
                        len(queue), err)
