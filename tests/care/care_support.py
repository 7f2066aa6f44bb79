"""A house for the care tests, started with a fake clock, and what it said."""

from __future__ import annotations

import asyncio
import textwrap
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from samantha.events import ReplySpoken
from samantha.house import House
from samantha.plugins.automations.clock import FakeClock
from samantha.plugins.automations.plugin import engine_for
from samantha.plugins.care.plugin import settled
from samantha.plugins.care.speakfirst import ProactiveSpoken
from samantha.plugins.care.state import care_for
from samantha.plugins.people.speaker import speaking

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = datetime(2026, 11, 23, 6, 0, tzinfo=BERLIN)

HOUSE = """\
name: Care House
rooms:
  - {name: Kitchen}
  - {name: Living Room}
  - {name: Hallway}
  - {name: Bedroom}
devices:
  - {name: Kitchen Light, room: Kitchen, kind: light}
  - {name: Coffee Machine, room: Kitchen, kind: switch}
  - {name: Hall Light, room: Hallway, kind: light}
  - {name: Front Door, room: Hallway, kind: lock}
  - {name: Lamp, room: Living Room, kind: light}
  - {name: Anna Phone, room: Hallway, kind: binary_sensor, device_class: presence}
people:
  anna: {rooms: [Living Room]}
  ben: {rooms: [Bedroom]}
persona:
  memory: {path: memory.db, by_meaning: false}
automation_settings:
  timezone: Europe/Berlin
  watch: false
automations: []
"""


def write_house(directory: Path, extra: str = "") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "samantha.yaml"
    config.write_text(HOUSE + textwrap.dedent(extra), encoding="utf-8")
    return config


class Running:
    """A started house, its fake clock, and everything it said (room, text)."""

    def __init__(self, house: House, clock: FakeClock) -> None:
        self.house = house
        self.clock = clock
        self.said: list[tuple[str, str]] = []
        self.first: list[ProactiveSpoken] = []
        house.bus.subscribe(ReplySpoken, lambda e: self.said.append((e.room, e.text)))
        house.bus.subscribe(ProactiveSpoken, self.first.append)

    async def say(self, text: str, room: str, person: str | None = None) -> str:
        if person is None:
            outcome = await self.house.handle_text(text, room)
        else:
            with speaking(person, 0.9):
                outcome = await self.house.handle_text(text, room)
        await self.settle()
        return outcome.reply

    async def settle(self) -> None:
        await self.house.bus.drain()
        await settled(self.house)
        await self.house.bus.drain()

    async def at(self, when: datetime) -> None:
        await self.clock.advance_to(when)
        await self.settle()

    def state(self, device: str) -> dict[str, Any]:
        return self.house.home.devices[device].state


def follow(fake: FakeClock) -> None:
    """The people plugin's clock (presence, memory) reads the fake one: one time for all."""
    from samantha.plugins.people import clock

    clock.follow(lambda: fake.now().timestamp())


async def start(config: Path, clock: FakeClock) -> tuple[House, Running]:
    follow(clock)
    house = House.prepare(config)
    engine_for(house, clock=clock)
    care_for(house, clock=clock)
    running = Running(house, clock)
    await house.start()
    await asyncio.sleep(0)
    return house, running
