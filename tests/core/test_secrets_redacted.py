"""Planted sentinel secrets never appear in any command's output or log, at any verbosity.

The house runs against a real password-protected Mosquitto, a Home Assistant URL with
credentials that refuses connections, and a local OpenAI-compatible server whose error body
echoes the API key it was sent.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.cli import samantha_cli
from harness.mosquitto import Mosquitto, free_port
from harness.openai_server import Reply, ScriptedOpenAI
from samantha import redact

HA_TOKEN = "SENTINEL-HA-tok-8c1f0e"
MQTT_PASSWORD = "SENTINEL-MQTT-pw-4410"
LLM_KEY = "SENTINEL-LLM-key-77aa"  # from the environment, not secrets.yaml
URL_PASSWORD = "SENTINEL-URLPW-5521"
QUERY_KEY = "SENTINEL-QUERY-7731"
SENTINELS = (HA_TOKEN, MQTT_PASSWORD, LLM_KEY, URL_PASSWORD, QUERY_KEY)


@dataclass
class Planted:
    config: Path
    bad_config: Path
    env: dict[str, str]
    llm: ScriptedOpenAI


@pytest.fixture
def planted(tmp_path: Path) -> Iterator[Planted]:
    with Mosquitto(tmp_path / "broker", password=MQTT_PASSWORD) as broker, \
            ScriptedOpenAI() as llm:
        broker.start("password")
        llm.default = Reply(status=401, echo_key=True)
        (tmp_path / "secrets.yaml").write_text(
            f"ha_token: {HA_TOKEN}\nmqtt_password: {MQTT_PASSWORD}\n")
        closed = free_port()
        config = tmp_path / "samantha.yaml"
        config.write_text(f"""\
name: Home
rooms: [{{name: Office}}]
devices: [{{name: Lamp, room: Office, kind: light}}]
mqtt: {{host: 127.0.0.1, port: {broker.port}, username: {broker.username},
        password: !secret mqtt_password}}
homeassistant:
  url: "http://admin:{URL_PASSWORD}@127.0.0.1:{closed}/?key={QUERY_KEY}"
  token: !secret ha_token
  timeout: 1
persona:
  llm: {{base_url: "{llm.base_url}", api_key: !secret llm_key, model: scripted}}
""")
        bad = tmp_path / "bad.yaml"
        bad.write_text(config.read_text().replace(f"port: {broker.port}",
                                                  "port: !secret mqtt_password")
                       .replace("timeout: 1", "timeout: !secret ha_token"))
        env = {**os.environ, "LLM_KEY": LLM_KEY, "SAMANTHA_DATA_DIR": str(tmp_path / "data")}
        yield Planted(config, bad, env, llm)


def _no_sentinel(out: str, what: str) -> None:
    for sentinel in SENTINELS:
        assert sentinel not in out, f"{what} leaked {sentinel}:\n{out}"


def test_no_command_prints_a_secret_at_any_verbosity(planted: Planted) -> None:
    cfg = str(planted.config)
    commands: list[tuple[str, ...]] = [
        ("config", "check", "-c", cfg),
        ("say", "what is the meaning of life", "--room", "office", "-c", cfg),
        ("say", "-", "--room", "office", "--json", "-c", cfg),
        ("persona", "status", "-c", cfg),
    ]
    once: list[tuple[str, ...]] = [
        ("persona", "status", "--json", "-c", cfg),
        ("devices", "--json", "-c", cfg),
        ("plugins", "-c", cfg),
        ("config", "check", "-c", str(planted.bad_config)),
    ]
    runs = [(v, c) for v in ("", "-v", "-vv") for c in commands] + [("-vv", c) for c in once]
    for verbosity, command in runs:
        args = ((verbosity,) if verbosity else ()) + command
        out = samantha_cli(*args, env=planted.env, stdin="tell me a joke\n", timeout=60)
        _no_sentinel(out.stdout + out.stderr, " ".join(args))
        if command[0] == "config" and "bad" in command[-1]:
            assert out.returncode == 2 and "mqtt.port" in out.stderr, out.stderr
        else:
            assert out.returncode == 0, out.stderr
    # The leaks were really provoked: the model was asked (with the key, echoed back in its
    # error body) and the URL with credentials is what persona status reports.
    assert any(r.headers.get("authorization") == f"Bearer {LLM_KEY}"
               for r in planted.llm.requests)
    status = samantha_cli("persona", "status", "-c", cfg, env=planted.env)
    assert f"model: scripted at {planted.llm.base_url}" in status.stdout


def test_log_warning_about_the_model_error_is_redacted(planted: Planted) -> None:
    out = samantha_cli("-v", "say", "what is the meaning of life", "--room", "office",
                       "-c", str(planted.config), env=planted.env, timeout=60)
    assert re.search(r"the model failed \(.*Incorrect API key provided: Bearer \*\*\*",
                     out.stderr), out.stderr


def test_redact_masks_url_credentials_it_never_saw() -> None:
    # The registry is per process: a secret an earlier test registered ("test" is a valid
    # four-character alarm code) would mask parts of this URL too.
    redact.forget_all()
    text = redact.redact("GET http://bob:hunter2x@example.test/x?a=1&api_key=abc123&b=2 "
                         "and https://tok@example.test/")
    assert "hunter2x" not in text and "abc123" not in text and "tok@" not in text
    assert "http://bob:***@example.test/x?a=1&api_key=***&b=2" in text
