"""Floors are places: `floors:` (name, aliases, level), rooms on them, commands and questions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from samantha.config import ConfigError
from samantha.home import Home, Room
from samantha.house import House

# One house for the module (starting one costs seconds); each test starts from its first state.
pytestmark = pytest.mark.asyncio(loop_scope="module")

HOUSE = """\
name: Three Storeys
floors:
  - {name: Ground Floor, level: 0, aliases: [main floor]}
  - {name: First Floor, level: 1}
  - {name: Attic, level: 2}
  - {name: Basement, level: -1}
rooms:
  - {name: Kitchen, floor: ground floor}
  - {name: Hallway, floor: Main Floor}
  - {name: Bedroom, floor: first floor}
  - {name: Study, floor: attic}
  - {name: Cellar, floor: basement}
  - {name: Shed}
devices:
  - {name: Kitchen Light, room: Kitchen, kind: light, state: {on: true}}
  - {name: Hall Light, room: Hallway, kind: light, state: {on: true}}
  - {name: Bedroom Light, room: Bedroom, kind: light, state: {on: true}}
  - {name: Study Lamp, room: Study, kind: light, state: {on: true}}
  - {name: Cellar Light, room: Cellar, kind: light, state: {on: true}}
  - {name: Shed Light, room: Shed, kind: light, state: {on: true}}
  - {name: Bedroom Blinds, room: Bedroom, kind: cover, device_class: blind}
"""


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def started(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[House]:
    path = tmp_path_factory.mktemp("floors") / "samantha.yaml"
    path.write_text(HOUSE)
    async with House.prepare(path) as house:
        yield house


@pytest.fixture
def house(started: House) -> House:
    for device in started.home.devices.values():
        device.state = {**device.state, **({"on": True} if device.kind.value == "light"
                                            else {"position": 0})}
    return started


def lights_on(house: House) -> set[str]:
    return {d.name for d in house.home.devices.values()
            if d.kind.value == "light" and d.state["on"]}


async def test_rooms_belong_to_declared_floors_by_name_or_alias(house: House) -> None:
    home = house.home
    assert set(home.floors) == {"ground_floor", "first_floor", "attic", "basement"}
    assert home.rooms["hallway"].floor == "Ground Floor"  # said by its alias
    assert home.rooms["shed"].floor is None
    assert {r.id for r in home.rooms_on_floor("Main Floor")} == {"kitchen", "hallway"}


async def test_turn_off_the_lights_on_the_first_floor(house: House) -> None:
    outcome = await house.handle_text("turn off the lights on the first floor", "kitchen")
    assert outcome.intent == "HassTurnOff" and outcome.slots["floor"] == "First Floor"
    assert lights_on(house) == {"Kitchen Light", "Hall Light", "Study Lamp", "Cellar Light",
                                "Shed Light"}


async def test_an_alias_names_the_floor(house: House) -> None:
    await house.handle_text("turn off the lights on the main floor", "bedroom")
    assert "Kitchen Light" not in lights_on(house) and "Hall Light" not in lights_on(house)
    assert "Bedroom Light" in lights_on(house)


async def test_upstairs_is_every_floor_above_ground(house: House) -> None:
    outcome = await house.handle_text("turn off the lights upstairs", "kitchen")
    assert outcome.slots["floor"] == "upstairs"
    assert lights_on(house) == {"Kitchen Light", "Hall Light", "Cellar Light", "Shed Light"}


async def test_downstairs_is_ground_and_below(house: House) -> None:
    await house.handle_text("turn off the lights downstairs", "study")
    assert lights_on(house) == {"Bedroom Light", "Study Lamp", "Shed Light"}


async def test_questions_about_a_floor(house: House) -> None:
    await house.handle_text("turn off the study lamp", "kitchen")
    outcome = await house.handle_text("are any lights on upstairs", "kitchen")
    assert outcome.intent == "HassGetState"
    assert "Bedroom Light" in outcome.reply and "Study Lamp" not in outcome.reply
    assert "Kitchen" not in outcome.reply


async def test_covers_on_a_floor(house: House) -> None:
    outcome = await house.handle_text("open the upstairs blinds", "kitchen")
    assert [c.device for c in outcome.commands] == ["bedroom.bedroom_blinds"]
    assert house.home.devices["bedroom.bedroom_blinds"].state["position"] == 100


async def test_a_floor_called_upstairs_wins_over_levels(house: House) -> None:
    home = house.home
    assert {f.name for f in home.floors_called("upstairs")} == {"First Floor", "Attic"}
    home.floors["attic"].aliases.append("upstairs")
    try:
        assert [f.name for f in home.floors_called("upstairs")] == ["Attic"]
        assert ("upstairs", "Attic") in home.floor_names()
        assert ("upstairs", "upstairs") not in home.floor_names()
    finally:
        home.floors["attic"].aliases.remove("upstairs")


async def test_an_unknown_floor_is_named_in_the_refusal(house: House) -> None:
    outcome = await house.handle_text("turn off the lights on the fifth floor", "kitchen")
    assert "floor called fifth" in outcome.reply and not outcome.commands
    assert len(lights_on(house)) == 6


async def test_undeclared_floor_on_a_room_is_a_config_error_with_a_suggestion(
        tmp_path: Path) -> None:
    path = tmp_path / "samantha.yaml"
    path.write_text(HOUSE.replace("{name: Bedroom, floor: first floor}",
                                  "{name: Bedroom, floor: frist floor}"))
    with pytest.raises(ConfigError) as err:
        House.prepare(path)
    text = str(err.value)
    assert "samantha.yaml:10:" in text and "rooms[2].floor" in text
    assert "frist floor" in text and "did you mean 'First Floor'?" in text


async def test_without_floors_the_rooms_floors_are_the_floors() -> None:
    home = Home()
    home.add_room(Room(id="kitchen", name="Kitchen", floor="ground floor"))
    home.add_room(Room(id="bedroom", name="Bedroom", floor="First Floor"))
    home.add_room(Room(id="office", name="Office", floor="first floor"))
    assert {f.name for f in home.floors.values()} == {"ground floor", "First Floor"}
    assert {r.id for r in home.rooms_on_floor("first floor")} == {"bedroom", "office"}
    assert home.floors_called("upstairs") == []  # no levels: nothing is "upstairs"
