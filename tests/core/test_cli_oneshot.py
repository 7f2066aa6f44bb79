"""One-shot commands wait briefly for absent services and say, once, what they left out."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.cli import samantha_cli
from harness.mosquitto import free_port

# The configured timeouts are long on purpose: a command that honoured them instead of its own
# short budget would take over 20 s, which the bound below catches.
CONFIG = """\
rooms: [{{name: Kitchen}}]
devices: [{{name: Lamp, room: Kitchen, kind: light}}]
mqtt: {{host: 127.0.0.1, port: {mqtt_port}, connect_timeout: 20,
        outbox_path: {outbox}}}
homeassistant: {{url: "http://127.0.0.1:{ha_port}", token: not-a-real-token, timeout: 20}}
"""


@pytest.fixture(scope="module")
def silent_port() -> Iterator[int]:
    """A port whose SYNs go unanswered, like a host that is down or firewalled.

    Its accept queue is full (backlog 0, never accepted, filled by pending connections), so
    Linux drops further connection attempts instead of refusing them.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        fillers = []
        for _ in range(4):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            filler.connect_ex(server.getsockname())
            fillers.append(filler)
        try:
            yield int(server.getsockname()[1])
        finally:
            for filler in fillers:
                filler.close()


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory, silent_port: int) -> Path:
    directory = tmp_path_factory.mktemp("oneshot")
    path = directory / "samantha.yaml"
    path.write_text(CONFIG.format(mqtt_port=free_port(), ha_port=silent_port,
                                  outbox=directory / "outbox.sqlite3"))
    return path


def skipped_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("skipped: ")]


def test_say_goes_on_without_the_broker_and_home_assistant(config: Path) -> None:
    started = time.monotonic()
    out = samantha_cli("say", "turn on the lamp", "--room", "kitchen", "-c", str(config),
                       "--connect-timeout", "0.5", timeout=60)
    took = time.monotonic() - started
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "Okay, the Lamp is on."
    lines = skipped_lines(out.stderr)
    assert len(lines) == 2, out.stderr
    assert any("Home Assistant" in ln and "did not answer within 0.5 s" in ln for ln in lines)
    assert any("MQTT broker" in ln and "(waited 0.5 s)" in ln for ln in lines)
    # One line per absent service: no retry warnings or log lines around them.
    assert "WARNING" not in out.stderr and "ERROR" not in out.stderr, out.stderr
    assert took < 20, f"say took {took:.1f} s: the configured 20 s timeouts were used"


def test_devices_json_lists_what_there_is_and_says_what_was_skipped(config: Path) -> None:
    out = samantha_cli("devices", "--json", "-c", str(config), "--connect-timeout", "0.3",
                       timeout=60)
    assert out.returncode == 0, out.stderr
    assert [d["id"] for d in json.loads(out.stdout)] == ["kitchen.lamp"]
    assert len(skipped_lines(out.stderr)) == 2, out.stderr


def test_config_check_contacts_nothing(config: Path) -> None:
    out = samantha_cli("config", "check", "-c", str(config), timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"{config}: OK (1 room)"
    assert skipped_lines(out.stderr) == [
        "skipped: services were not contacted (broker, Home Assistant, model); "
        "`samantha doctor` checks them"]
