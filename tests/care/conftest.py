"""Care tests: a small house with two people, a fake clock shared by the automations engine,
the care plugin and the people plugin's presence, and memory in tmp_path."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# isort: split
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SAMANTHA_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture(autouse=True)
def people_clock_back() -> Iterator[None]:
    """The people plugin's clock follows the fake one in a test; later tests get wall time."""
    from samantha.plugins.people import clock

    yield
    clock.reset()
