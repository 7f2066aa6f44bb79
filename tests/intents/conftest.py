"""Fixtures: the every-kind house, in the test's own data directory."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from samantha.house import House

# isort: split
sys.path.insert(0, str(Path(__file__).parent))
from every_kind import write_house


@pytest.fixture
def house_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Lists and memories of this house live in the test's own data directory.
    monkeypatch.setenv("SAMANTHA_DATA_DIR", str(tmp_path / "data"))
    return write_house(tmp_path / "house")


@pytest.fixture
async def house(house_path: Path) -> AsyncIterator[House]:
    async with House.prepare(house_path) as running:
        yield running


