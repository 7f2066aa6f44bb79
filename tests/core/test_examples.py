"""Everything in examples/ runs: configs check, the user plugin works end to end."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from harness.cli import samantha_cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def examples_with_secrets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/ as a user sets it up: secrets.example.yaml copied to secrets.yaml."""
    target = tmp_path_factory.mktemp("examples") / "examples"
    shutil.copytree(EXAMPLES, target, symlinks=False)
    shutil.copy(target / "secrets.example.yaml", target / "secrets.yaml")
    return target


@pytest.mark.parametrize("config", sorted(p.name for p in EXAMPLES.glob("*.yaml")
                                          if not p.name.startswith("secrets")))
def test_example_config_checks(config: str, examples_with_secrets: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "HA_TOKEN"))}
    out = samantha_cli("config", "check", "-c", str(examples_with_secrets / config), env=env)
    assert out.returncode == 0, out.stderr


def test_every_example_secret_is_in_the_example_secrets_file() -> None:
    used = {m for p in EXAMPLES.rglob("*.yaml")
            for m in re.findall(r"!secret\s+(\w+)", p.read_text())}
    listed = set(re.findall(r"^(\w+):", (EXAMPLES / "secrets.example.yaml").read_text(), re.M))
    assert used <= listed, f"add {sorted(used - listed)} to examples/secrets.example.yaml"


def test_user_plugin_waters_the_garden() -> None:
    out = samantha_cli("say", "-", "--room", "kitchen", "-c", str(EXAMPLES / "house.yaml"),
                       "--json", stdin="water the garden for 5 minutes\n"
                       "water the lawn for 90 minutes\nstop watering\nmovie night in the lounge\n")
    assert out.returncode == 0, out.stderr
    water, too_long, stop, movie = (json.loads(line) for line in out.stdout.splitlines())
    assert water["intent"] == "GardenWater" and water["slots"]["minutes"] == 5
    assert water["commands"] == [{"device": "garden.sprinkler", "action": "turn_on",
                                  "params": {"minutes": 5}}]
    assert "up to 20 minutes" in too_long["reply"]
    assert stop["reply"] == "Okay, I've stopped the sprinkler."
    assert movie["intent"] == "MovieNight"
    assert {c["device"] for c in movie["commands"]} == {
        "living_room.sofa_lamp", "living_room.arc_lamp", "living_room.patio_blinds"}


def test_init_writes_a_config_that_checks(tmp_path: Path) -> None:
    out = samantha_cli("init", str(tmp_path / "home"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "home" / "secrets.yaml").stat().st_mode & 0o077 == 0
    assert "proposed microphone profile" in (tmp_path / "home" / "samantha.yaml").read_text()
    check = samantha_cli("config", "check", "-c", str(tmp_path / "home" / "samantha.yaml"))
    assert check.returncode == 0, check.stderr
    again = samantha_cli("init", str(tmp_path / "home"))
    assert again.returncode != 0 and "already exists" in again.stderr
