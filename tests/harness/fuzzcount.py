"""What a hypothesis fuzzer tried, printed at the end of the run (`make test`, `make fuzz`).

A test hands its line to pytest's `record_property`, so it travels on the test's own report and
reaches the end of the run from a parallel worker too (`pytest -n`); tests/conftest.py prints
the lines. Printing past the capture from a worker would be lost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

Record = Callable[[str, object], None]  # pytest's record_property fixture
KEY = "fuzz"


def report_fuzz(record: Record, surface: str, inputs: int, detail: str = "") -> None:
    """One fuzzer's line: how many inputs it tried (and how they came out)."""
    record(KEY, f"fuzz {surface}: {inputs:,} inputs{f' ({detail})' if detail else ''}, "
                "0 tracebacks")


@dataclass
class FuzzCount:
    surface: str
    outcomes: Counter[str] = field(default_factory=Counter)

    def saw(self, outcome: str) -> None:
        self.outcomes[outcome] += 1

    @property
    def total(self) -> int:
        return sum(self.outcomes.values())

    def report(self, record: Record) -> None:
        parts = ", ".join(f"{n} {k}" for k, n in sorted(self.outcomes.items()))
        report_fuzz(record, self.surface, self.total, parts)
