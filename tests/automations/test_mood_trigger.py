"""An automation reacts when the persona's mood moves into another band."""

from __future__ import annotations

import asyncio
from pathlib import Path

from samantha.house import House
from samantha.plugins.persona.runtime import runtime_of

CONFIG = """\
rooms: [{name: Kitchen}]
devices: [{name: Lamp, room: Kitchen, kind: light}]
automations:
  - id: cheer_up
    triggers: [{trigger: event, event: mood}]
    actions: [{command: turn_on, device: Lamp}]
"""


async def test_mood_change_fires_the_mood_trigger(tmp_path: Path) -> None:
    cfg = tmp_path / "samantha.yaml"
    cfg.write_text(CONFIG)
    async with House.prepare(cfg) as house:
        runtime_of(house).nudge(0.9, 0.9)  # from resting to warm and lively
        for _ in range(250):  # up to 5 s: a loaded machine delays the automation
            await house.bus.drain()
            if house.home.devices["kitchen.lamp"].state["on"]:
                break
            await asyncio.sleep(0.02)
        assert house.home.devices["kitchen.lamp"].state["on"] is True
