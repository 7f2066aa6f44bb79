"""The `wyoming:` config section: Samantha as a Wyoming server, and Wyoming engines it uses."""

from __future__ import annotations

import ipaddress
from typing import Literal
from urllib.parse import urlparse

from pydantic import Field, field_validator

from samantha.config import Section

DEFAULT_URI = "tcp://127.0.0.1:10600"


def parse_tcp_uri(uri: str) -> tuple[str, int]:
    """'tcp://host:port' -> (host, port); a clear ValueError for anything else."""
    parsed = urlparse(uri)
    if parsed.scheme != "tcp":
        raise ValueError(f"{uri!r}: only tcp://host:port URIs are supported")
    try:
        port = parsed.port
    except ValueError:
        port = None
    if not parsed.hostname or port is None:
        raise ValueError(f"{uri!r}: give both a host and a port, e.g. tcp://127.0.0.1:10600")
    return parsed.hostname, port


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ServerSettings(Section):
    enabled: bool = Field(True, description="Serve when `samantha run` starts the house.")
    uri: str = Field(DEFAULT_URI, description="Where to listen. Loopback by default: Wyoming "
                     "has no authentication or encryption.")
    name: str | None = Field(None, description="Name of the handle program Home Assistant "
                             "shows; default the persona's name (persona.default), else "
                             "'Samantha'.")
    allow: list[str] = Field(default_factory=list, description="Client addresses or networks "
                             "(CIDR) allowed to connect; empty allows any that can reach the "
                             "address bound.")
    rooms: dict[str, str] = Field(default_factory=dict, description="satellite_id or device_id "
                                  "-> room, for satellites Home Assistant cannot place.")
    default_room: str | None = Field(None, description="Room assumed when nothing places the "
                                     "speaker; default the first room of the home.")
    streaming: Literal["auto", "always", "never"] = Field(
        "auto", description="Answer with handled-start/chunk/stop: auto when the transcript's "
        "context asks for it (`handled_streaming: true`), always, or never (one `handled`).")
    zeroconf: bool | None = Field(None, description="Advertise _wyoming._tcp.local.; default "
                                  "on when the zeroconf package is installed and the address "
                                  "is not loopback.")
    max_clients: int = Field(32, ge=1, description="Connections served at once; more wait.")
    idle_timeout_s: float = Field(300.0, gt=0, description="Close a connection silent this "
                                  "long between events.")
    frame_timeout_s: float = Field(10.0, gt=0, description="A started event must arrive "
                                   "whole within this (slow senders are dropped).")
    max_header_bytes: int = Field(
        8 * 1024, ge=256, description="Largest event header accepted from a client.")
    max_data_bytes: int = Field(
        64 * 1024, ge=1024, description="Largest event data accepted from a client.")
    max_payload_bytes: int = Field(
        1024 * 1024, ge=1024, description="Largest event payload (audio) accepted from a client.")

    @field_validator("uri")
    @classmethod
    def _uri(cls, value: str) -> str:
        parse_tcp_uri(value)
        return value

    @field_validator("allow")
    @classmethod
    def _allow(cls, value: list[str]) -> list[str]:
        for item in value:
            ipaddress.ip_network(item, strict=False)
        return value


class EngineEndpoint(Section):
    uri: str = Field(description="The Wyoming server, e.g. tcp://127.0.0.1:10300.")
    timeout_s: float = Field(10.0, gt=0, description="Connecting and each answer.")
    reconnect_initial_s: float = Field(
        0.5, gt=0, description="Seconds before the first attempt to reach the server again; "
        "doubles each time.")
    reconnect_max_s: float = Field(
        30.0, gt=0, description="The longest wait, in seconds, between attempts.")

    @field_validator("uri")
    @classmethod
    def _uri(cls, value: str) -> str:
        parse_tcp_uri(value)
        return value


class SttEndpoint(EngineEndpoint):
    pass


class TtsEndpoint(EngineEndpoint):
    voice: str | None = Field(None, description="Voice name the server knows; its default "
                              "when omitted.")


class WakeEndpoint(EngineEndpoint):
    names: list[str] = Field(default_factory=list, description="Wake models to listen for; "
                             "the server's default when empty.")


class EngineSettings(Section):
    stt: SttEndpoint | None = Field(
        None, description="Speech recognition on a Wyoming server (e.g. whisper).")
    tts: TtsEndpoint | None = Field(
        None, description="Speech synthesis on a Wyoming server (e.g. piper).")
    wake: WakeEndpoint | None = Field(
        None, description="Wake word detection on a Wyoming server (e.g. openWakeWord).")


class WyomingSettings(Section):
    """Samantha in Home Assistant's voice world: a Wyoming server and Wyoming engines."""

    server: ServerSettings | None = Field(None, description="Serve Samantha as a Wyoming "
                                          "conversation agent (handle program).")
    engines: EngineSettings = Field(default_factory=EngineSettings, description="Where the "
                                    "speech engines named `wyoming` connect.")
