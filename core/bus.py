"""An asyncio publish/subscribe bus for typed events."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from samantha.events import BaseEvent

log = logging.getLogger(__name__)

E = TypeVar("E", bound=BaseEvent)
Handler = Callable[[Any], "Awaitable[None] | None"]


class EventBus:
    """Delivers each event to the subscribers of its class (and of its base classes).

    A subscriber that raises is logged and skipped: one bad listener must not stop the others.
    """

    def __init__(self) -> None:
        self._subscribers: list[tuple[type[BaseEvent], Handler]] = []
        self._pending: deque[BaseEvent] = deque()
        self._worker: asyncio.Task[None] | None = None

    def subscribe(self, event_type: type[E], handler: Callable[[E], Any]) -> Callable[[], None]:
        entry = (event_type, handler)
        self._subscribers.append(entry)
        return lambda: self._subscribers.remove(entry)

    async def publish(self, event: BaseEvent) -> None:
        """Deliver `event` and wait until every subscriber has handled it."""
        for event_type, handler in list(self._subscribers):
            if not isinstance(event, event_type):
                continue
            try:
                result = handler(event)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("event listener %r failed on %s", handler, event.type)  # type: ignore[attr-defined]

    def publish_soon(self, event: BaseEvent) -> None:
        """Deliver `event` later, in order, from code that cannot wait (e.g. a state callback).

        One worker task delivers queued events one after another: no task per event (state
        changes can arrive by the thousand) and listeners see them in the order they happened.
        """
        self._pending.append(event)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._deliver())

    async def _deliver(self) -> None:
        while self._pending:
            await self.publish(self._pending.popleft())

    async def drain(self) -> None:
        """Wait until every event published with publish_soon has been delivered."""
        while self._worker is not None and not self._worker.done():
            await asyncio.shield(self._worker)
