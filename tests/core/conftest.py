from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from samantha.house import House


@pytest.fixture
async def demo() -> AsyncIterator[House]:
    house = House.prepare(None)
    async with house:
        yield house
