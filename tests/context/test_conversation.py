"""Conversation context on the text path: "it"/"them", follow-ups, relative changes, expiry and
"stop"/"never mind", with their real effects on virtual devices."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from samantha.house import House
from samantha.plugins.context.stop import stop_kind
from samantha.plugins.people.speaker import speaking

CONFIG = """\
rooms:
  - {{name: Kitchen, floor: ground floor}}
  - {{name: Living Room, floor: ground floor}}
  - {{name: Bedroom, floor: upstairs}}
devices:
  - {{name: Ceiling Light, room: Kitchen, kind: light}}
  - {{name: Counter Lights, room: Kitchen, kind: light}}
  - {{name: Kitchen Fan, room: Kitchen, kind: fan}}
  - {{name: Reading Lamp, room: Living Room, kind: light}}
  - {{name: Thermostat, room: Living Room, kind: climate, state: {{target_temperature: 21}}}}
  - {{name: Stereo, room: Living Room, kind: media_player,
     state: {{on: true, playback: playing, volume: 40}}}}
  - {{name: Bedside Lamp, room: Bedroom, kind: light}}
  - {{name: Bedroom Fan, room: Bedroom, kind: fan}}
conversation: {{follow_up_seconds: {ttl}}}
"""


async def _house(tmp_path: Path, ttl: float) -> House:
    cfg = tmp_path / "samantha.yaml"
    cfg.write_text(CONFIG.format(ttl=ttl))
    house = House.prepare(cfg)
    await house.start()
    return house


@pytest.fixture
async def house(tmp_path: Path) -> AsyncIterator[House]:
    house = await _house(tmp_path, 120)
    try:
        yield house
    finally:
        await house.stop()


def states(house: House) -> dict[str, dict[str, Any]]:
    return {d.id: dict(d.state) for d in house.home.devices.values()}


def changed(before: dict[str, dict[str, Any]], house: House) -> set[str]:
    after = states(house)
    return {k for k in after if after[k] != before[k]}


def on(house: House, device: str) -> bool:
    return bool(house.home.devices[device].state["on"])


KITCHEN_LIGHTS = {"kitchen.ceiling_light", "kitchen.counter_lights"}


async def test_them_means_the_devices_just_acted_on(house: House) -> None:
    await house.handle_text("turn on the lights in the kitchen", "living room")
    before = states(house)
    outcome = await house.handle_text("turn them off", "living room")
    assert outcome.intent == "HassTurnOff"
    assert changed(before, house) == KITCHEN_LIGHTS  # not the living room's own lamp
    assert not any(on(house, d) for d in KITCHEN_LIGHTS)
    assert outcome.reply == "Okay, the Ceiling Light and the Counter Lights are off."
    # "it" keeps meaning them while the conversation goes on
    await house.handle_text("turn it on", "living room")
    assert all(on(house, d) for d in KITCHEN_LIGHTS)


async def test_it_after_a_question_is_the_device_asked_about(house: House) -> None:
    asked = await house.handle_text("is the bedroom fan on?", "kitchen")
    assert asked.intent == "HassGetState" and asked.reply.startswith("No")
    before = states(house)
    outcome = await house.handle_text("turn it on", "kitchen")
    assert changed(before, house) == {"bedroom.bedroom_fan"}
    assert on(house, "bedroom.bedroom_fan")
    assert "Bedroom Fan" in outcome.reply


async def test_follow_ups_repeat_the_last_intent_with_the_new_place(house: House) -> None:
    await house.handle_text("turn on the lights", "kitchen")
    before = states(house)
    outcome = await house.handle_text("and the bedroom", "kitchen")
    assert outcome.intent == "HassTurnOn"
    assert changed(before, house) == {"bedroom.bedside_lamp"}
    before = states(house)
    await house.handle_text("what about the living room?", "kitchen")
    assert changed(before, house) == {"living_room.reading_lamp"}
    # a named device's follow-up by place means that kind of device there
    await house.handle_text("turn off the bedside lamp", "kitchen")
    before = states(house)
    await house.handle_text("and in the kitchen too", "kitchen")
    assert changed(before, house) == KITCHEN_LIGHTS  # the lights, not the kitchen fan
    # questions follow up the same way
    await house.handle_text("is the reading lamp on?", "bedroom")
    answer = await house.handle_text("what about the bedroom", "bedroom")
    assert answer.intent == "HassGetState" and "Bedside Lamp" in answer.reply


async def test_and_the_fan_does_the_same_to_another_device(house: House) -> None:
    await house.handle_text("turn on the lights", "bedroom")
    before = states(house)
    outcome = await house.handle_text("and the fan", "bedroom")
    assert outcome.intent == "HassTurnOn"
    assert changed(before, house) == {"bedroom.bedroom_fan"}
    # a device by name: the same action, whatever its kind and room
    await house.handle_text("turn off the bedside lamp", "kitchen")
    await house.handle_text("turn on the kitchen fan", "kitchen")
    before = states(house)
    outcome = await house.handle_text("and the bedside lamp as well", "kitchen")
    assert outcome.intent == "HassTurnOn"
    assert changed(before, house) == {"bedroom.bedside_lamp"}


async def test_relative_changes_move_the_last_devices_a_step(house: House) -> None:
    await house.handle_text("set the kitchen brightness to 50%", "kitchen")
    before = states(house)
    outcome = await house.handle_text("a bit brighter", "kitchen")
    assert outcome.intent == "SamanthaAdjust"
    assert changed(before, house) == KITCHEN_LIGHTS
    assert {house.home.devices[d].state["brightness"] for d in KITCHEN_LIGHTS} == {60}
    await house.handle_text("make them dimmer", "kitchen")
    assert {house.home.devices[d].state["brightness"] for d in KITCHEN_LIGHTS} == {40}
    # a thermostat asked about gets warmer by a degree (half for "a bit")
    await house.handle_text("what is the temperature?", "living room")
    await house.handle_text("a bit warmer", "living room")
    assert house.home.devices["living_room.thermostat"].state["target_temperature"] == 21.5
    # nothing talked about: the room's own thermostat, speaker
    reply = await house.handle_text("warmer", "living room")
    assert house.home.devices["living_room.thermostat"].state["target_temperature"] == 22.5
    assert reply.reply == "Okay, the Thermostat is set to 22.5 degrees."
    await house.handle_text("louder", "living room")
    assert house.home.devices["living_room.stereo"].state["volume"] == 50
    # lights talked about get a warmer white (a colour is no number: it once crashed the reply)
    await house.handle_text("turn on the lights", "kitchen")
    warm = await house.handle_text("make them a lot warmer", "kitchen")
    assert warm.reply == "Okay, the Ceiling Light and the Counter Lights are warmer now."
    assert {tuple(house.home.devices[d].state["color"]) for d in KITCHEN_LIGHTS} == {
        (255, 180, 107)}


async def test_each_known_speaker_keeps_their_own_it(house: House) -> None:
    with speaking("anna"):
        await house.handle_text("turn on the bedside lamp", "bedroom")
    with speaking("ben"):
        await house.handle_text("turn on the fan", "bedroom")
    before = states(house)
    with speaking("anna"):
        await house.handle_text("turn it off", "bedroom")
    assert changed(before, house) == {"bedroom.bedside_lamp"}
    # a voice nobody knows gets the room's last: Anna's lamp, just now
    with speaking(None, 0.2):
        await house.handle_text("turn it on", "bedroom")
    assert on(house, "bedroom.bedside_lamp")
    assert on(house, "bedroom.bedroom_fan")


async def test_rooms_do_not_share_their_it(house: House) -> None:
    await house.handle_text("turn on the lights", "kitchen")
    before = states(house)
    outcome = await house.handle_text("turn it off", "bedroom")
    assert changed(before, house) == set()
    assert outcome.reply == 'Sorry, what do you mean by "it"? Tell me which device.'


async def test_after_the_follow_up_time_it_is_asked_about(tmp_path: Path) -> None:
    house = await _house(tmp_path, 0.3)
    try:
        await house.handle_text("turn on the lights", "kitchen")
        await house.handle_text("turn them off", "kitchen")  # still fresh
        assert not any(on(house, d) for d in KITCHEN_LIGHTS)
        await asyncio.sleep(0.4)
        before = states(house)
        outcome = await house.handle_text("turn it on", "kitchen")
        assert outcome.intent == "HassTurnOn"
        assert outcome.reply == 'Sorry, what do you mean by "it"? Tell me which device.'
        follow = await house.handle_text("and the bedroom", "kitchen")
        assert follow.reply == "Sorry, what would you like me to do with the Bedroom?"
        assert changed(before, house) == set()
    finally:
        await house.stop()


async def test_never_mind_ends_the_exchange(house: House) -> None:
    await house.handle_text("turn on the lights", "kitchen")
    outcome = await house.handle_text("never mind", "kitchen")
    assert outcome.intent == "HassNevermind"
    before = states(house)
    asked = await house.handle_text("turn them off", "kitchen")
    assert changed(before, house) == set() and "what do you mean" in asked.reply
    cancel = await house.handle_text("cancel that", "kitchen")
    assert cancel.intent == "SamanthaStop" and cancel.reply == "Okay."


async def test_stop_while_silent_is_about_the_music_playing(house: House) -> None:
    outcome = await house.handle_text("stop", "living room")
    assert outcome.intent == "HassMediaPause"  # the stereo plays and the house is silent
    quiet = await house.handle_text("stop", "bedroom")  # no music there: nothing to stop
    assert quiet.intent == "SamanthaStop" and quiet.reply == "Okay."


async def test_what_about_an_unknown_place_is_no_refusal(house: House) -> None:
    outcome = await house.handle_text("what about the meaning of life?", "kitchen")
    assert "I don't know a room" not in outcome.reply
    assert outcome.intent is None


@pytest.mark.parametrize(("text", "kind"), [
    ("stop", "stop"), ("Stop!", "stop"), ("okay, stop it please", "stop"),
    ("be quiet", "stop"), ("shut up", "stop"), ("That's enough.", "stop"),
    ("cancel", "cancel"), ("never mind", "cancel"), ("Nevermind", "cancel"),
    ("hey samantha cancel that", "cancel"),
    ("stop the vacuum", None), ("cancel my timer", None), ("stop playing music", None),
    ("", None), ("quiet please, the baby sleeps", None),
])
def test_stop_words_are_whole_sentences(text: str, kind: str | None) -> None:
    assert stop_kind(text, "en") == kind
    assert stop_kind(text, "xx") is None


async def test_the_pronoun_takes_the_intent_that_fits_what_it_means(house: House) -> None:
    await house.handle_text("turn on the lights in the kitchen", "kitchen")
    outcome = await house.handle_text("set it to 30%", "kitchen")
    assert outcome.intent == "HassLightSet"  # a light: brightness, not a fan's speed
    assert {house.home.devices[d].state["brightness"] for d in KITCHEN_LIGHTS} == {30}
    await house.handle_text("turn on the bedroom fan", "kitchen")
    fan = await house.handle_text("set it to 40%", "kitchen")
    assert fan.intent == "HassFanSetSpeed" and fan.slots["name"] == "it"


async def test_a_templates_own_it_is_no_pronoun(house: House) -> None:
    await house.handle_text("turn on the bedroom fan", "living room")
    outcome = await house.handle_text("how warm is it", "living room")
    assert outcome.intent == "HassClimateGetTemperature"
    assert "name" not in outcome.slots  # the room's temperature, not the fan's
    assert "Thermostat" in outcome.reply
    clock = await house.handle_text("what time is it", "living room")
    assert clock.intent == "HassGetCurrentTime"


async def test_it_after_the_personas_own_action(tmp_path: Path) -> None:
    from harness.openai_server import Call, Reply, ScriptedOpenAI

    with ScriptedOpenAI() as server:
        cfg = tmp_path / "samantha.yaml"
        cfg.write_text(CONFIG.format(ttl=120) + f"""\
persona:
  llm: {{base_url: "{server.base_url}", model: scripted, api_key: test}}
""")
        async with House.prepare(cfg) as house:
            server.script(Reply(tool_calls=[Call("control_device", {
                "device": "kitchen.counter_lights", "action": "turn_on"})]), Reply(text="There."))
            lit = await house.handle_text("it is so gloomy in here", "kitchen")
            assert lit.source == "llm" and on(house, "kitchen.counter_lights")
            before = states(house)
            # a model's action has no intent to repeat...
            follow = await house.handle_text("and the bedroom", "kitchen")
            assert follow.reply == "Sorry, what would you like me to do with the Bedroom?"
            # ...but its devices are what "it" means
            await house.handle_text("turn it off", "kitchen")
            assert changed(before, house) == {"kitchen.counter_lights"}


def test_follow_up_time_is_checked(tmp_path: Path) -> None:
    from samantha.config import ConfigError

    cfg = tmp_path / "samantha.yaml"
    cfg.write_text(CONFIG.format(ttl=0))
    with pytest.raises(ConfigError, match="follow_up_seconds"):
        House.prepare(cfg)


async def test_that_temperature_with_nothing_said_before_is_the_rooms(house: House) -> None:
    """A recognizer hears "the" as "that": with nothing to refer to, a sentence that already
    says what kind of thing it means (a temperature) means the room's; other sentences ask."""
    set_it = await house.handle_text("set that temperature to 23 degrees", "living_room")
    assert set_it.reply == "Okay, I've set the temperature in the living room to 23 degrees."
    assert house.home.devices["living_room.thermostat"].state["target_temperature"] == 23
    asked = await house.handle_text("what is that temperature", "living_room")
    assert "23" in asked.reply, asked.reply
    # A room without a thermostat says so rather than reach into another room.
    elsewhere = await house.handle_text("set that temperature to 18 degrees", "bedroom")
    assert house.home.devices["living_room.thermostat"].state["target_temperature"] == 23
    assert "18" not in elsewhere.reply and elsewhere.reply, elsewhere.reply
    # A brightness is a light's: the room's lights, nothing elsewhere.
    before = states(house)
    lit = await house.handle_text("set that brightness to 40%", "kitchen")
    assert changed(before, house) == set(KITCHEN_LIGHTS), lit.reply
    assert {house.home.devices[d].state["brightness"] for d in KITCHEN_LIGHTS} == {40}
    # "turn that off" names no kind: with nothing said before in the bedroom, it asks.
    before = states(house)
    outcome = await house.handle_text("turn that off", "bedroom")
    assert changed(before, house) == set()
    assert outcome.reply == 'Sorry, what do you mean by "that"? Tell me which device.'


async def test_that_temperature_after_a_device_is_that_devices(house: House) -> None:
    await house.handle_text("turn on the reading lamp", "living_room")
    outcome = await house.handle_text("set that temperature to 25 degrees", "living_room")
    assert house.home.devices["living_room.thermostat"].state["target_temperature"] == 21
    assert "Reading Lamp" in outcome.reply, outcome.reply
