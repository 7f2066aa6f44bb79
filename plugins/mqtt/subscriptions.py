"""Subscriptions of MqttClient: the pattern table, SUBACK bookkeeping and message dispatch.

A mixin, like asyncio_bridge.SelectorBridge: MqttClient owns the connection, this part owns
who receives which message. Patterns are validated before they are registered (topics.py):
a malformed SUBSCRIBE makes the broker drop the whole connection.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as paho

from samantha.plugins.mqtt.errors import ClientHealth, MqttDisconnectedError, MqttRefusedError
from samantha.plugins.mqtt.topics import topic_problem

log = logging.getLogger("samantha.plugins.mqtt.client")  # one logger for the client's parts


@dataclass(frozen=True)
class Message:
    """An inbound MQTT message."""

    topic: str
    payload: bytes
    qos: int = 0
    retain: bool = False

    @property
    def text(self) -> str:
        return self.payload.decode("utf-8", errors="replace")


MessageCallback = Callable[[Message], Awaitable[None] | None]


class Subscription:
    """Handle returned by `MqttClient.subscribe`; `await sub.cancel()` to stop receiving."""

    def __init__(self, client: SubscriptionTable, pattern: str, callback: MessageCallback) -> None:
        self.client = client
        self.pattern = pattern
        self.callback = callback

    @property
    def refused(self) -> str | None:
        """Why the broker refused this subscription (a SUBACK failure), if it did."""
        return self.client.health_state.refused_subscriptions.get(self.pattern)

    async def cancel(self) -> None:
        self.client._unsubscribe(self)

    def cancel_nowait(self) -> None:
        """Stop receiving; the UNSUBSCRIBE is written at once, its UNSUBACK not awaited."""
        self.client._unsubscribe(self)


@dataclass
class _SubEntry:
    pattern: str
    qos: int
    callbacks: list[MessageCallback]




class SubscriptionTable:
    """Mixin of MqttClient; needs the attributes declared below."""

    _subs: dict[str, _SubEntry]
    _exact: dict[str, _SubEntry]
    _wild: dict[str, _SubEntry]
    _client: paho.Client | None
    _loop: asyncio.AbstractEventLoop | None
    _tasks: set[asyncio.Task[Any]]
    health_state: ClientHealth
    on_subscription_refused: list[Callable[[str, str], None]]

    def _register(
        self, pattern: str, callback: MessageCallback, qos: int
    ) -> tuple[Subscription, bool]:
        problem = topic_problem(pattern, wildcards=True)
        if problem is not None:
            raise MqttRefusedError(f"cannot subscribe to {_short(pattern)}: {problem}")
        sub = Subscription(self, pattern, callback)
        entry = self._subs.get(pattern)
        if entry is not None:
            entry.callbacks.append(callback)
            return sub, False
        entry = _SubEntry(pattern, qos, [callback])
        self._subs[pattern] = entry
        (self._wild if ("+" in pattern or "#" in pattern) else self._exact)[pattern] = entry
        return sub, True

    @staticmethod
    def _paho_subscribe(client: paho.Client, topics: list[tuple[str, int]]) -> tuple[Any, Any]:
        try:
            return client.subscribe(topics)
        except ValueError as exc:
            # Every pattern was validated before, so this is paho disagreeing: refuse the
            # operation here rather than let the exception end the connection set-up.
            raise MqttRefusedError(f"subscribe refused by paho: {exc}") from None

    def _suback_done(self, topics: list[tuple[str, int]], fut: asyncio.Future[Any]) -> None:
        if not fut.cancelled() and fut.exception() is None:
            self._record_subacks(topics, fut.result())
        # A lost connection: the subscription is sent again on reconnect.

    def _record_subacks(self, topics: list[tuple[str, int]], codes: list[Any]) -> None:
        refused = self.health_state.refused_subscriptions
        for (pattern, _), code in zip(topics, codes, strict=False):
            if not getattr(code, "is_failure", False):
                refused.pop(pattern, None)
                continue
            if pattern not in self._subs:
                continue  # cancelled meanwhile
            if pattern not in refused:
                log.error("MQTT broker refused subscription to %s: %s", _short(pattern), code)
                for listener in self.on_subscription_refused:
                    listener(pattern, str(code))
            refused[pattern] = str(code)

    def _unsubscribe(self, sub: Subscription) -> None:
        entry = self._subs.get(sub.pattern)
        if entry is None or sub.callback not in entry.callbacks:
            return
        entry.callbacks.remove(sub.callback)
        if entry.callbacks:
            return
        del self._subs[sub.pattern]
        self.health_state.refused_subscriptions.pop(sub.pattern, None)
        self._exact.pop(sub.pattern, None)
        self._wild.pop(sub.pattern, None)
        client = self._client
        if client is not None:  # also while connecting, for the reason given in subscribe
            client.unsubscribe(sub.pattern)
            client.loop_write()

    def _on_message(self, _c: paho.Client, _u: Any, msg: paho.MQTTMessage) -> None:
        try:
            topic = msg.topic
        except UnicodeDecodeError:
            return  # a broker must not forward such a topic; nobody could match it anyway
        message = Message(topic, msg.payload, msg.qos, bool(msg.retain))
        entry = self._exact.get(message.topic)
        if entry is not None:
            for callback in list(entry.callbacks):
                self._invoke(callback, message)
        for pattern, entry in list(self._wild.items()):
            if paho.topic_matches_sub(pattern, message.topic):
                for callback in list(entry.callbacks):
                    self._invoke(callback, message)

    def _invoke(self, callback: Callable[..., Any], *args: Any) -> None:
        try:
            result = callback(*args)
        except Exception:
            log.exception("MQTT callback %r failed", callback)
            return
        if inspect.isawaitable(result):
            assert self._loop is not None
            task = self._loop.create_task(result)  # type: ignore[arg-type]
            self._tasks.add(task)
            task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled() or task.exception() is None:
            return
        error = task.exception()
        if isinstance(error, MqttDisconnectedError):
            # A reply published while the broker restarts: the lost connection is already
            # logged once, and a traceback per answer in flight would only add noise.
            log.info("MQTT callback could not answer: %s", error)
            return
        log.error("MQTT callback task failed", exc_info=error)




def _short(topic: str, limit: int = 80) -> str:
    text = repr(topic)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(topic)} chars)"

