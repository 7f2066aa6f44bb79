"""An asyncio publish/subscribe bus for typed events."""

from __future__ import annotations

import asyncio
import inspect
import logging
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
        self._tasks: set[asyncio.Task[None]] = set()

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
        """Deliver `event` from synchronous code running inside the event loop."""
        task = asyncio.get_running_loop().create_task(self.publish(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for events published with publish_soon."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
