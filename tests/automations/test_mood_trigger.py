"""An automation reacts when the persona's mood moves into another band."""

from __future__ import annotations

from pathlib import Path

from harness.waiting import until
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

        async def lamp_on() -> bool:
            await house.bus.drain()
            return house.home.devices["kitchen.lamp"].state["on"] is True

        # Up to 5 s: a loaded machine delays the automation.
        await until(lamp_on, 5, "the lamp switched on by the automation")
