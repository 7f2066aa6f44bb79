"""Timers, reminders and one-shot scheduled actions: asyncio tasks that fire when due.

Every item is also a row in the persona's SQLite file (table `scheduled`, one transaction per
change), so a restart or a power cut loses nothing: the row is written before the task starts
and removed when the item fires or is cancelled. timers.py restores the rows at start-up.
A paused timer keeps its row with the seconds it had left (`paused`) and no waiting task.
Due times are wall-clock epoch seconds, because "at 18:00" must still mean 18:00 after a reboot.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from .memory import MemoryStore

log = logging.getLogger(__name__)

# "sentence": something said to be done later ("in 5 minutes turn off the lights"), run through
# the house's own understanding when due.
ItemKind = Literal["timer", "reminder", "action", "sentence"]
KINDS: tuple[ItemKind, ...] = ("timer", "reminder", "action", "sentence")
ACTS: frozenset[str] = frozenset({"action", "sentence"})  # change the house, never done late

# Sleep at most this long at a time and look at the wall clock again: asyncio's sleep follows
# the monotonic clock, which drifts from wall-clock time when the clock is set (NTP after boot)
# or the machine is suspended, and a reminder "at 18:00" must follow the wall clock.
WAKE_EVERY = 30.0

COLUMNS = "id, kind, room, due, text, command, person, source, created, duration, paused"


@dataclass
class Scheduled:
    id: int
    kind: ItemKind
    room: str
    due: float  # wall-clock epoch seconds
    text: str  # timer label, reminder message, or the action in words
    command: dict[str, Any] | None = None  # {device, action, params} for an action
    person: str | None = None  # who asked, when known
    source: str = "model"  # "model" (a tool call) or "said" (a local sentence)
    created: float = field(default_factory=time.time)
    duration: float | None = None  # seconds it was set for ("cancel the 5 minute timer")
    paused: float | None = None  # seconds left while paused; None while running
    saved: bool = True  # False: the database refused it, a restart would lose it
    task: asyncio.Task[None] | None = field(default=None, repr=False, compare=False)

    def remaining(self, now: float | None = None) -> float:
        if self.paused is not None:
            return self.paused
        return max(0.0, self.due - (time.time() if now is None else now))

    def set_for(self) -> float:
        """The length it was set for (rows from before `duration` existed: due - created)."""
        return self.duration if self.duration is not None else self.due - self.created

    def public(self) -> dict[str, object]:
        data: dict[str, object] = {
            "id": self.id, "kind": self.kind, "room": self.room, "text": self.text,
            "at": datetime.fromtimestamp(self.due).strftime("%Y-%m-%d %H:%M:%S"),
            "in_seconds": round(self.remaining())}
        if self.paused is not None:
            data["paused"] = True
        return data

    def listing(self) -> dict[str, Any]:
        """Everything stored, for `samantha persona status --json`."""
        return {"id": self.id, "kind": self.kind, "room": self.room, "due": self.due,
                "text": self.text, "command": self.command, "person": self.person,
                "source": self.source, "created": self.created, "duration": self.duration,
                "paused": self.paused}


def seconds_until(clock: str, now: datetime | None = None) -> float:
    """Seconds until the next HH:MM (today, or tomorrow when it has passed)."""
    now = now or datetime.now()
    hour, minute = (int(p) for p in clock.split(":"))
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ValueError(f"{clock!r} is not a time of day")
    target = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if target <= now:
        target += timedelta(days=1)
    return (target - now).total_seconds()


Fire = Callable[[Scheduled], Awaitable[None]]


class Scheduler:
    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.items: dict[int, Scheduled] = {}
        self._unsaved_ids = itertools.count(-1, -1)  # never collide with database ids
        self._background: set[asyncio.Task[None]] = set()

    # --- the database -------------------------------------------------------------------------

    def stored(self) -> list[Scheduled]:
        """Every item in the database, soonest first (also what other processes scheduled)."""
        rows = self.store.db.execute(f"SELECT {COLUMNS} FROM scheduled ORDER BY due, id")
        return [Scheduled(id=r[0], kind=r[1], room=r[2], due=r[3], text=r[4],
                          command=json.loads(r[5]) if r[5] else None, person=r[6],
                          source=r[7], created=r[8], duration=r[9], paused=r[10]) for r in rows]

    def _insert(self, item: Scheduled) -> int:
        with self.store.transaction() as db:
            cur = db.execute(
                "INSERT INTO scheduled (kind, room, due, text, command, person, source, created, "
                "duration, paused) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (item.kind, item.room, item.due, item.text,
                 json.dumps(item.command) if item.command is not None else None,
                 item.person, item.source, item.created, item.duration, item.paused))
            return int(cur.lastrowid or 0)

    def remove(self, item_id: int) -> bool:
        """Delete the row; True when it was there (False: fired, cancelled or never saved)."""
        if item_id < 0:
            return False
        try:
            with self.store.transaction() as db:
                return db.execute("DELETE FROM scheduled WHERE id = ?", (item_id,)).rowcount > 0
        except sqlite3.Error as err:
            log.warning("could not remove scheduled item %d: %s", item_id, err)
            return False

    def _still_wanted(self, item: Scheduled) -> bool:
        if not item.saved:
            return True
        try:
            row = self.store.db.execute("SELECT 1 FROM scheduled WHERE id = ?",
                                        (item.id,)).fetchone()
        except sqlite3.Error as err:
            log.warning("could not check scheduled item %d, firing it anyway: %s", item.id, err)
            return True
        return row is not None

    # --- running ------------------------------------------------------------------------------

    def add(self, kind: ItemKind, room: str, delay: float, text: str, fire: Fire, *,
            command: dict[str, Any] | None = None, person: str | None = None,
            source: str = "model") -> Scheduled:
        """Save the item (one transaction), then start waiting for it."""
        item = Scheduled(id=0, kind=kind, room=room, due=time.time() + delay, text=text,
                         command=command, person=person, source=source, duration=delay)
        try:
            item.id = self._insert(item)
        except sqlite3.Error as err:
            # Still keep it for this run: a timer that rings is better than none, and the
            # caller tells the person it would not survive a restart.
            log.error("could not save scheduled %s %r (kept until a restart): %s", kind, text, err)
            item.id, item.saved = next(self._unsaved_ids), False
        self.arm(item, fire)
        return item

    def arm(self, item: Scheduled, fire: Fire) -> None:
        """Wait for an item (new, or restored from the database) and fire it when due."""
        if item.paused is not None:
            self.items[item.id] = item  # listed, but nothing waits until it is resumed
            return

        async def wait_and_fire() -> None:
            while (remaining := item.due - time.time()) > 0:
                await asyncio.sleep(min(remaining, WAKE_EVERY))
            self.items.pop(item.id, None)
            if not self._still_wanted(item):
                log.info("scheduled %s %r was cancelled elsewhere; not firing", item.kind,
                         item.text)
                return
            if item.kind == "action":
                # Removed before acting: a crash right after must not make the next start
                # believe the action never happened.
                self.remove(item.id)
            try:
                await fire(item)
            except Exception:
                log.exception("scheduled %s %r failed", item.kind, item.text)
            # Speech is removed only once said: a crash (or a shutdown cancelling it) in
            # between repeats a reminder after the restart rather than losing it.
            self.remove(item.id)

        item.task = asyncio.get_running_loop().create_task(wait_and_fire())
        self.items[item.id] = item

    def cancel(self, item_id: int) -> bool:
        """Stop an item and delete its row; False when there is no such pending item.

        A row scheduled by another process is deleted too; that process checks the row
        before firing, so it stays quiet.
        """
        item = self.items.pop(item_id, None)
        removed = self.remove(item_id)
        if item is not None and item.task is not None:
            item.task.cancel()
        return item is not None or removed

    # --- changing a pending item ------------------------------------------------------------------

    def _save_times(self, item: Scheduled) -> bool:
        if not item.saved:
            return True
        try:
            with self.store.transaction() as db:
                return db.execute("UPDATE scheduled SET due = ?, paused = ? WHERE id = ?",
                                  (item.due, item.paused, item.id)).rowcount > 0
        except sqlite3.Error as err:
            log.error("could not save the new time of scheduled %s %r: %s", item.kind,
                      item.text, err)
            return False

    def _stop_waiting(self, item: Scheduled) -> None:
        if item.task is not None:
            item.task.cancel()
            item.task = None

    def pause(self, item: Scheduled) -> bool:
        """Stop the clock, keeping the time left (saved, so a restart keeps it paused)."""
        if item.paused is not None:
            return True
        self._stop_waiting(item)
        item.paused = item.remaining()
        return self._save_times(item)

    def resume(self, item: Scheduled, fire: Fire) -> bool:
        if item.paused is None:
            return True
        item.due, item.paused = time.time() + item.paused, None
        saved = self._save_times(item)
        self.arm(item, fire)
        return saved

    def shift(self, item: Scheduled, seconds: float, fire: Fire) -> bool:
        """Add (or with a negative number take) time; the caller keeps the result above zero."""
        if item.paused is not None:
            item.paused = max(0.0, item.paused + seconds)
            return self._save_times(item)
        self._stop_waiting(item)
        item.due += seconds
        saved = self._save_times(item)
        self.arm(item, fire)  # a fresh wait: the old one may be asleep past the new due time
        return saved

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Background work (late notices after a restart) that `close` cancels."""
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def pending(self) -> list[Scheduled]:
        now = time.time()
        return sorted(self.items.values(), key=lambda s: (s.remaining(now), s.id))

    async def close(self) -> None:
        """Stop waiting. The rows stay: the next start restores them."""
        tasks = [i.task for i in self.items.values() if i.task is not None]
        tasks += list(self._background)
        self.items.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
