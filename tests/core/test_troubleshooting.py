"""docs/troubleshooting.md is keyed by messages Samantha really prints: every message quoted in
a heading is still in the code (its fixed parts, between the `…` that stand for values)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
PAGE = ROOT / "docs" / "troubleshooting.md"
# Messages that come from pydantic, not from Samantha's code.
FROM_PYDANTIC = {"Extra inputs are not permitted", "Field required"}


def _source() -> str:
    text = "\n".join(p.read_text(encoding="utf-8") for d in ("core", "plugins", "hardware")
                     for p in sorted((ROOT / d).rglob("*.py")))
    # Join string literals continued on the next line ("...left "\n    "out: %s").
    return re.sub(r"[\"']\s*\n\s*f?[\"']", "", text)


def test_every_quoted_message_is_still_printed() -> None:
    source = _source()
    headings = [line for line in PAGE.read_text(encoding="utf-8").splitlines()
                if line.startswith("### ")]
    assert len(headings) >= 25
    missing = []
    for heading in headings:
        for message in re.findall(r"`([^`]+)`", heading):
            if message in FROM_PYDANTIC:
                continue
            for piece in message.removeprefix("hint: ").split("…"):
                piece = piece.strip(" '\"()")
                if len(piece) >= 5 and piece not in source:
                    missing.append(f"{heading}: {piece!r}")
    assert not missing, "\n".join(missing)
