"""paho's socket driven by the asyncio selector (see client.py for why not paho's thread).

paho tells us when its socket opens, closes and has data to write; we register the socket
with the loop, and the loop calls paho back to read (in bursts) and write. paho.connect runs
in an executor thread and fires the open/register callbacks from there, hence `_in_loop`.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import MQTTErrorCode

READ_BURST = 64  # packets handled per wake-up of the socket at most


def _read_burst(client: paho.Client) -> None:
    """Handle the packets waiting on the socket, up to READ_BURST, in one wake-up.

    paho's `loop_read` handles one packet per call, so a burst of state messages would cost an
    event-loop round trip (an epoll call) per message. `_packet_read` is what `loop_read` runs.
    """
    for _ in range(READ_BURST):
        if client.socket() is None:
            return
        rc = client._packet_read()
        if rc == MQTTErrorCode.MQTT_ERR_AGAIN:
            return
        if rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
            client._loop_rc_handle(rc)
            return


class SelectorBridge:
    """Mixin: the paho socket callbacks of MqttClient. Needs `_loop` and `_loop_thread`."""

    _loop: asyncio.AbstractEventLoop | None
    _loop_thread: int | None

    def _on_socket_open(self, client: paho.Client, _u: Any, sock: Any) -> None:
        # Without TCP_NODELAY Nagle holds each small QoS1 packet until the peer's delayed ACK:
        # ~40-90 ms per round trip on loopback instead of ~0.2 ms.
        with contextlib.suppress(OSError, AttributeError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        fd = sock.fileno()
        client._samantha_fd = fd  # type: ignore[attr-defined]
        self._in_loop(self._attach, client, fd)

    def _attach(self, client: paho.Client, fd: int) -> None:
        assert self._loop is not None
        self._loop.add_reader(fd, _read_burst, client)

    def _detach(self, client: paho.Client) -> None:
        fd = getattr(client, "_samantha_fd", None)
        if fd is None or self._loop is None:
            return
        client._samantha_fd = None  # type: ignore[attr-defined]
        self._loop.remove_reader(fd)
        self._loop.remove_writer(fd)

    def _on_socket_close(self, client: paho.Client, _u: Any, _sock: Any) -> None:
        self._in_loop(self._detach, client)

    def _on_register_write(self, client: paho.Client, _u: Any, _sock: Any) -> None:
        self._in_loop(self._add_writer, client)

    def _add_writer(self, client: paho.Client) -> None:
        fd = getattr(client, "_samantha_fd", None)
        if fd is not None and self._loop is not None:
            self._loop.add_writer(fd, client.loop_write)

    def _on_unregister_write(self, client: paho.Client, _u: Any, _sock: Any) -> None:
        self._in_loop(self._remove_writer, client)

    def _remove_writer(self, client: paho.Client) -> None:
        fd = getattr(client, "_samantha_fd", None)
        if fd is not None and self._loop is not None:
            self._loop.remove_writer(fd)

    def _in_loop(self, fn: Callable[..., None], *args: Any) -> None:
        # paho.connect runs in an executor thread and fires socket callbacks from there.
        assert self._loop is not None
        if threading.get_ident() == self._loop_thread:
            fn(*args)
        else:
            self._loop.call_soon_threadsafe(fn, *args)

