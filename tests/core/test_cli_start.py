"""The command line answers without importing plugins; plugin commands load only when run."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import tomllib

from harness.cli import samantha_cli
from samantha.cli_commands import COMMAND_GROUP, declared_help

ROOT = Path(__file__).resolve().parents[2]

PARSE_AND_LIST_PLUGINS = """
import sys
from samantha.cli import cli
try:
    cli(sys.argv[1:], prog_name="samantha")
except SystemExit:
    pass
loaded = sorted(m for m in sys.modules if m.startswith(("samantha.plugins.", "samantha.house")))
print("LOADED:" + ",".join(loaded), file=sys.stderr)
"""


def loaded_after(*args: str, env: dict[str, str] | None = None) -> list[str]:
    out = subprocess.run([sys.executable, "-c", PARSE_AND_LIST_PLUGINS, *args],
                         capture_output=True, text=True, timeout=60, env=env, check=False)
    line = [ln for ln in out.stderr.splitlines() if ln.startswith("LOADED:")]
    assert line, out.stderr
    return [m for m in line[0].removeprefix("LOADED:").split(",") if m]


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["say"], ["say", "--help"],
                                  ["devices", "--help"], ["config", "check", "--help"]])
def test_help_and_usage_errors_import_no_plugin(args: list[str]) -> None:
    assert loaded_after(*args) == []


def test_a_plugin_command_imports_its_own_module_only() -> None:
    loaded = loaded_after("mqtt", "--help")
    assert "samantha.plugins.mqtt.cli" in loaded
    assert not [m for m in loaded if m.startswith(("samantha.plugins.persona",
                                                   "samantha.plugins.speech"))]


def test_help_lists_every_declared_command_with_its_docstring() -> None:
    out = samantha_cli("--help")
    assert out.returncode == 0, out.stderr
    for ep in entry_points(group=COMMAND_GROUP):
        module, _, attr = ep.value.partition(":")
        help_text = declared_help(module, attr)
        assert help_text, f"{ep.name}: no docstring found in {ep.value}"
        group, _, name = ep.name.rpartition(".")
        # "group.sub" is a subcommand another plugin adds to `group`: listed in its help.
        listing = samantha_cli(group, "--help").stdout if group else out.stdout
        row = next(ln for ln in listing.splitlines() if ln.strip().startswith(name + " "))
        assert help_text.split()[0] in row


def test_version() -> None:
    out = samantha_cli("--version")
    assert out.returncode == 0 and out.stdout.startswith("samantha, version ")


def test_installed_commands_match_pyproject() -> None:
    """A stale editable install would silently lose commands: re-run `make` when this fails."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())[
        "project"]["entry-points"][COMMAND_GROUP]
    installed = {ep.name: ep.value for ep in entry_points(group=COMMAND_GROUP)}
    assert {k: v for k, v in installed.items() if k in declared} == declared


# --- a third-party package, installed as a plain dist-info on the path -------------------------

DECLARED_MODULE = '''
import click

@click.command()
@click.option("--times", default=1, help="How often.")
def water(times):
    """Water the garden now."""
    click.echo("watered " * times)
'''

LEGACY_MODULE = '''
import click
from samantha import hookimpl

@click.command("legacy-hello")
def hello():
    """An old-style command."""
    click.echo("hello from the hook")

@hookimpl
def samantha_cli_commands(cli):
    cli.add_command(hello)
'''

BROKEN_MODULE = "raise ImportError('garden_broken needs the sprinkler SDK')\n"


@pytest.fixture(scope="module")
def third_party(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    site = tmp_path_factory.mktemp("site")
    (site / "garden_cli.py").write_text(DECLARED_MODULE)
    (site / "garden_legacy.py").write_text(LEGACY_MODULE)
    (site / "garden_broken.py").write_text(BROKEN_MODULE)
    dist = site / "garden-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: garden\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[samantha]\ngarden_legacy = garden_legacy\n\n"
        "[samantha.commands]\nwater = garden_cli:water\nbroken = garden_broken:command\n")
    return {**os.environ, "PYTHONPATH": str(site)}


def test_third_party_declared_command_in_help_without_import(third_party: dict[str, str]) -> None:
    out = samantha_cli("--help", env=third_party)
    assert "water" in out.stdout and "Water the garden now." in out.stdout
    probe = subprocess.run(
        [sys.executable, "-c", PARSE_AND_LIST_PLUGINS.replace(
            '("samantha.plugins.", "samantha.house")', '("garden",)'), "--help"],
        capture_output=True, text=True, env=third_party, timeout=60, check=False)
    assert "LOADED:\n" in probe.stderr + "\n", probe.stderr


def test_third_party_declared_command_runs(third_party: dict[str, str]) -> None:
    out = samantha_cli("water", "--times", "2", env=third_party)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "watered watered"


def test_legacy_hook_still_adds_commands(third_party: dict[str, str]) -> None:
    out = samantha_cli("legacy-hello", env=third_party)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "hello from the hook"


def test_a_broken_command_is_reported_and_the_others_work(third_party: dict[str, str]) -> None:
    out = samantha_cli("broken", env=third_party)
    assert out.returncode == 2
    assert "garden_broken:command" in out.stderr and "sprinkler SDK" in out.stderr
    assert "Traceback" not in out.stderr
    assert samantha_cli("water", env=third_party).returncode == 0
    assert samantha_cli("--help", env=third_party).returncode == 0


def test_unknown_command_is_a_usage_error() -> None:
    out = samantha_cli("nope")
    assert out.returncode == 2 and "No such command 'nope'" in out.stderr
