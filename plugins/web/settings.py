"""The `web:` section: where the dashboard listens, who may use it, how many turns it keeps."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator

from samantha.config import Section
from samantha.plugins.web.passwords import hash_password, is_hash

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class WebSettings(Section):
    """The dashboard: rooms, live turns, devices, automations and memory in a browser."""

    enabled: bool = Field(True, description="Serve the dashboard in `samantha run`.")
    host: str = Field("127.0.0.1", description="Address to listen on; anything but loopback "
                      "needs a password.")
    port: int = Field(8770, ge=0, le=65535, description="TCP port; 0 picks a free one.")
    password: SecretStr | None = Field(
        None, description="Login password or API token (use !secret); kept only as a scrypt "
        "hash. Without one the dashboard listens on loopback only and needs no login.")
    certfile: Path | None = Field(None, description="TLS certificate (PEM): serve https.")
    keyfile: Path | None = Field(None, description="TLS private key (PEM) for certfile.")
    keep_turns: int = Field(50, ge=1, le=10_000,
                            description="Turns (with their audio) kept for the timeline.")
    audio_dir: Path | None = Field(None, description="Also keep turn audio here as WAV files "
                                   "(only the last keep_turns); default: memory only.")
    session_hours: float = Field(12.0, gt=0, le=24 * 90, description="Login lifetime.")

    @field_validator("password")
    @classmethod
    def _hashed(cls, value: SecretStr | None) -> SecretStr | None:
        # The plain password is dropped here: only its hash lives on in the running house.
        if value is None:
            return None
        secret = value.get_secret_value()
        if not secret:
            raise ValueError("the password is empty; remove it or give one")
        return SecretStr(secret if is_hash(secret) else hash_password(secret))

    @model_validator(mode="after")
    def _safe(self) -> WebSettings:
        if self.password is None and not is_loopback(self.host):
            raise ValueError(f"host {self.host!r} is on the network: set web.password "
                             "(from secrets.yaml) or listen on 127.0.0.1")
        if (self.certfile is None) != (self.keyfile is None):
            raise ValueError("TLS needs both certfile and keyfile")
        return self

    @property
    def tls(self) -> bool:
        return self.certfile is not None
