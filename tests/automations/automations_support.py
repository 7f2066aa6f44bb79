"""Helpers for the automation tests: houses written to YAML files, and a running house."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from samantha.events import ReplySpoken
from samantha.house import House
from samantha.plugins.automations.clock import FakeClock
from samantha.plugins.automations.engine import Engine

BERLIN = ZoneInfo("Europe/Berlin")

HOUSE = """\
name: Test House
rooms:
  - name: Hallway
  - name: Kitchen
  - name: Living Room
devices:
  - {name: Hall Light, room: Hallway, kind: light}
  - {name: Hall Motion, room: Hallway, kind: binary_sensor, device_class: motion}
  - {name: Front Door, room: Hallway, kind: binary_sensor, device_class: door}
  - {name: Kitchen Light, room: Kitchen, kind: light}
  - {name: Kettle, room: Kitchen, kind: switch}
  - {name: Thermometer, room: Living Room, kind: sensor, state: {value: 20}}
  - {name: Lamp, room: Living Room, kind: light}
automation_settings:
  latitude: 52.52
  longitude: 13.40
  timezone: Europe/Berlin
  watch_interval: 0.1
automations: !include automations.yaml
"""


def write_house(directory: Path, automations: str, extra: str = "") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "automations.yaml").write_text(textwrap.dedent(automations), encoding="utf-8")
    config = directory / "samantha.yaml"
    config.write_text(HOUSE + textwrap.dedent(extra), encoding="utf-8")
    return config


class Running:
    """A started house with its engine, fake clock and what it said."""

    def __init__(self, house: House, engine: Engine, clock: FakeClock) -> None:
        self.house = house
        self.engine = engine
        self.clock = clock
        self.said: list[tuple[str, str]] = []
        house.bus.subscribe(ReplySpoken, lambda e: self.said.append((e.room, e.text)))

    def state(self, device: str) -> dict[str, Any]:
        return self.house.home.devices[device].state

    def set(self, device: str, **changes: Any) -> None:
        self.house.home.update_state(device, changes)

    async def settle(self, seconds: float = 0.02) -> None:
        await self.house.bus.drain()
        await asyncio.sleep(seconds)
        await self.house.bus.drain()

    def traces(self, automation: str) -> list[Any]:
        return self.engine.traces.traces(automation)


