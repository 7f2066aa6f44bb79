"""Knowing when the broker has sent every retained message for our subscriptions.

A broker handles one client's packets in order: the retained messages of a SUBSCRIBE are
queued to us before anything we publish afterwards is routed back to us. So a QoS1 marker
published to a topic we follow, once back, proves the retained burst before it has arrived.
That costs one round trip (~0.3 ms on a LAN) instead of guessing with a quiet period, which
matters for `samantha say`, where the whole start-up is on the user's clock.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from samantha.plugins.mqtt.client import Message, MqttClient, MqttError, Subscription

log = logging.getLogger(__name__)


class RetainedBarrier:
    """`await barrier.wait(timeout)` returns once earlier retained messages have arrived."""

    def __init__(self, client: MqttClient, topic: str) -> None:
        self.client = client
        self.topic = topic
        self._waiting: dict[bytes, asyncio.Future[None]] = {}
        self._sub: Subscription | None = None
        self._warned = False

    async def start(self) -> None:
        self._sub = await self.client.subscribe(self.topic, self._on_marker)

    async def stop(self) -> None:
        if self._sub is not None:
            await self._sub.cancel()
            self._sub = None

    async def wait(self, timeout: float) -> bool:
        """True when the marker came back in time; False (logged once) otherwise."""
        marker = uuid.uuid4().hex.encode()
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[marker] = fut
        try:
            await asyncio.wait_for(self._round_trip(marker, fut), timeout)
            return True
        except (TimeoutError, asyncio.TimeoutError, MqttError) as exc:
            if not self._warned:
                self._warned = True
                log.warning(
                    "MQTT: could not confirm the end of the broker's retained messages "
                    "(marker on %s: %s); going on with what arrived so far. If the broker "
                    "has an ACL, allow this client to read and write %s",
                    self.topic, exc or "timeout", self.topic,
                )
            return False
        finally:
            self._waiting.pop(marker, None)

    async def _round_trip(self, marker: bytes, fut: asyncio.Future[None]) -> None:
        await self.client.publish(self.topic, marker, qos=1)
        await fut

    def _on_marker(self, message: Message) -> None:
        fut = self._waiting.get(message.payload)
        if fut is not None and not fut.done():
            fut.set_result(None)
