"""The demo house's new devices by `samantha say - --json`, as a newcomer would try them."""

from __future__ import annotations

import json
import os
from pathlib import Path

from harness.cli import samantha_cli

SENTENCES = [
    "play some jazz",
    "add milk to my shopping list",
    "what is the weather like",
    "start the robot vacuum",
    "activate movie night",
    "turn on the lights",
]


def test_demo_house_new_devices_by_say(tmp_path: Path) -> None:
    env = {**os.environ, "SAMANTHA_DATA_DIR": str(tmp_path)}
    out = samantha_cli("say", "-", "--room", "kitchen", "--json",
                       stdin="\n".join(SENTENCES) + "\n", env=env)
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    replies = [line["reply"] for line in lines]
    assert replies == [
        "Okay, playing some jazz on the Kitchen Radio.",
        "Okay, I've added milk to the Shopping List.",
        "It's partly cloudy and 14 degrees.",
        "Okay, the Robot Vacuum is cleaning.",
        "Okay, Movie Night is on.",
        "Okay, the Kitchen Ceiling Light and the Counter Lights are on.",
    ], replies
    assert [line["intent"] for line in lines] == [
        "HassMediaSearchAndPlay", "HassListAddItem", "HassGetWeather", "HassVacuumStart",
        "HassTurnOn", "HassTurnOn"]
    statuses = {r["status"] for line in lines for r in line["results"]}
    assert statuses == {"done"}
