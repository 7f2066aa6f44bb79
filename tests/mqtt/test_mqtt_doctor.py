"""`samantha doctor` checks a real Mosquitto: login, refusals, TLS, and no side effects."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from harness.cli import samantha_cli
from harness.mosquitto import Mosquitto, free_port
from samantha.doctor import Finding, run_checks
from samantha.plugins.mqtt.checks import broker_check
from samantha.plugins.mqtt.settings import MqttSettings


@pytest.fixture(scope="module")
def password_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mosquitto]:
    with Mosquitto(tmp_path_factory.mktemp("pw-broker")) as broker:
        yield broker.start("password")


@pytest.fixture(scope="module")
def tls_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mosquitto]:
    with Mosquitto(tmp_path_factory.mktemp("tls-broker")) as broker:
        yield broker.start("tls")


async def check(**settings: Any) -> Finding:
    [finding] = await run_checks([("mqtt", broker_check(MqttSettings(**settings), None))])
    return finding


async def test_right_password_is_a_tick(password_broker: Mosquitto) -> None:
    found = await check(host="127.0.0.1", port=password_broker.port,
                        username=password_broker.username, password=password_broker.password)
    assert found.status == "ok", found
    assert found.detail == f"logged in to 127.0.0.1:{password_broker.port} as 'samantha'"


async def test_wrong_password_is_a_cross_naming_the_user(password_broker: Mosquitto) -> None:
    found = await check(host="127.0.0.1", port=password_broker.port,
                        username=password_broker.username, password="wrong horse")
    assert found.status == "fail"
    assert "refused user 'samantha'" in found.detail
    assert "wrong horse" not in found.detail + found.fix
    assert "mqtt.username" in found.fix and "secrets.yaml" in found.fix


async def test_anonymous_on_a_password_broker_is_refused(password_broker: Mosquitto) -> None:
    found = await check(host="127.0.0.1", port=password_broker.port)
    assert found.status == "fail" and "'(anonymous)'" in found.detail


async def test_closed_port_is_a_cross_with_how_to_start_a_broker() -> None:
    port = free_port()
    found = await check(host="127.0.0.1", port=port, connect_timeout=2)
    assert found.status == "fail"
    assert f"127.0.0.1:{port} is unreachable" in found.detail
    assert "mosquitto" in found.fix and found.seconds < 3


async def test_tls_with_the_ca_is_a_tick_and_without_it_a_cross(tls_broker: Mosquitto) -> None:
    assert tls_broker.tls_files is not None
    good = await check(host="127.0.0.1", port=tls_broker.port,
                       tls={"ca_certs": tls_broker.tls_files.ca_cert})
    assert good.status == "ok" and "with TLS" in good.detail, good
    bad = await check(host="127.0.0.1", port=tls_broker.port, tls={})
    assert bad.status == "fail" and "TLS" in bad.detail and "ca_certs" in bad.fix
    plain = await check(host="127.0.0.1", port=tls_broker.port, connect_timeout=2)
    assert plain.status == "fail"


def retained_status(broker: Mosquitto) -> list[bytes]:
    got: list[bytes] = []
    subscribed = threading.Event()
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id="doctor-watch")
    client.username_pw_set(broker.username, broker.password)
    client.on_connect = lambda c, *_: c.subscribe("samantha/#")
    client.on_subscribe = lambda *_: subscribed.set()
    client.on_message = lambda _c, _u, m: got.append(m.payload)
    client.connect(broker.host, broker.port)
    client.loop_start()
    assert subscribed.wait(5)
    threading.Event().wait(0.3)  # retained messages arrive right after the SUBACK
    client.disconnect()
    client.loop_stop()
    return got


def test_doctor_command_on_a_real_broker_publishes_nothing(
        password_broker: Mosquitto, tmp_path: Path) -> None:
    (tmp_path / "secrets.yaml").write_text(f"mqtt_password: {password_broker.password}\n")
    cfg = tmp_path / "samantha.yaml"
    cfg.write_text(f"rooms: [{{name: Office}}]\nmqtt: {{host: 127.0.0.1, port: "
                   f"{password_broker.port}, username: samantha, password: !secret "
                   f"mqtt_password}}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}  # loopback only
    out = samantha_cli("doctor", "--json", "-c", str(cfg), timeout=60, env=env)
    found = {f["name"]: f for f in json.loads(out.stdout)}
    assert found["MQTT broker"]["status"] == "ok", found["MQTT broker"]
    assert found["MQTT broker"]["source"] == "mqtt"
    assert password_broker.password not in out.stdout + out.stderr
    assert retained_status(password_broker) == []  # no birth, no will, no offline
