"""`samantha automations` says plainly when there is nothing, and never cuts ids."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness.cli import samantha_cli

SOURCE = Path(__file__).resolve().parents[2] / "examples" / "automations_house.yaml"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example copied away from any traces a run in the repository left beside it."""
    directory = tmp_path_factory.mktemp("automations")
    shutil.copytree(SOURCE.parent / "automations", directory / "automations")
    return Path(shutil.copy(SOURCE, directory))


def test_trace_of_an_unknown_automation_lists_the_known_ones(example: Path) -> None:
    out = samantha_cli("automations", "trace", "nope", "-c", str(example))
    assert out.returncode == 2
    assert "no automation 'nope'; the automations are: lights_at_dusk, garden_lights_off" \
        in out.stderr


def test_trace_in_a_house_without_automations_says_so(tmp_path: Path) -> None:
    cfg = tmp_path / "samantha.yaml"
    cfg.write_text("rooms: [{name: Kitchen}]\n")
    out = samantha_cli("automations", "trace", "nope", "-c", str(cfg))
    assert out.returncode == 2
    assert "no automation 'nope'; this configuration has no automations" in out.stderr
    assert "known: " not in out.stderr
    listed = samantha_cli("automations", "list", "-c", str(cfg))
    assert listed.returncode == 0
    assert listed.stdout.startswith("this configuration has no automations")


def test_trace_of_an_automation_that_never_ran(example: Path) -> None:
    out = samantha_cli("automations", "trace", "lights_at_dusk", "-c", str(example))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("lights_at_dusk: no traces: it has not run yet")


def test_list_piped_keeps_whole_ids(example: Path) -> None:
    out = samantha_cli("automations", "list", "-c", str(example))
    ids = [line.split()[0] for line in out.stdout.splitlines()[1:]]
    assert "garden_lights_off" in ids and "…" not in out.stdout
