"""The suggested-automations file: loaded after the configured ones, watched, reported with its
own file:line when broken (the configured automations keep running), listed with its origin."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from harness.waiting import until
from samantha.cli import cli

Start = Callable[..., Any]

OWN = """\
- id: hall_on_motion
  triggers: {trigger: state, device: Hall Motion, to: "on"}
  actions: {command: turn_on, device: Hall Light}
"""
SUGGESTED = """\
automations:
- id: suggested_kettle
  origin: suggested by the house; Anna said yes
  triggers: {trigger: state, device: Kitchen Light, to: "on"}
  actions: {command: turn_on, device: Kettle}
"""


async def test_suggested_file_loads_reloads_and_breaks_alone(tmp_path: Path,
                                                            running: Start) -> None:
    suggested = tmp_path / "automations.suggested.yaml"
    suggested.write_text(SUGGESTED.replace('to: "on"', 'to: "on", every: 5'))  # invalid
    async with running(OWN) as run:
        assert sorted(run.engine.runners) == ["hall_on_motion"]  # the owner's still run
        assert [str(i).split(": ")[0] for i in run.engine.issues] == [
            f"{suggested}:4:3"], run.engine.issues
        suggested.write_text(SUGGESTED)  # fixed: the watcher reloads it
        await until(lambda: "suggested_kettle" in run.engine.runners)
        run.set("kitchen.kitchen_light", on=True)
        await until(lambda: run.state("kitchen.kettle")["on"] is True)
    listed = CliRunner().invoke(cli, ["automations", "list", "--json", "-c",
                                              str(tmp_path / "samantha.yaml")])
    assert listed.exit_code == 0, listed.output
    origins = {r["id"]: r["origin"] for r in json.loads(listed.output)}
    assert origins == {"hall_on_motion": "configuration",
                       "suggested_kettle": "suggested by the house; Anna said yes"}
