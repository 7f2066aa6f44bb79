"""`MqttClient`: paho-mqtt 2.x driven by the asyncio loop.

Loop integration: paho's socket callbacks feed the socket to the asyncio selector
(add_reader/add_writer), so paho reads, writes and calls our callbacks in the loop thread.
We chose this over paho's threaded loop + call_soon_threadsafe because every inbound message
would otherwise cross threads: a self-pipe write to wake the loop, a GIL hand-over and a second
selector wake-up per message, which costs more than the whole loopback round trip (~0.2 ms).
Here a PUBACK or a state message resolves its future in the same callback that read it.

A new paho client is built for each connection attempt on purpose: paho keeps its own
in-memory queue of unacknowledged messages and replays it on reconnect, which would duplicate
what our persistent outbox replays. The outbox is the single source of redelivery.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
import ssl
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from samantha.plugins.mqtt.asyncio_bridge import SelectorBridge
from samantha.plugins.mqtt.errors import (
    ClientHealth,
    MqttAuthError,
    MqttConnectError,
    MqttDisconnectedError,
    MqttError,
    MqttRefusedError,
    MqttUncertainError,
)
from samantha.plugins.mqtt.outbox import Outbox, OutboxItem
from samantha.plugins.mqtt.settings import MqttSettings, TlsSettings
from samantha.plugins.mqtt.subscriptions import (
    Message,
    MessageCallback,
    Subscription,
    SubscriptionTable,
    _short,
    _SubEntry,
)
from samantha.plugins.mqtt.topics import topic_problem

log = logging.getLogger(__name__)

_AUTH_REASON_CODES = {134, 135}  # bad user name or password / not authorized
_MISC_INTERVAL_S = 1.0

ConnectListener = Callable[[], Awaitable[None] | None]


def tls_context(tls: TlsSettings) -> ssl.SSLContext:
    """An SSL context for the broker connection built from the settings."""
    ctx = ssl.create_default_context(cafile=str(tls.ca_certs) if tls.ca_certs else None)
    if tls.certfile:
        ctx.load_cert_chain(str(tls.certfile), str(tls.keyfile) if tls.keyfile else None)
    if tls.insecure:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


__all__ = [
    "ClientHealth", "Message", "MqttAuthError", "MqttClient", "MqttConnectError",
    "MqttDisconnectedError", "MqttError", "MqttRefusedError", "MqttUncertainError",
    "Subscription", "tls_context",
]


class MqttClient(SubscriptionTable, SelectorBridge):
    """Asyncio MQTT client with reconnect, resubscribe, last will and a persistent outbox.

    All methods must be called from the thread running the asyncio loop.
    """

    def __init__(self, settings: MqttSettings, *, outbox: Outbox | None = None) -> None:
        self.settings = settings
        self._outbox = outbox or Outbox(settings.outbox_path, settings.outbox_max_size)
        self._owns_outbox = outbox is None
        self._ssl: ssl.SSLContext | None = None
        if settings.tls is not None:
            self._ssl = tls_context(settings.tls)
            if settings.tls.insecure:
                log.warning(
                    "MQTT TLS verification disabled (tls.insecure: true) for %s:%s",
                    settings.host,
                    settings.port,
                )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._client: paho.Client | None = None  # the connected one, if any
        self._connecting: paho.Client | None = None
        self._connack: asyncio.Future[None] | None = None
        self._connected = asyncio.Event()
        self._disconnected = asyncio.Event()
        self._wakeup = asyncio.Event()
        self._subs: dict[str, _SubEntry] = {}
        self._exact: dict[str, _SubEntry] = {}  # fast path for patterns without wildcards
        self._wild: dict[str, _SubEntry] = {}
        self._pending_pub: dict[int, asyncio.Future[None]] = {}
        self._pending_sub: dict[int, asyncio.Future[list[Any]]] = {}
        self._deliveries: dict[str, asyncio.Future[None]] = {}
        self._listeners: list[ConnectListener] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._runner: asyncio.Task[None] | None = None
        self._pump_task: asyncio.Task[None] | None = None
        self._misc_task: asyncio.Task[None] | None = None
        self._first: asyncio.Future[None] | None = None
        self._closing = False
        self._fail_fast = True
        self.last_error: BaseException | None = None
        self.health_state = ClientHealth()
        # Called with (pattern, reason) when the broker refuses a subscription (SUBACK).
        self.on_subscription_refused: list[Callable[[str, str], None]] = []

    # -- public API -----------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._client is not None and self._connected.is_set()

    @property
    def outbox(self) -> Outbox:
        return self._outbox

    def health(self) -> dict[str, Any]:
        """Connection health as plain data (for `samantha mqtt status` and doctors)."""
        h = self.health_state
        return {
            "broker": f"{self.settings.host}:{self.settings.port}",
            "connected": self.connected,
            "connects": h.connects,
            "disconnects": h.disconnects,
            "last_error": h.last_error,
            "subscriptions": len(self._subs),
            "refused_subscriptions": dict(h.refused_subscriptions),
            "refused_publishes": h.refused_publishes,
            "last_refused_publish": h.last_refused_publish,
            "queued_commands": len(self._outbox),
        }

    async def start(
        self, *, wait: bool = True, timeout: float | None = None, keep_trying: bool = False
    ) -> bool:
        """Start connecting (and reconnecting forever) in the background; True if connected.

        With wait=True, return once connected; raise MqttAuthError at once on refused
        credentials, ssl.SSLError on a TLS failure, MqttConnectError after `timeout`
        (default: settings.connect_timeout) while the broker stays unreachable. With
        keep_trying=True an unreachable broker is not an error: after `timeout` the client
        returns False and goes on connecting with backoff, like wait=False; refused
        credentials and TLS failures within `timeout` still raise, as retrying cannot fix them.
        """
        if self._runner is not None:
            raise RuntimeError("MqttClient already started")
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._first = self._loop.create_future()
        self._fail_fast = wait
        self._runner = self._loop.create_task(self._run(), name="mqtt-connection")
        self._pump_task = self._loop.create_task(self._pump(), name="mqtt-outbox")
        if not wait:
            return False
        try:
            await asyncio.wait_for(
                asyncio.shield(self._first), timeout or self.settings.connect_timeout
            )
        except asyncio.TimeoutError:
            if keep_trying:
                # From now on nobody waits for the outcome: failures are logged and retried.
                self._fail_fast = False
                return False
            await self.stop()
            raise MqttConnectError(
                f"could not connect to MQTT broker {self.settings.host}:{self.settings.port}: "
                f"{self.last_error or 'timeout'}"
            ) from None
        except BaseException:
            await self.stop()
            raise
        return True

    async def wait_connected(self, timeout: float | None = None) -> None:
        await asyncio.wait_for(self._connected.wait(), timeout)

    async def stop(self) -> None:
        """Publish `offline`, disconnect cleanly and stop reconnecting."""
        if self._closing:
            return
        self._closing = True
        client = self._client
        if client is not None and self._connected.is_set():
            with contextlib.suppress(MqttError, asyncio.TimeoutError):
                await asyncio.wait_for(
                    self.publish(self.settings.status_topic, "offline", qos=1, retain=True), 2
                )
            client.disconnect()
            client.loop_write()
        for task in (self._runner, self._pump_task, self._misc_task, *self._tasks):
            if task is not None and not task.done():
                task.cancel()
        for task in (self._runner, self._pump_task, self._misc_task):
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        for pending in (self._connecting, self._client):
            if pending is not None:
                self._detach(pending)
        self._client = self._connecting = None
        self._connected.clear()
        for fut in self._deliveries.values():
            fut.cancel()  # still in the outbox file; delivered by the next client
        self._deliveries.clear()
        if self._owns_outbox:
            self._outbox.close()

    async def publish(
        self, topic: str, payload: str | bytes, qos: int = 1, retain: bool = False
    ) -> None:
        """Publish now; for QoS 1/2 return once the broker acknowledged.

        Raises MqttDisconnectedError when not connected or when the connection drops first.
        Not persisted: use send_command for device commands.
        """
        _check_publish_topic(topic)
        client = self._client
        if client is None or not self._connected.is_set():
            raise MqttDisconnectedError(f"not connected; cannot publish to {topic!r}")
        try:
            info = client.publish(topic, payload, qos=qos, retain=retain)
        except ValueError as exc:  # paho's own checks (payload too large...)
            raise MqttRefusedError(f"publish to {topic!r} refused: {exc}") from None
        if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
            reason = paho.error_string(info.rc)
            raise MqttDisconnectedError(f"publish to {topic!r} failed: {reason}")
        if qos == 0:
            client.loop_write()
            return
        assert self._loop is not None
        fut: asyncio.Future[None] = self._loop.create_future()
        self._pending_pub[info.mid] = fut
        # Write now rather than on the next selector round: saves a loop iteration per command.
        client.loop_write()
        await fut

    def send_command(
        self, topic: str, payload: str | bytes, *, retain: bool = False, repeatable: bool = True
    ) -> asyncio.Future[None]:
        """Queue a QoS1 command in the persistent outbox and return at once.

        The returned future resolves when the broker acknowledged the command (await it or
        not). Commands are delivered in order, also across broker and Samantha restarts: at
        least once. A command whose PUBACK was lost in a restart is sent again, which is
        harmless for absolute commands ("set to 40 %", "on": the default). One that would act
        twice ("press", "next track") passes repeatable=False: it is sent at most once, and
        if its PUBACK was lost the future fails with MqttUncertainError instead.
        Raises OutboxFullError when too many commands are waiting, MqttRefusedError (nothing
        queued) for a topic no broker would take.
        """
        _check_publish_topic(topic)
        data = payload.encode() if isinstance(payload, str) else bytes(payload)
        item = self._outbox.put(topic, data, qos=1, retain=retain, repeatable=repeatable)
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._deliveries[item.id] = fut
        self._wakeup.set()
        return fut

    async def subscribe(
        self, pattern: str, callback: MessageCallback, qos: int = 1
    ) -> Subscription:
        """Call `callback(message)` for every message matching the MQTT pattern.

        The callback may be sync or async; its exceptions are logged, never propagated.
        Subscriptions are restored after every reconnect. Returns after the SUBACK when
        connected (retained messages may already be arriving). A second callback on an
        existing pattern does not get the retained messages again. An invalid pattern raises
        MqttRefusedError and is never sent: one malformed SUBSCRIBE makes the broker drop the
        whole connection. A pattern the broker refuses (SUBACK failure) is logged and shows
        in `Subscription.refused` and the health.
        """
        sub, new = self._register(pattern, callback, qos)
        # Not `self.connected`: between the CONNACK and `connected` (while the resubscription
        # and the `online` status are acknowledged) the retained burst is already being
        # handled, and what it subscribes to (state topics of discovered devices) must go out
        # now; the resubscription covered only the patterns known when it was sent.
        if new and self._client is not None:
            with contextlib.suppress(MqttDisconnectedError):
                await self._send_subscribe([(pattern, qos)])
        return sub

    def subscribe_nowait(
        self, pattern: str, callback: MessageCallback, qos: int = 1
    ) -> Subscription:
        """Like `subscribe`, but returns once the SUBSCRIBE is written, not after the SUBACK.

        For callers that must stay synchronous (discovery handling, which must neither
        reorder nor pile up messages): a refusal arrives later, in the health and through
        `on_subscription_refused`. Anything published after this call reaches the broker
        after the SUBSCRIBE, so a retained-barrier marker still proves its retained messages.
        """
        sub, new = self._register(pattern, callback, qos)
        client = self._client
        if new and client is not None:
            topics = [(pattern, qos)]
            rc, mid = self._paho_subscribe(client, topics)
            if rc == MQTTErrorCode.MQTT_ERR_SUCCESS and mid is not None:
                assert self._loop is not None
                fut: asyncio.Future[list[Any]] = self._loop.create_future()
                self._pending_sub[mid] = fut
                fut.add_done_callback(lambda f: self._suback_done(topics, f))
                client.loop_write()
        return sub

    def add_connect_listener(self, listener: ConnectListener) -> None:
        """Run `listener()` after every successful (re)connection, e.g. to republish."""
        self._listeners.append(listener)

    # -- connection management ----------------------------------------------------------

    async def _run(self) -> None:
        delay = self.settings.reconnect_min_delay
        failures = 0
        while not self._closing:
            try:
                await self._connect_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.last_error = exc
                self.health_state.last_error = str(exc)
                fatal = isinstance(exc, (MqttAuthError, ssl.SSLError))
                first = self._first
                if fatal and self._fail_fast and first is not None and not first.done():
                    first.set_exception(exc)
                    return
                # While start() waits, its caller reports the outcome (an error, or that
                # the broker is unreachable): a warning here too would say it twice.
                waited = self._fail_fast and first is not None and not first.done()
                if (failures == 0 or fatal) and not waited:
                    log.warning(
                        "MQTT connection to %s:%s failed: %s (retrying with backoff)",
                        self.settings.host,
                        self.settings.port,
                        exc,
                    )
                failures += 1
                # Jitter keeps many Samantha instances from reconnecting in lockstep.
                await asyncio.sleep(delay * random.uniform(0.8, 1.0))
                delay = min(delay * 2, self.settings.reconnect_max_delay)
                continue
            if failures:
                log.info("MQTT reconnected after %d failed attempts", failures)
            failures = 0
            delay = self.settings.reconnect_min_delay
            if self._first is not None and not self._first.done():
                self._first.set_result(None)
            await self._disconnected.wait()

    async def _connect_once(self) -> None:
        assert self._loop is not None
        s = self.settings
        v5 = s.protocol == "5"
        if v5:
            client = paho.Client(
                CallbackAPIVersion.VERSION2, client_id=s.client_id,
                protocol=MQTTProtocolVersion.MQTTv5,
            )
        else:
            client = paho.Client(
                CallbackAPIVersion.VERSION2, client_id=s.client_id,
                protocol=MQTTProtocolVersion.MQTTv311, clean_session=True,
            )
        if s.username is not None:
            password = s.password.get_secret_value() if s.password else None
            client.username_pw_set(s.username, password)
        if self._ssl is not None:
            client.tls_set_context(self._ssl)
            client.tls_insecure_set(bool(s.tls and s.tls.insecure))
        client.will_set(s.status_topic, "offline", qos=1, retain=True)
        client.max_inflight_messages_set(100)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_publish = self._on_publish
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        client.on_socket_open = self._on_socket_open
        client.on_socket_close = self._on_socket_close
        client.on_socket_register_write = self._on_register_write
        client.on_socket_unregister_write = self._on_unregister_write
        self._connecting = client
        self._connack = self._loop.create_future()
        self._disconnected.clear()
        try:
            # Name resolution, TCP connect and the TLS handshake block: keep them off the loop.
            await self._loop.run_in_executor(
                None, functools.partial(client.connect, s.host, s.port, s.keepalive,
                                        **_connect_options(s) if v5 else {}))
            await asyncio.wait_for(self._connack, s.connect_timeout)
        except BaseException:
            self._connecting = None
            self._detach(client)
            # paho has no public "abort": close the half-open socket so it does not leak.
            with contextlib.suppress(Exception):
                client._sock_close()
            raise
        self._connecting = None
        if not client.is_connected():
            self._detach(client)
            raise MqttConnectError("connection closed right after CONNACK")
        self._client = client
        self._misc_task = self._loop.create_task(self._misc(client), name="mqtt-keepalive")
        try:
            if self._subs:
                await self._send_subscribe([(e.pattern, e.qos) for e in self._subs.values()])
            await self.publish_on(client, s.status_topic, "online", retain=True)
        except MqttDisconnectedError as exc:
            raise MqttConnectError(f"connection lost right after connecting: {exc}") from exc
        self._connected.set()
        self.health_state.connects += 1
        self._wakeup.set()
        for listener in self._listeners:
            self._invoke(listener)

    async def publish_on(
        self, client: paho.Client, topic: str, payload: str, retain: bool
    ) -> None:
        # Used before `connected` is announced, while the connection is being set up.
        assert self._loop is not None
        info = client.publish(topic, payload, qos=1, retain=retain)
        fut: asyncio.Future[None] = self._loop.create_future()
        self._pending_pub[info.mid] = fut
        client.loop_write()
        await fut

    async def _send_subscribe(self, topics: list[tuple[str, int]]) -> None:
        client = self._client
        if client is None:
            raise MqttDisconnectedError("not connected")
        assert self._loop is not None
        rc, mid = self._paho_subscribe(client, topics)
        if rc != MQTTErrorCode.MQTT_ERR_SUCCESS or mid is None:
            raise MqttDisconnectedError(f"subscribe failed: {paho.error_string(rc)}")
        fut: asyncio.Future[list[Any]] = self._loop.create_future()
        self._pending_sub[mid] = fut
        client.loop_write()
        self._record_subacks(topics, await fut)

    async def _pump(self) -> None:
        """Deliver outbox commands one at a time, in order, each removed after its PUBACK.

        One in flight at a time: on a broker restart at most one command has an unknown
        fate, and a graceful broker shutdown always answers the one it read.
        """
        while True:
            await self._connected.wait()
            item = self._outbox.head()
            if item is None:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            if item.attempted and not item.repeatable:
                self._give_up(item)
                continue
            if not item.repeatable:
                item = self._outbox.mark_attempted(item)
            try:
                await self.publish(item.topic, item.payload, qos=item.qos, retain=item.retain)
            except MqttDisconnectedError:
                await asyncio.sleep(0)
                continue
            except MqttRefusedError as exc:
                # Retrying cannot help (e.g. a bad topic left in the file by an older
                # version): drop this one command, say so, and deliver the rest.
                self._refused_publish(str(exc))
                self._outbox.remove(item.id)
                fut = self._deliveries.pop(item.id, None)
                if fut is not None and not fut.done():
                    fut.set_exception(exc)
                continue
            except Exception:
                # Never let the pump die: every later command would only ever be queued.
                log.exception("MQTT: sending queued command %s failed; retrying", item.id)
                await asyncio.sleep(1.0)
                continue
            self._outbox.remove(item.id)
            fut = self._deliveries.pop(item.id, None)
            if fut is not None and not fut.done():
                fut.set_result(None)

    def _give_up(self, item: OutboxItem) -> None:
        # Its PUBACK was lost (a restart of the broker or of Samantha): sending it again
        # could make the device act twice, so its fate stays unknown and is reported.
        self._outbox.remove(item.id)
        error = MqttUncertainError(
            f"command to {_short(item.topic)} may not have arrived (the connection dropped "
            "before the broker acknowledged it); not sent again, as it would act twice"
        )
        log.warning("MQTT %s", error)
        fut = self._deliveries.pop(item.id, None)
        if fut is not None and not fut.done():
            fut.set_exception(error)

    def _refused_publish(self, reason: str) -> None:
        h = self.health_state
        h.refused_publishes += 1
        h.last_refused_publish = reason
        log.error("MQTT %s; the command was dropped", reason)

    async def _misc(self, client: paho.Client) -> None:
        # paho's loop_misc sends PINGREQ and notices a dead broker through the keepalive.
        while client is self._client:
            await asyncio.sleep(_MISC_INTERVAL_S)
            client.loop_misc()

    # -- paho callbacks (loop thread, except socket open/register during connect) ----------

    def _on_connect(
        self, client: paho.Client, _u: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        fut = self._connack
        if client is not self._connecting or fut is None or fut.done():
            return
        if not reason.is_failure:
            fut.set_result(None)
            return
        where = f"{self.settings.host}:{self.settings.port}"
        if reason.value in _AUTH_REASON_CODES:
            user = self.settings.username or "(anonymous)"
            fut.set_exception(
                MqttAuthError(f"MQTT broker {where} refused user {user!r}: {reason}")
            )
        else:
            fut.set_exception(MqttConnectError(f"MQTT broker {where} refused: {reason}"))

    def _on_disconnect(
        self, client: paho.Client, _u: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        if client is self._connecting:
            if self._connack is not None and not self._connack.done():
                self._connack.set_exception(
                    MqttConnectError(f"connection closed before CONNACK: {reason}")
                )
            return
        if client is not self._client:
            return
        if not self._closing:
            log.warning("MQTT connection lost: %s", reason)
            self.health_state.disconnects += 1
            self.health_state.last_error = f"connection lost: {reason}"
        self._client = None
        self._connected.clear()
        error = MqttDisconnectedError(f"connection lost: {reason}")
        for pending in (self._pending_pub, self._pending_sub):
            for fut in pending.values():
                if not fut.done():
                    fut.set_exception(error)
            pending.clear()
        self._disconnected.set()

    def _on_publish(
        self, _c: paho.Client, _u: Any, mid: int, _reason: Any, _props: Any
    ) -> None:
        fut = self._pending_pub.pop(mid, None)
        if fut is not None and not fut.done():
            fut.set_result(None)

    def _on_subscribe(
        self, _c: paho.Client, _u: Any, mid: int, codes: list[Any], _props: Any
    ) -> None:
        fut = self._pending_sub.pop(mid, None)
        if fut is not None and not fut.done():
            fut.set_result(codes)

def _check_publish_topic(topic: str) -> None:
    problem = topic_problem(topic)
    if problem is not None:
        raise MqttRefusedError(f"cannot publish to {_short(topic)}: {problem}")


def _connect_options(s: MqttSettings) -> dict[str, Any]:
    # MQTT 5: a clean session that ends with the connection (the outbox, not the broker,
    # keeps what is unsent), and the largest packet we take: the broker drops bigger ones
    # instead of sending them, so paho never reads a 10 MB payload only for us to refuse it.
    props = Properties(PacketTypes.CONNECT)
    props.MaximumPacketSize = s.max_message_bytes
    props.SessionExpiryInterval = 0
    return {"clean_start": True, "properties": props}
