"""Mood, proactive speech, quiet hours, sentence splitting and typed messages."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path

import pytest

from harness.cli import samantha_cli
from harness.waiting import until
from samantha.events import ReplySpoken
from samantha.house import House
from samantha.plugins.persona.events import PersonaSentence
from samantha.plugins.persona.memory import Memory
from samantha.plugins.persona.mood import Mood
from samantha.plugins.persona.proactive import announce, in_quiet_hours
from samantha.plugins.persona.profile import PersonaProfile
from samantha.plugins.persona.runtime import runtime_of
from samantha.plugins.persona.sentences import SentenceSplitter
from samantha.plugins.persona.settings import PersonaSection, QuietHours
from samantha.plugins.persona.tools import ControlDeviceArgs, ReminderArgs
from samantha.references import check_references

from .conftest import WriteConfig
from .test_offline_and_memory import env_for

TRIGGER = """\
  quiet_hours: {start: "00:00", end: "23:59"}
  triggers:
    - {device: Front Door, state: {locked: false}, say: "the front door is open.", urgent: true}
    - {device: Kitchen Light, state: {on: true}, say: "the kitchen light came on."}
"""


async def test_mood_drifts_with_words_decays_and_shows_in_status(
        write_config: WriteConfig, tmp_path: Path) -> None:
    cfg = write_config()
    async with House.prepare(cfg) as house:
        rt = runtime_of(house)
        for _ in range(3):
            await house.handle_text("thank you, that's lovely", "kitchen")
        warm = rt.mood
        assert warm.warmth > 0.3
        assert rt.mood.decayed(rt.half_life, warm.updated + 2 * rt.half_life).warmth == \
            pytest.approx(warm.warmth / 4, abs=0.01)
        await house.handle_text("shut up you stupid machine", "kitchen")
        assert rt.mood.warmth < warm.warmth
    out = samantha_cli("persona", "status", "-c", str(cfg), "--json", env=env_for(tmp_path))
    status = json.loads(out.stdout)
    assert status["mood"]["warmth"] != 0  # saved at shutdown, read back by another process
    assert status["rooms"]["Office"] == "Ada" and status["default"] == "Samantha"
    assert status["model"] is None


async def test_mood_shapes_wording(tmp_path: Path) -> None:
    async with House.prepare(Path(__file__).parents[2] / "examples/persona_house.yaml") as house:
        rt = runtime_of(house)
        neutral = (await house.handle_text("turn on the lights", "kitchen")).reply
        rt.nudge(0.9, 0.0)
        warm = (await house.handle_text("turn on the lights", "kitchen")).reply
    assert neutral == "The Kitchen Light is on."
    assert warm in {"There you go. The Kitchen Light is on.",
                    "Done, happily. The Kitchen Light is on."}


async def test_events_speak_in_the_right_room_in_character_and_respect_quiet_hours(
        write_config: WriteConfig) -> None:
    async with House.prepare(write_config(extra=TRIGGER)) as house:
        spoken: list[ReplySpoken] = []
        house.bus.subscribe(ReplySpoken, spoken.append)
        house.home.update_state("hallway.front_door", {"locked": False})  # urgent
        house.home.update_state("kitchen.kitchen_light", {"on": True})  # held: quiet hours
        # The persona speaks from its own event lane, which a loaded machine delays: wait
        # (bounded) for the urgent one, then a moment in which the held one would be said.
        await until(lambda: spoken, 5, "the urgent announcement")
        await asyncio.sleep(0.1)
        await house.bus.drain()
        assert [(s.room, s.text) for s in spoken] == [("hallway", "the front door is open.")]
        rt = runtime_of(house)
        rt.section = rt.section.model_copy(update={"quiet_hours": None})
        assert await announce(house, "office", "dinner is ready.")
        assert spoken[-1].room == "office"


def test_quiet_hours_span_midnight() -> None:
    quiet = QuietHours(start="22:00", end="07:00")
    assert in_quiet_hours(quiet, datetime(2025, 1, 1, 23, 30))
    assert in_quiet_hours(quiet, datetime(2025, 1, 1, 6, 59))
    assert not in_quiet_hours(quiet, datetime(2025, 1, 1, 12, 0))
    assert not in_quiet_hours(None, datetime(2025, 1, 1, 23, 30))


@pytest.mark.parametrize(("fragments", "sentences"), [
    (["Hello", " there", ".", " It", " is", " 3", ".", "5", " degrees", "."],
     ["Hello there.", "It is 3.5 degrees."]),
    (["Dr", ".", " Who", " says", " hi", "!", " Ok"], ["Dr. Who says hi!", "Ok"]),
    (["Well", ".", ".", ".", " maybe", "."], ["Well.", "maybe."]),  # no lone ".." sentence
    (["Line one\nLine", " two"], ["Line one", "Line two"]),
])
def test_sentence_splitter(fragments: list[str], sentences: list[str]) -> None:
    splitter = SentenceSplitter()
    out = [s for f in fragments for s in splitter.feed(f)]
    rest = splitter.flush()
    assert out + ([rest] if rest else []) == sentences


def test_typed_messages_round_trip() -> None:
    sentence = PersonaSentence(room="kitchen", text="Hi.", persona="Ada", turn="t1", index=0)
    assert PersonaSentence.model_validate_json(sentence.model_dump_json()) == sentence
    memory = Memory(id=1, person=None, text="x", source="said", created=1.0)
    assert Memory.model_validate_json(memory.model_dump_json()) == memory
    mood = Mood(warmth=0.5, energy=-0.2, updated=3.0)
    assert Mood.model_validate_json(mood.model_dump_json()) == mood
    profile = PersonaProfile(name="Ada", replies={"HassTurnOn": {"neutral": "Done. {detail}",
                                                                 "warm": ["Yes. {detail}"]}})
    assert PersonaProfile.model_validate_json(profile.model_dump_json()) == profile
    section = PersonaSection(personas=[profile], rooms={"office": "Ada"})
    assert PersonaSection.model_validate_json(section.model_dump_json()) == section
    args = ControlDeviceArgs(device="a.b", action="turn_on", params={"brightness": 3})
    assert ControlDeviceArgs.model_validate_json(args.model_dump_json()) == args
    with pytest.raises(ValueError, match="exactly one"):
        ReminderArgs(message="x", in_minutes=3, at="10:00")
    found = PersonaSection(rooms={"office": "Nobody"}).references()
    found.declare("room", "Office")
    assert [i.message for i in check_references(found, None)] == ["no persona called 'Nobody'"]


def test_example_house_config_checks(tmp_path: Path) -> None:
    out = samantha_cli("config", "check", "-c", "examples/persona_house.yaml",
                       cwd=Path(__file__).parents[2], env=env_for(tmp_path))
    assert out.returncode == 0, out.stderr


def test_chat_in_the_terminal(tmp_path: Path, write_config: WriteConfig) -> None:
    cfg = write_config()
    out = samantha_cli("chat", "--room", "kitchen", "-c", str(cfg), env=env_for(tmp_path),
                       stdin="turn on the kitchen light\nhow are you\n/quit\n")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "Samantha: Okay, the Kitchen Light is on."
    assert lines[1].startswith("Samantha: I'm well")
