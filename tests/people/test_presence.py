"""Presence: where each person is and how sure, from voices, sentences, person devices and
occupancy sensors, with decay on a controllable clock; arrivals and departures on the bus;
who is home in HOUSE DATA."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from harness.openai_server import Reply, ScriptedOpenAI
from samantha.events import ReplySpoken
from samantha.house import House
from samantha.plugins.people import clock
from samantha.plugins.people.events import PersonArrived, PersonLeft
from samantha.plugins.people.presence import MIN_CONFIDENCE, presence_of
from samantha.plugins.people.speaker import speaking

HOUSE = """\
name: Presence House
rooms: [{{name: Kitchen}}, {{name: Bedroom}}, {{name: Office}}, {{name: Hallway}}]
devices:
  - {{name: Kitchen Light, room: Kitchen, kind: light}}
  - {{name: Anna, room: Hallway, kind: person, state: {{state: home}}}}
  - {{name: Phone, room: Hallway, kind: person, state: {{state: not_home}}}}
  - {{name: Bedroom Occupancy, room: Bedroom, kind: binary_sensor, device_class: occupancy}}
  - {{name: Office Motion, room: Office, kind: binary_sensor, device_class: motion}}
people:
  anna: {{aliases: [annie]}}
  ben: {{rooms: [Bedroom]}}
  carl: {{presence: [hallway.phone]}}  # a tracker not named like him
automations:
  - id: welcome_home
    triggers: {{trigger: event, event: person_arrived, data: {{person: anna}}}}
    actions: {{say: "Welcome home, {{{{ trigger.data.person }}}}", room: Hallway, verbatim: true}}
persona:
  memory: {{path: memory.db, by_meaning: false}}
{llm}
"""
ANNA = "hallway.anna"
MINUTE = 60.0


@pytest.fixture(autouse=True)
def fresh_clock() -> Iterator[None]:
    clock.reset()
    yield
    clock.reset()


def config(tmp_path: Path, llm: str = "") -> Path:
    path = tmp_path / "house.yaml"
    path.write_text(HOUSE.format(llm=llm))
    return path


@pytest.fixture
async def house(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[House]:
    monkeypatch.setenv("SAMANTHA_DATA_DIR", str(tmp_path / "data"))
    async with House.prepare(config(tmp_path)) as running:
        yield running


class Seen:
    def __init__(self, house: House) -> None:
        self.events: list[PersonArrived | PersonLeft] = []
        house.bus.subscribe(PersonArrived, self.events.append)
        house.bus.subscribe(PersonLeft, self.events.append)
        self.said: list[str] = []
        house.bus.subscribe(ReplySpoken, lambda e: self.said.append(e.text))


async def change(house: House, device: str, **state: object) -> None:
    house.home.update_state(device, state)
    await house.bus.drain()


async def test_a_voice_places_its_speaker_and_the_room_fades_with_time(house: House) -> None:
    presence = presence_of(house)
    room, since, source = presence.where("anna")
    assert (room, source) == (None, "tracker") and presence.where("anna").home is True
    assert presence.where("carl").home is False and presence.trackers() == {
        ANNA: "anna", "hallway.phone": "carl"}
    with speaking("anna", 0.9):
        await house.handle_text("turn on the kitchen light", "kitchen")
    heard_at = clock.now()
    room, since, source = presence.where("anna")
    assert (room, source) == ("kitchen", "voice") and since == pytest.approx(heard_at, abs=1)
    assert presence.where("anna").confidence == pytest.approx(0.95, abs=0.01)
    assert house.home.devices[ANNA].state["room"] == "kitchen"  # shown on her person device
    clock.advance(20 * MINUTE)
    faded = presence.where("anna")
    assert faded.room == "kitchen" and MIN_CONFIDENCE < faded.confidence < 0.5
    clock.advance(20 * MINUTE)
    gone = presence.where("anna")
    assert gone.room is None and gone.last_room == "kitchen" and gone.home is True
    assert presence.where("nobody").source is None


async def test_a_sentence_without_a_voice_places_the_rooms_one_usual_person(
        house: House) -> None:
    presence = presence_of(house)
    assert presence.where("ben").home is None  # no tracker and nothing heard: unknown
    await house.handle_text("turn on the kitchen light", "bedroom")
    assert tuple(presence.where("ben"))[::2] == ("bedroom", "heard")
    assert presence.where("ben").confidence == pytest.approx(0.6, abs=0.01)
    assert sorted(presence.home()) == ["anna", "ben"]
    clock.advance(10 * MINUTE)
    with speaking(None, 0.3):  # a voice nobody enrolled, in Ben's room: not Ben
        await house.handle_text("turn on the kitchen light", "bedroom")
    assert presence.where("ben").since == pytest.approx(clock.now() - 10 * MINUTE, abs=1)
    with speaking("anna", 0.5):  # too unlike Anna to be her
        await house.handle_text("turn on the kitchen light", "office")
    assert presence.where("anna").room is None
    clock.advance(7 * 3600)  # without a tracker, nobody knows if Ben is still home
    assert presence.where("ben").home is None and presence.home() == ["anna"]


async def test_leaving_and_arriving_publish_events_and_a_voice_outweighs_a_late_tracker(
        house: House) -> None:
    presence, seen = presence_of(house), Seen(house)
    with speaking("anna", 0.9):
        await house.handle_text("turn on the kitchen light", "kitchen")
    clock.advance(MINUTE)
    await change(house, ANNA, state="not_home")
    assert [(type(e), e.person, e.zone) for e in seen.events] == [(PersonLeft, "anna", None)]
    away = presence.where("anna")
    assert (away.room, away.home, away.last_room, away.source) == (None, False, "kitchen",
                                                                  "tracker")
    assert house.home.devices[ANNA].state["room"] is None
    await change(house, ANNA, state="Work")
    assert len(seen.events) == 1 and presence.where("anna").zone == "Work"
    assert presence.home() == []
    clock.advance(MINUTE)
    with speaking("anna", 0.88):  # her phone has not told the house yet; her voice has
        await house.handle_text("turn on the kitchen light", "kitchen")
    await house.bus.drain()
    arrived = seen.events[-1]
    assert isinstance(arrived, PersonArrived)
    assert (arrived.person, arrived.room, arrived.source) == ("anna", "kitchen", "voice")
    # The automation runs in its own task: up to 5 s, as a loaded machine delays it.
    deadline = time.monotonic() + 5
    while "Welcome home, anna" not in seen.said and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    # An automation's `event: person_arrived` trigger: once.
    assert [t for t in seen.said if t.startswith("Welcome")] == ["Welcome home, anna"]
    await change(house, ANNA, state="home")
    await asyncio.sleep(0.1)
    assert len(seen.events) == 2  # already home: no second welcome
    assert [t for t in seen.said if t.startswith("Welcome")] == ["Welcome home, anna"]
    assert presence.where("anna").room == "kitchen"  # the tracker says home, not where
    await change(house, ANNA, room="Office")  # a room-level tracker
    assert tuple(presence.where("anna"))[::2] == ("office", "tracker")


async def test_occupancy_places_the_only_person_home_and_never_guesses_between_two(
        house: House) -> None:
    presence = presence_of(house)
    await change(house, "bedroom.bedroom_occupancy", on=True)
    assert tuple(presence.where("anna"))[::2] == ("bedroom", "occupancy")
    assert presence.in_room("bedroom") == ["anna"]
    await house.handle_text("turn on the kitchen light", "bedroom")  # Ben's room, no voice
    clock.advance(MINUTE)
    assert sorted(presence.in_room("bedroom")) == ["anna", "ben"]
    await change(house, "office.office_motion", on=True)  # two people home: whose motion?
    assert presence.in_room("office") == []
    await change(house, "office.office_motion", on=False)
    await change(house, "bedroom.bedroom_occupancy", on=False)  # the bedroom is empty now
    assert presence.where("anna").room is None and presence.where("ben").room is None
    assert presence.where("anna").home is True


async def test_house_data_says_who_is_home_and_where_but_not_to_a_guest(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMANTHA_DATA_DIR", str(tmp_path / "data"))
    with ScriptedOpenAI() as server:
        llm = (f"  llm: {{base_url: {server.base_url}, model: scripted, api_key: sk-test-1234,"
               " timeout: 3, first_sentence_timeout: 1.5}")
        async with House.prepare(config(tmp_path, llm)) as house:
            server.script(Reply(text="Ben is in the bedroom."), Reply(text="Someone is."))
            await house.handle_text("turn on the kitchen light", "bedroom")  # places Ben
            with speaking("anna", 0.92):
                await house.handle_text("tell me something nice about today", "kitchen")
            with speaking(None, 0.2):
                await house.handle_text("tell me a story about the sea", "kitchen")

    def data(index: int) -> dict:
        return json.loads(server.requests[index].messages[1]["content"].split("\n", 1)[1])

    known, guest = data(0), data(1)
    assert known["speaker"] == "anna" and known["people_present"] == ["anna"]
    rooms = {p["name"]: p["room"] for p in known["people_home"]}
    assert rooms == {"anna": "Kitchen", "ben": "Bedroom"}
    assert known["people_away"] == ["carl"]
    assert guest["speaker"] is None
    assert guest["people_home"] == [{"name": "anna"}, {"name": "ben"}]
    assert "people_away" not in guest
