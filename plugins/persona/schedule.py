"""Timers, reminders and one-shot scheduled actions: asyncio tasks that fire when due.

They live in memory: a restart forgets them (the persona says so when asked to plan far ahead).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

log = logging.getLogger(__name__)


@dataclass
class Scheduled:
    id: int
    kind: str  # timer, reminder, action
    room: str
    due: float
    text: str
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    def public(self) -> dict[str, object]:
        return {"id": self.id, "kind": self.kind, "room": self.room, "text": self.text,
                "in_seconds": max(0, round(self.due - time.time()))}


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


class Scheduler:
    def __init__(self) -> None:
        self.items: dict[int, Scheduled] = {}
        self._ids = itertools.count(1)

    def add(self, kind: str, room: str, delay: float, text: str,
            fire: Callable[[], Awaitable[None]]) -> Scheduled:
        item = Scheduled(id=next(self._ids), kind=kind, room=room, due=time.time() + delay,
                         text=text)

        async def wait_and_fire() -> None:
            await asyncio.sleep(delay)
            self.items.pop(item.id, None)
            try:
                await fire()
            except Exception:
                log.exception("scheduled %s %r failed", kind, text)

        item.task = asyncio.get_running_loop().create_task(wait_and_fire())
        self.items[item.id] = item
        return item

    def pending(self) -> list[Scheduled]:
        return sorted(self.items.values(), key=lambda s: s.due)

    async def close(self) -> None:
        tasks = [i.task for i in self.items.values() if i.task is not None]
        self.items.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
