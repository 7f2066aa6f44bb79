"""Every intent the configured language's templates define has a handler, or a documented
reason in docs/intents.md ("Intents without a handler"); nothing answers "I can't do it yet"."""

from __future__ import annotations

import re
from pathlib import Path

from home_assistant_intents import get_intents

from samantha.house import House

DOCS = Path(__file__).resolve().parents[2] / "docs" / "intents.md"


def documented_reasons() -> dict[str, str]:
    """Intent -> reason, from the table under '## Intents without a handler'."""
    text = DOCS.read_text()
    section = text.split("## Intents without a handler", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\|\s*`?(\w+)`?\s*\|\s*(.+?)\s*\|\s*$", section, re.MULTILINE)
    return {intent: reason for intent, reason in rows if intent not in ("Intent",)
            and not set(intent) <= {"-"}}


async def test_every_template_intent_has_a_handler_or_a_reason(house: House) -> None:
    templates = get_intents(house.config.language)
    assert templates is not None
    reasons = documented_reasons()
    missing = sorted(i for i in templates["intents"]
                     if i not in house.handlers and i not in reasons)
    assert not missing, f"intents with neither a handler nor a documented reason: {missing}"
    # A reason for an intent that has a handler is stale documentation.
    assert not [i for i in reasons if i in house.handlers]
    print(f"{len(templates['intents'])} template intents, {len(reasons)} documented without "
          "a handler")


async def test_every_intent_is_listed_in_the_docs(house: House) -> None:
    text = DOCS.read_text()
    unlisted = sorted(i for i in house.intents_data()["intents"] if f"`{i}`" not in text)
    assert not unlisted, f"docs/intents.md does not list {unlisted}"


async def test_an_unhandled_intent_says_what_was_understood(house: House) -> None:
    house.handlers.pop("HassGetWeather")
    outcome = await house.handle_text("what is the weather like", "kitchen")
    assert outcome.intent == "HassGetWeather"
    assert "get weather" in outcome.reply and "can't do it yet" not in outcome.reply
