"""Server-sent events: every open page gets turns, device states and room activity as they
happen. Each client has a small bounded queue; a page that stops reading loses its oldest
updates, never the house's memory or time."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

QUEUE = 256
KEEPALIVE_S = 15.0
MAX_CLIENTS = 64


class Broadcaster:
    def __init__(self) -> None:
        self.clients: set[asyncio.Queue[str | None]] = set()
        self.sent = 0

    def close(self) -> None:
        """End every stream (the server is stopping; open pages reconnect later)."""
        for queue in list(self.clients):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(None)

    def send(self, kind: str, data: dict[str, Any]) -> None:
        if not self.clients:
            return
        frame = f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"
        for queue in list(self.clients):
            if queue.full():  # a stalled page loses its oldest update, not the house's memory
                queue.get_nowait()
            queue.put_nowait(frame)
            self.sent += 1

    async def stream(self) -> AsyncIterator[str]:
        queue: asyncio.Queue[str | None] = asyncio.Queue(QUEUE)
        self.clients.add(queue)
        try:
            yield "retry: 1000\n\n"
            while True:
                try:
                    frame = await asyncio.wait_for(queue.get(), KEEPALIVE_S)
                except asyncio.TimeoutError:
                    frame = ": keepalive\n\n"
                if frame is None:
                    return
                yield frame
        finally:
            self.clients.discard(queue)
