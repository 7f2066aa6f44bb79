"""Automations speak through the persona and store memories with it."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from samantha.events import ReplySpoken
from samantha.house import House
from samantha.plugins.persona.runtime import runtime_of

CONFIG = """\
rooms: [{name: Kitchen}]
devices: [{name: Lamp, room: Kitchen, kind: light}]
persona:
  personas:
    - {name: Ada, announcement: "Psst. {message}"}
  memory: {path: memory.db}
automations:
  - id: lamp_on
    triggers: [{trigger: state, device: Lamp, to: "on"}]
    actions:
      - {say: "the lamp is on", room: Kitchen}
      - {say: "exactly this", room: Kitchen, verbatim: true}
      - {remember: "Ben turned the lamp on", person: Ben}
"""


async def test_say_is_phrased_by_the_persona_and_remember_stores(tmp_path: Path) -> None:
    cfg = tmp_path / "samantha.yaml"
    cfg.write_text(CONFIG)
    spoken: list[str] = []
    async with House.prepare(cfg) as house:
        house.bus.subscribe(ReplySpoken, lambda e: spoken.append(e.text))
        await house.handle_text("turn on the lamp", "kitchen")
        memory = runtime_of(house).memory
        # The automation runs in its own task, and `remember` is its step after the last
        # `say`: wait for both (up to 5 s: a loaded machine delays the automation).
        memories: list[str] = []
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            await house.bus.drain()
            memories = [m.text for m in memory.all("Ben")]
            if "exactly this" in spoken and "Ben turned the lamp on" in memories:
                break
            await asyncio.sleep(0.02)
    assert "Psst. the lamp is on" in spoken
    assert "exactly this" in spoken
    assert "Ben turned the lamp on" in memories
