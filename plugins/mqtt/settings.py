"""Settings of the MQTT device layer (the `mqtt:` section of the Samantha config)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator


def _default_outbox_path() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "samantha" / "mqtt-outbox.sqlite3"


class TlsSettings(BaseModel):
    """TLS towards the broker. An empty block means TLS with the system CA store."""

    model_config = ConfigDict(extra="forbid")

    ca_certs: Path | None = None
    certfile: Path | None = None
    keyfile: Path | None = None
    insecure: bool = False

    @field_validator("insecure", mode="before")
    @classmethod
    def _insecure_must_be_explicit(cls, value: object) -> object:
        # A YAML "insecure: yes"/"1"/"on" is too easy to leave behind by accident; turning off
        # certificate and hostname checks must be spelled out as a real boolean true.
        if value is True or value is False:
            return value
        raise ValueError(
            "tls.insecure must be the boolean true or false. insecure: true disables "
            "certificate and hostname verification, so anyone on the network path can "
            "impersonate the broker; prefer tls.ca_certs pointing at your broker's CA"
        )

    @model_validator(mode="after")
    def _key_needs_cert(self) -> TlsSettings:
        if self.keyfile and not self.certfile:
            raise ValueError("tls.keyfile given without tls.certfile")
        return self


class GenericDevice(BaseModel):
    """A device without MQTT discovery, declared by hand (topic + payload mapping)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    room: str | None = None
    kind: Literal[
        "light", "switch", "cover", "climate", "fan", "lock", "sensor", "binary_sensor",
        "vacuum", "lawn_mower", "valve", "alarm_control_panel", "scene", "button",
    ] = "switch"
    unique_id: str | None = None
    state_topic: str | None = None
    command_topic: str | None = None
    payload_on: str = "ON"
    payload_off: str = "OFF"
    state_on: str | None = None
    state_off: str | None = None
    # Key of the state in a JSON state payload, e.g. "POWER" for Tasmota's stat/x/RESULT.
    value_json_key: str | None = None
    # Any further HA discovery option (full names), e.g. {"brightness_scale": 100}.
    options: dict[str, object] = Field(default_factory=dict)

    @property
    def resolved_unique_id(self) -> str:
        return self.unique_id or f"generic_{self.kind}_{self.name}".lower().replace(" ", "_")


class MqttSettings(BaseModel):
    """Connection, discovery and command settings."""

    model_config = ConfigDict(extra="forbid")

    host: str = "localhost"
    port: int = Field(1883, ge=1, le=65535)
    client_id: str = "samantha"
    username: str | None = None
    password: SecretStr | None = None
    tls: TlsSettings | None = None
    keepalive: int = Field(30, ge=5, le=3600)
    base_topic: str = "samantha"
    discovery_prefix: str = "homeassistant"
    discovery: bool = True
    qos: Literal[0, 1, 2] = 1
    reconnect_min_delay: float = Field(0.2, gt=0)
    reconnect_max_delay: float = Field(30.0, gt=0)
    connect_timeout: float = Field(5.0, gt=0)
    outbox_path: Path = Field(default_factory=_default_outbox_path)
    outbox_max_size: int = Field(1000, ge=1)
    # How long a spoken command waits for the broker's PUBACK before saying it is queued.
    command_timeout: float = Field(3.0, gt=0)
    # Upper bound on waiting for the broker's retained discovery at start-up.
    discovery_timeout: float = Field(2.0, gt=0)
    # On stop, how long queued commands may still drain to a connected broker.
    stop_drain_timeout: float = Field(1.0, ge=0)
    # Publish "last heard"/"last reply" sensors and a "microphone muted" switch per room.
    announce_rooms: bool = True
    # Discovery area, device name, entity name or unique_id -> Samantha room.
    rooms: dict[str, str] = Field(default_factory=dict)
    # Discovered and declared entities at most: bounds memory under a flood of configs.
    max_entities: int = Field(1000, ge=1, le=100_000)
    devices: list[GenericDevice] = Field(default_factory=list)

    @field_validator("base_topic", "discovery_prefix")
    @classmethod
    def _plain_topic(cls, value: str) -> str:
        value = value.strip("/")
        if not value or any(c in value for c in "#+\0"):
            raise ValueError(f"{value!r} is not a valid topic prefix")
        return value

    @model_validator(mode="after")
    def _delays(self) -> MqttSettings:
        if self.reconnect_max_delay < self.reconnect_min_delay:
            raise ValueError("reconnect_max_delay is smaller than reconnect_min_delay")
        if self.password is not None and self.username is None:
            raise ValueError("password given without username")
        return self

    @property
    def status_topic(self) -> str:
        return f"{self.base_topic}/status"
