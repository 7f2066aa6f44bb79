"""Time for automations: the real clock, and a fake one tests can move by hand."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from datetime import datetime, timedelta, tzinfo
from typing import Protocol

# A real sleep towards a wall-clock time is cut into slices so that a clock change (NTP, DST,
# suspend) is noticed within this long.
_WALL_SLICE_S = 30.0


class Clock(Protocol):
    """What automations need from time; the engine never calls time or asyncio directly."""

    def now(self) -> datetime:
        """The current local time, timezone-aware."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for durations)."""

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds`."""

    async def sleep_until(self, when: datetime) -> None:
        """Wait until the wall clock reaches `when`."""


class SystemClock:
    def __init__(self, tz: tzinfo | None = None) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(self.tz).astimezone(self.tz)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    async def sleep_until(self, when: datetime) -> None:
        while True:
            left = (when - self.now()).total_seconds()
            if left <= 0:
                return
            await asyncio.sleep(min(left, _WALL_SLICE_S))


class FakeClock:
    """A clock that stands still until `await clock.advance(seconds)` moves it.

    Sleepers whose deadline is passed wake in deadline order, each seeing the clock at its own
    deadline, and the loop runs between wake-ups so that what they do next (a new sleep, an
    action) happens at the right fake time.
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start time")
        self._now = start
        self._mono = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._mono + seconds, next(self._seq), fut))
        await fut

    async def sleep_until(self, when: datetime) -> None:
        await self.sleep((when - self._now).total_seconds())

    async def advance(self, seconds: float) -> None:
        target = self._mono + seconds
        await _settle()
        while self._sleepers and self._sleepers[0][0] <= target:
            deadline, _, fut = heapq.heappop(self._sleepers)
            self._set(deadline)
            if not fut.done():
                fut.set_result(None)
            await _settle()
        self._set(target)
        await _settle()

    async def advance_to(self, when: datetime) -> None:
        await self.advance((when - self._now).total_seconds())

    def _set(self, mono: float) -> None:
        self._now += timedelta(seconds=mono - self._mono)
        self._mono = mono


async def _settle(rounds: int = 20) -> None:
    # Several loop turns: a woken task may await a few already-finished things before it sleeps
    # again or acts.
    for _ in range(rounds):
        await asyncio.sleep(0)
