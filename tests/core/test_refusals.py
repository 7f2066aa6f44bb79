"""True refusals and what goes to the persona: words a wildcard caught are not names."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from samantha.house import House
from samantha.refusals import plausible_name

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def demo() -> AsyncIterator[House]:
    async with House.prepare(None) as house:
        yield house


@pytest.mark.parametrize("words", ["is the", "every room", "home", "are any second",
                                   "tv 20 percent", "at home", "busy on fridays", "for the plumber",
                                   ""])
async def test_words_that_are_no_name(words: str) -> None:
    assert not plausible_name(words)


@pytest.mark.parametrize("words", ["garage", "ceiling fan", "guest room", "jacuzzi",
                                   "home office"])
async def test_words_that_can_be_a_name(words: str) -> None:
    assert plausible_name(words)


@pytest.mark.parametrize(("sentence", "reply"), [
    ("turn on the lights in the garage", "I don't know a room called garage."),
    # a room's lights, or lights called that: either way nothing here is called that
    ("turn on the garage lights", "I don't know a room or a device called garage."),
    ("turn on the jacuzzi", "I don't know a device called jacuzzi."),
    # a room named before a singular device word is the device's name
    ("turn on the ceiling fan", "I don't know a device called ceiling fan."),
    ("turn off the overhead light in the kitchen", "I don't know a device called overhead light."),
    # a known room before an unknown device: the device is unknown, not the room
    ("turn on the kitchen play corner lights", "I don't know a device called play corner."),
    ("turn off the lights on the fifth floor", "I don't know a floor called fifth."),
])
async def test_true_refusals_name_what_was_said(demo: House, sentence: str, reply: str) -> None:
    outcome = await demo.handle_text(sentence, "kitchen")
    assert outcome.reply == reply and outcome.commands == []


# The false refusals of issue 14 and the people questions of issue 16 (item 6).
@pytest.mark.parametrize("sentence", [
    "is the floor wet?", "turn off the lights at home", "is the party still on",
    "is the kitchen light broken", "what is the meaning of life",
    "is anyone busy on fridays", "who is coming tonight", "is everyone asleep",
    "is anyone home", "are we doing anything this weekend", "is mom coming for dinner",
    "am I late", "how many people are at the party", "open up for the plumber",
])
async def test_no_device_named_goes_to_the_persona(demo: House, sentence: str) -> None:
    outcome = await demo.handle_text(sentence, "kitchen")
    assert "don't know a" not in outcome.reply
    assert outcome.source != "intent" and outcome.intent is None and not outcome.commands


async def test_a_device_the_home_has_is_never_refused(tmp_path: Path) -> None:
    path = tmp_path / "samantha.yaml"
    path.write_text("rooms: [{name: Cellar}]\n"
                    "devices:\n"
                    "  - {name: Furnace, room: Cellar, kind: sensor, device_class: temperature,\n"
                    "     state: {value: 380, unit: °C}}\n")
    async with House.prepare(path) as house:
        # the furnace is a sensor here: a reading that took it for a room was wrong
        outcome = await house.handle_text("what is the temperature of the furnace", "cellar")
        assert "don't know" not in outcome.reply


async def test_people_questions_are_device_questions_when_people_are_devices(
        tmp_path: Path) -> None:
    path = tmp_path / "samantha.yaml"
    path.write_text("rooms: [{name: Hall}]\n"
                    "devices:\n"
                    "  - {name: Jane, room: Hall, kind: person, state: {state: home}}\n"
                    "  - {name: Ada, room: Hall, kind: person, state: {state: work}}\n")
    async with House.prepare(path) as house:
        outcome = await house.handle_text("is jane home", "hall")
        assert outcome.intent == "HassGetState" and outcome.slots["state"] == "home"
        outcome = await house.handle_text("is ada at work", "hall")
        assert outcome.intent == "HassGetState" and outcome.slots["state"] == "work"
        outcome = await house.handle_text("is anyone busy on fridays", "hall")
        assert outcome.intent is None and "don't know" not in outcome.reply
