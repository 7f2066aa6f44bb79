"""Counts what a hypothesis fuzzer tried and reports it past pytest's capture (for `make fuzz`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pytest


@dataclass
class FuzzCount:
    surface: str
    outcomes: Counter[str] = field(default_factory=Counter)

    def saw(self, outcome: str) -> None:
        self.outcomes[outcome] += 1

    @property
    def total(self) -> int:
        return sum(self.outcomes.values())

    def report(self, capsys: pytest.CaptureFixture[str]) -> None:
        parts = ", ".join(f"{n} {k}" for k, n in sorted(self.outcomes.items()))
        with capsys.disabled():
            print(f"\nfuzz {self.surface}: {self.total} inputs ({parts}), 0 tracebacks")
