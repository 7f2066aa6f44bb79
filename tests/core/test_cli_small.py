"""Small promises of the command line: empty input refused, JSON errors, ids never cut."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import samantha_cli

LONG_ID = "kitchen.the_very_long_under_cabinet_counter_light_strip_by_the_window"

CONFIG = """\
rooms: [{name: Kitchen}]
devices:
  - {name: The Very Long Under Cabinet Counter Light Strip By The Window, room: Kitchen,
     kind: light}
"""


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("small") / "samantha.yaml"
    path.write_text(CONFIG)
    return path


@pytest.mark.parametrize("text", ["", "   "])
def test_say_refuses_empty_text(config: Path, text: str) -> None:
    out = samantha_cli("say", text, "--room", "kitchen", "-c", str(config))
    assert out.returncode == 2
    assert out.stdout == ""
    assert "nothing to say: TEXT is empty" in out.stderr


@pytest.mark.parametrize(("args", "error"), [
    (["say", "", "--room", "kitchen"], "nothing to say"),
    (["say", "hello", "--room", "attic"], "unknown room 'attic'"),
    (["say", "hello"], "Missing option '--room'"),
    (["devices", "--bogus"], "No such option '--bogus'"),
])
def test_json_commands_report_errors_as_json(config: Path, args: list[str], error: str) -> None:
    out = samantha_cli(*args, "-c", str(config), "--json")
    assert out.returncode == 2
    answer = json.loads(out.stdout)
    assert error in answer["error"], answer


def test_config_errors_as_json(tmp_path: Path) -> None:
    bad = tmp_path / "samantha.yaml"
    bad.write_text("rooms: [{name: Kitchen}]\nroms: []\n")
    out = samantha_cli("say", "hello", "--room", "kitchen", "-c", str(bad), "--json")
    assert out.returncode == 2
    answer = json.loads(out.stdout)
    assert answer["error"] == "The configuration has 1 problem"
    assert "did you mean 'rooms'" in answer["issues"][0] and ":2:" in answer["issues"][0]


def test_devices_piped_never_cuts_ids(config: Path) -> None:
    out = samantha_cli("devices", "-c", str(config), env=None)
    assert out.returncode == 0, out.stderr
    header, row = out.stdout.splitlines()
    assert header.split() == ["id", "name", "room", "kind", "state"]
    assert row.startswith(LONG_ID + "  ")
    assert "…" not in out.stdout and "The Very Long Under Cabinet Counter Light Strip By The " \
           "Window" in row
