"""How many inputs each fuzzer tried, reported at the end of the run (see conftest.py)."""

from __future__ import annotations

from collections import Counter

COUNTS: Counter[str] = Counter()


def tried(surface: str) -> None:
    COUNTS[surface] += 1
