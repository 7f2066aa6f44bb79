"""Replies in good English: agreement, lists joined naturally, numbers and units."""

from __future__ import annotations

import pytest

from samantha import replies


@pytest.mark.parametrize(("name", "plural"), [
    ("Kitchen Lights", True), ("Lamp", False), ("Counter Lights", True), ("Blinds", True),
    ("Bedroom Blinds", True), ("Glass", False), ("TV", False), ("Bus", False),
    ("Status", False), ("Fairy Lights", True), ("Desk Lamp", False), ("Speakers", True),
    ("Boiler", False), ("Radio", False), ("Kettle", False), ("Anna's", False),
])
def test_plural_names(name: str, plural: bool) -> None:
    assert replies.is_plural(name) is plural


def test_agreement() -> None:
    what, plural = replies.join_names(["Kitchen Lights"])
    assert f"{what} {replies.be(plural)} on" == "the Kitchen Lights are on"
    what, plural = replies.join_names(["Lamp"])
    assert f"{what} {replies.be(plural)} on" == "the Lamp is on"
    what, plural = replies.join_names(["Lamp", "Fan"])
    assert f"{what} {replies.be(plural)} off" == "the Lamp and the Fan are off"


def test_lists_joined_naturally() -> None:
    assert replies.join([]) == ""
    assert replies.join(["the lamp"]) == "the lamp"
    assert replies.join(["the lamp", "the fan"]) == "the lamp and the fan"
    assert replies.join(["the lamp", "the fan", "the TV"]) == "the lamp, the fan and the TV"
    assert replies.join(["tea", "milk"], "or") == "tea or milk"
    assert replies.join_names(["Lamp", "Fan", "TV"])[0] == "the Lamp, the Fan and the TV"
    assert replies.the("the Big Lamp") == "the Big Lamp"


@pytest.mark.parametrize(("value", "said"), [
    (21.0, "21"), (21.5, "21.5"), (0.333, "0.33"), (1234567, "1,234,567"), (-3, "-3"),
    ("19.50", "19.5"), (None, "unknown"), ("abc", "abc"), (float("nan"), "nan"),
])
def test_numbers(value: object, said: str) -> None:
    assert replies.number(value) == said  # type: ignore[arg-type]


def test_units_said_in_words() -> None:
    assert replies.temperature(21) == "21 degrees"
    assert replies.temperature(1, "°F") == "1 degree"
    assert replies.measure(40, "%") == "40 percent"
    assert replies.measure(1, "W") == "1 watt"
    assert replies.measure(1500, "W") == "1,500 watts"
    assert replies.measure(3, "furlongs") == "3 furlongs"
    assert replies.percent(40.0) == "40 percent"
    assert replies.count(0, "item") == "no items"
    assert replies.count(1, "item") == "one item"
    assert replies.count(3, "box") == "3 boxes"


def test_sentence() -> None:
    assert replies.sentence("okay, the lamp is on") == "Okay, the lamp is on."
    assert replies.sentence("Shall I?") == "Shall I?"
    assert replies.sentence("") == ""
