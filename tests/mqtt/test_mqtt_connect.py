"""Connecting to real brokers: plain, password, TLS, and the refusals."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from mqtt_sims import settings_for
from pydantic import ValidationError

from harness.mosquitto import Mosquitto
from samantha.plugins.mqtt.client import MqttAuthError, MqttClient
from samantha.plugins.mqtt.settings import MqttSettings, TlsSettings


async def _roundtrip(client: MqttClient) -> bytes:
    import asyncio

    got: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
    await client.subscribe("t/echo", lambda m: got.done() or got.set_result(m.payload))
    await client.publish("t/echo", b"hello")
    return await asyncio.wait_for(got, 5)


async def test_plain_connect_publishes_online(broker: Mosquitto, tmp_path: Path) -> None:
    client = MqttClient(settings_for(broker, tmp_path))
    await client.start()
    try:
        assert client.connected
        assert await _roundtrip(client) == b"hello"
    finally:
        await client.stop()


async def test_password_connect(password_broker: Mosquitto, tmp_path: Path) -> None:
    client = MqttClient(settings_for(password_broker, tmp_path))
    await client.start()
    try:
        assert await _roundtrip(client) == b"hello"
    finally:
        await client.stop()


async def test_wrong_password_is_a_clear_error_without_the_password(
    password_broker: Mosquitto, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(password_broker, tmp_path, password="wrong-secret-xyz")
    client = MqttClient(settings)
    with pytest.raises(MqttAuthError, match="refused user 'samantha'") as info:
        await client.start(timeout=5)
    assert "wrong-secret-xyz" not in str(info.value)
    assert "wrong-secret-xyz" not in caplog.text
    assert "wrong-secret-xyz" not in repr(settings)


async def test_tls_connect_with_ca(tls_broker: Mosquitto, tmp_path: Path) -> None:
    client = MqttClient(settings_for(tls_broker, tmp_path))
    await client.start()
    try:
        assert await _roundtrip(client) == b"hello"
    finally:
        await client.stop()


async def test_tls_with_client_certificate(tmp_path: Path) -> None:
    broker = Mosquitto(tmp_path / "b", tls_client_certs=True).start("tls")
    try:
        files = broker.tls_files
        assert files is not None
        tls = TlsSettings(
            ca_certs=files.ca_cert, certfile=files.client_cert, keyfile=files.client_key
        )
        client = MqttClient(settings_for(broker, tmp_path, tls=tls))
        await client.start()
        try:
            assert await _roundtrip(client) == b"hello"
        finally:
            await client.stop()
    finally:
        broker.stop()


async def test_tls_unknown_ca_is_refused(tls_broker: Mosquitto, tmp_path: Path) -> None:
    # The system store does not know the test CA: verification must fail, not be skipped.
    client = MqttClient(settings_for(tls_broker, tmp_path, tls=TlsSettings()))
    with pytest.raises(ssl.SSLError):
        await client.start(timeout=5)


async def test_tls_insecure_only_when_explicit(tls_broker: Mosquitto, tmp_path: Path) -> None:
    for sloppy in ("yes", "true", 1, "on"):
        with pytest.raises(ValidationError, match="disables certificate"):
            TlsSettings(insecure=sloppy)  # type: ignore[arg-type]
    client = MqttClient(settings_for(tls_broker, tmp_path, tls=TlsSettings(insecure=True)))
    await client.start()
    try:
        assert await _roundtrip(client) == b"hello"
    finally:
        await client.stop()


def test_settings_roundtrip_and_secret() -> None:
    settings = MqttSettings.model_validate(
        {
            "host": "broker.lan",
            "username": "sam",
            "password": "hunter2",
            "tls": {"ca_certs": "/etc/ca.pem"},
            "rooms": {"Office": "office"},
            "devices": [{"name": "Fan", "kind": "switch", "command_topic": "fan/set"}],
        }
    )
    assert "hunter2" not in repr(settings) and "hunter2" not in settings.model_dump_json()
    again = MqttSettings.model_validate(settings.model_dump() | {"password": "hunter2"})
    assert again == settings
    with pytest.raises(ValidationError):
        MqttSettings(password="x")  # type: ignore[arg-type]
