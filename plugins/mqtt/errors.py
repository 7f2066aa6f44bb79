"""The MQTT layer's errors and the client's health record."""

from __future__ import annotations

from dataclasses import dataclass, field


class MqttError(Exception):
    """Base class of MQTT errors."""


class MqttConnectError(MqttError):
    """The broker could not be reached or refused the connection."""


class MqttAuthError(MqttConnectError):
    """The broker refused the credentials."""


class MqttDisconnectedError(MqttError):
    """Not connected, or the connection dropped before the broker acknowledged."""


class MqttRefusedError(MqttError):
    """paho or the broker refused this one operation (an invalid topic, an ACL).

    Only that operation failed: the session, the other subscriptions and the reconnect loop
    go on. Retrying the same operation cannot succeed.
    """


@dataclass
class ClientHealth:
    """What a status command shows about the connection (see MqttClient.health)."""

    connects: int = 0
    disconnects: int = 0
    last_error: str | None = None
    refused_subscriptions: dict[str, str] = field(default_factory=dict)  # pattern -> why
    refused_publishes: int = 0
    last_refused_publish: str | None = None


class MqttUncertainError(MqttError):
    """A command that must not act twice was sent, but the connection dropped before the
    broker acknowledged it: it may or may not have arrived, and it is not sent again."""
