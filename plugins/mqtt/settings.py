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

    ca_certs: Path | None = Field(
        None, description="CA certificate file that signed the broker's certificate; default the "
        "system's CA store.")
    certfile: Path | None = Field(
        None, description="Client certificate, for brokers that authenticate clients by "
        "certificate.")
    keyfile: Path | None = Field(
        None, description="The client certificate's private key (needs certfile).")
    insecure: bool = Field(
        False, description="true turns off certificate and hostname checks (anyone on the path "
        "can impersonate the broker); must be the boolean true.")

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

    name: str = Field(description="What people call the device.")
    room: str | None = Field(None, description="The room it is in (declared in rooms:).")
    kind: Literal[
        "light", "switch", "cover", "climate", "fan", "lock", "sensor", "binary_sensor",
        "vacuum", "lawn_mower", "valve", "alarm_control_panel", "scene", "button",
    ] = Field("switch", description="What kind of device it is.")
    unique_id: str | None = Field(None, description="Stable id; default generic_<kind>_<name>.")
    state_topic: str | None = Field(None, description="Topic the device reports its state on.")
    command_topic: str | None = Field(None, description="Topic Samantha sends commands to.")
    payload_on: str = Field("ON", description="Payload sent to turn it on.")
    payload_off: str = Field("OFF", description="Payload sent to turn it off.")
    state_on: str | None = Field(None, description="State payload meaning on (default payload_on).")
    state_off: str | None = Field(
        None, description="State payload meaning off (default payload_off).")
    value_json_key: str | None = Field(
        None, description="Key of the state in a JSON state payload, e.g. POWER for Tasmota's "
        "stat/x/RESULT.")
    options: dict[str, object] = Field(
        default_factory=dict, description="Any further HA discovery option (full names), e.g. "
        "{brightness_scale: 100}.")

    @property
    def resolved_unique_id(self) -> str:
        return self.unique_id or f"generic_{self.kind}_{self.name}".lower().replace(" ", "_")


class MqttSettings(BaseModel):
    """Connection, discovery and command settings."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field("localhost", description="The broker's host name or address.")
    port: int = Field(
        1883, ge=1, le=65535, description="The broker's port (8883 is usual with TLS).")
    client_id: str = Field("samantha", description="MQTT client id; must be unique on the broker.")
    username: str | None = Field(None, description="Broker user name.")
    password: SecretStr | None = Field(
        None, description="Broker password; use !secret. Never logged.")
    tls: TlsSettings | None = Field(
        None, description="TLS towards the broker; an empty block means TLS with the system CA "
        "store.")
    keepalive: int = Field(30, ge=5, le=3600, description="Seconds between keep-alive pings.")
    base_topic: str = Field("samantha", description="Prefix of Samantha's own topics.")
    discovery_prefix: str = Field(
        "homeassistant", description="Home Assistant MQTT discovery prefix.")
    discovery: bool = Field(
        True, description="Add devices announced with Home Assistant's MQTT discovery.")
    qos: Literal[0, 1, 2] = Field(1, description="QoS of commands and subscriptions.")
    protocol: Literal["5", "3.1.1"] = Field(
        "5", description="MQTT version spoken to the broker. 5 lets Samantha tell the broker "
        "the largest message it takes (max_message_bytes); 3.1.1 is for brokers without MQTT 5 "
        "(then cap sizes in the broker: max_packet_size in mosquitto.conf).")
    max_message_bytes: int = Field(
        1024 * 1024, ge=64 * 1024, le=256 * 1024 * 1024, description="With protocol 5, the "
        "broker drops any message bigger than this instead of sending it, so a flood of huge "
        "payloads is never read. Satellites raise it to the largest spoken reply.")
    reconnect_min_delay: float = Field(
        0.2, gt=0, description="Seconds before the first reconnect attempt.")
    reconnect_max_delay: float = Field(
        30.0, gt=0, description="The longest wait, in seconds, between reconnect attempts.")
    connect_timeout: float = Field(
        5.0, gt=0, description="Seconds to wait for the broker when connecting.")
    outbox_path: Path = Field(
        default_factory=_default_outbox_path, description="Where commands wait while the broker "
        "is away (default ~/.local/state/samantha/mqtt-outbox.sqlite3).")
    outbox_max_size: int = Field(1000, ge=1, description="Commands kept in the outbox at most.")
    command_timeout: float = Field(
        3.0, gt=0, description="How long a spoken command waits for the broker's PUBACK before "
        "saying it is queued.")
    discovery_timeout: float = Field(
        2.0, gt=0, description="Upper bound on waiting for the broker's retained discovery at "
        "start-up.")
    stop_drain_timeout: float = Field(
        1.0, ge=0, description="On stop, how long queued commands may still drain to a connected "
        "broker.")
    announce_rooms: bool = Field(
        True, description="Publish last heard/last reply sensors and a microphone-muted switch "
        "per room.")
    rooms: dict[str, str] = Field(
        default_factory=dict, description="Discovery area, device name, entity name or unique_id "
        "-> Samantha room (declared in rooms:).")
    max_entities: int = Field(
        1000, ge=1, le=100_000, description="Discovered and declared entities at most: bounds "
        "memory under a flood of configs.")
    devices: list[GenericDevice] = Field(
        default_factory=list, description="Devices without MQTT discovery, declared by hand "
        "(topic + payload mapping).")

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
