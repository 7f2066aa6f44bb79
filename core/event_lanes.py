"""Delivers bus events to each plugin's `samantha_event` hook in a lane of its own.

A plugin that is slow or hangs holds up only its own lane: the sentence that published the
event waits a moment (`patience`) for fast plugins, so their effects are in place as before,
then goes on. A lane keeps its plugin's events in order and has a bounded backlog. A failure
report (`plugin_failed`) is never delivered to the plugin it is about, and failures while
delivering one are not reported again: a plugin that raises on every event cannot make a loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import inspect
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from samantha.deadline import within
from samantha.events import BaseEvent, PluginFailed

if TYPE_CHECKING:
    import pluggy

    from samantha.plugin_host import PluginHost

HOOK = "samantha_event"
MAX_BACKLOG = 1000  # events waiting for one plugin; older ones are dropped beyond this

delivering_failure_report: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "delivering_failure_report", default=False)


class BacklogFull(Exception):
    """A plugin's lane was full: it fell too far behind the house's events."""


class _Lane:
    def __init__(self, impl: pluggy.HookImpl) -> None:
        self.impl = impl
        self.pending: deque[tuple[BaseEvent, asyncio.Future[None]]] = deque()
        self.worker: asyncio.Task[None] | None = None
        self.busy = False
        self.dropped = 0

    @property
    def idle(self) -> bool:
        return not self.busy and not self.pending


class EventLanes:
    def __init__(self, host: PluginHost, house: Any, patience: float = 0.25) -> None:
        self.host = host
        self.house = house
        self.patience = patience
        self._lanes: dict[str, _Lane] = {}

    async def deliver(self, event: BaseEvent) -> None:
        """Give `event` to every plugin; wait up to `patience` for the idle ones to finish.

        An idle plugin's hook is called right here, as a plain hook call would be (a sync hook
        has done its work before the publisher goes on); only what it leaves to await, or an
        event for a plugin still busy with an earlier one, moves to the plugin's lane.
        """
        waits: list[asyncio.Future[None]] = []
        loop = asyncio.get_running_loop()
        for impl in self.host._impls(HOOK):
            if isinstance(event, PluginFailed) and event.plugin == impl.plugin_name:
                continue  # telling a broken plugin it broke is how feedback loops start
            lane = self._lanes.get(impl.plugin_name)
            if lane is None or lane.impl is not impl:
                lane = self._lanes[impl.plugin_name] = _Lane(impl)
            done = loop.create_future()
            if lane.idle and (lane.worker is None or lane.worker.done()):
                pending = self._start(lane, event)
                if pending is None:
                    continue
                lane.busy = True
                lane.worker = loop.create_task(self._finish(lane, event, pending, done))
                waits.append(done)
                continue
            if len(lane.pending) >= MAX_BACKLOG:
                _, oldest = lane.pending.popleft()
                oldest.set_result(None)
                lane.dropped += 1
                if lane.dropped == 1:
                    self.host.report(impl.plugin_name, HOOK, BacklogFull(
                        f"more than {MAX_BACKLOG} events waiting; dropping the oldest"))
            lane.pending.append((event, done))
            if lane.worker is None or lane.worker.done():
                lane.worker = loop.create_task(self._run(lane))
        if waits:
            await asyncio.wait(waits, timeout=self.patience)

    def _start(self, lane: _Lane, event: BaseEvent) -> Awaitable[Any] | None:
        """Call the hook; what it returned to await, or None when it is done (or failed)."""
        token = delivering_failure_report.set(isinstance(event, PluginFailed))
        started = time.monotonic()
        try:
            result = lane.impl.function(*[{"house": self.house, "event": event}[a]
                                          for a in lane.impl.argnames])
        except Exception as err:
            self.host._fail(lane.impl, HOOK, err)
            return None
        finally:
            delivering_failure_report.reset(token)
        if inspect.isawaitable(result):
            return result
        self.host._checked(lane.impl, HOOK, result, started)
        return None

    async def _finish(self, lane: _Lane, event: BaseEvent, pending: Awaitable[Any],
                      done: asyncio.Future[None]) -> None:
        await self._deliver(lane, event, done, lambda: pending)
        await self._run(lane)  # events that arrived meanwhile

    async def _run(self, lane: _Lane) -> None:
        """Deliver, in order, the events that arrived while the plugin was busy."""
        while lane.pending:
            event, done = lane.pending.popleft()
            if lane.impl.plugin_name in self.host.disabled:
                if not done.done():
                    done.set_result(None)
                continue
            lane.busy = True
            await self._deliver(lane, event, done, functools.partial(self._start, lane, event))

    async def _deliver(self, lane: _Lane, event: BaseEvent, done: asyncio.Future[None],
                       start: Callable[[], Awaitable[Any] | None]) -> None:
        """Run one delivery within the budget (as a failure report when it is one), report a
        failure, and free the lane."""
        token = delivering_failure_report.set(isinstance(event, PluginFailed))
        try:
            pending = start()
            if pending is not None:
                await within(pending, self.host.hook_timeout)
        except Exception as err:
            self.host._fail(lane.impl, HOOK, err)
        finally:
            delivering_failure_report.reset(token)
            lane.busy = False
            if not done.done():
                done.set_result(None)

    async def drain(self, timeout: float) -> None:
        """Wait (up to `timeout`) for every lane to deliver what it holds."""
        workers = [lane.worker for lane in self._lanes.values()
                   if lane.worker is not None and not lane.worker.done()]
        if workers:
            await asyncio.wait(workers, timeout=timeout)

    async def close(self, timeout: float) -> None:
        await self.drain(timeout)
        for lane in self._lanes.values():
            if lane.worker is not None and not lane.worker.done():
                lane.worker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await lane.worker
