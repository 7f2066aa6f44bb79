"""Care tests: a small house with two people, a fake clock shared by the automations engine
and the care plugin, and memory in tmp_path."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# isort: split
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SAMANTHA_DATA_DIR", str(tmp_path / "data"))
