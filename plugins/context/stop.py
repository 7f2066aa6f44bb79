"""Recognising "stop", "cancel" and "never mind" before any intent is matched.

Only the whole sentence counts ("stop", "okay stop", "stop it please"): "stop the vacuum" names
something and goes to the intents as usual.
"""

from __future__ import annotations

import re
from typing import Literal

Kind = Literal["stop", "cancel"]

# "stop" words may mean the music when the house is not speaking; "cancel" words never do.
WORDS: dict[str, dict[str, Kind]] = {
    "en": {
        **dict.fromkeys(("stop", "stop it", "stop talking", "stop that", "be quiet", "quiet",
                         "shut up", "hush", "silence", "enough", "that's enough",
                         "that is enough"), "stop"),
        **dict.fromkeys(("cancel", "cancel that", "cancel it", "never mind", "nevermind",
                         "forget it"), "cancel"),
    },
}
_FILLER_BEFORE = ("okay", "ok", "oh", "please", "samantha", "hey samantha")
_FILLER_AFTER = ("please", "samantha", "now", "thanks", "thank you")
_NOT_WORDS = re.compile(r"[^\w\s']+")


def _strip(text: str, fillers: tuple[str, ...], *, front: bool) -> str:
    changed = True
    while changed:
        changed = False
        for filler in fillers:
            if front and text.startswith(filler + " "):
                text, changed = text[len(filler) + 1:], True
            elif not front and text.endswith(" " + filler):
                text, changed = text[: -len(filler) - 1], True
    return text


def stop_kind(text: str, language: str) -> Kind | None:
    """Whether a whole sentence is a stop or cancel word (and which), else None."""
    words = WORDS.get(language)
    if not words:
        return None
    norm = " ".join(_NOT_WORDS.sub(" ", text.casefold().replace("\u2019", "'")).split())
    norm = _strip(_strip(norm, _FILLER_BEFORE, front=True), _FILLER_AFTER, front=False)
    return words.get(norm)
