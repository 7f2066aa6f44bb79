"""Fixtures: houses written to YAML files, a fake clock, and a real Mosquitto broker."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from samantha.house import House
from samantha.plugins.automations.clock import FakeClock
from samantha.plugins.automations.plugin import engine_for

# isort: split
# pytest puts this directory on sys.path for the test modules only after loading this
# conftest; add it now so that both import the one `automations_support` module.
sys.path.insert(0, str(Path(__file__).parent))
from automations_support import BERLIN, Running, write_house


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2024, 6, 1, 12, 0, tzinfo=BERLIN))


@pytest.fixture
def running(tmp_path: Path, clock: FakeClock) -> Callable[..., Any]:
    @asynccontextmanager
    async def start(automations: str, extra: str = "", **engine: Any) -> AsyncIterator[Running]:
        house = House.prepare(write_house(tmp_path, automations, extra))
        made = engine_for(house, clock=clock, **engine)
        assert made is not None
        watching = Running(house, made, clock)  # listening before startup triggers run
        async with house:
            yield watching

    return start


