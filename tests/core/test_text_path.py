"""A sentence typed in a room becomes an intent, device commands and a reply (demo house)."""

from __future__ import annotations

import json

import pytest

from harness.cli import samantha_cli
from samantha.house import House, UnknownRoom


def snapshot(house: House) -> dict[str, dict]:
    return {d.id: dict(d.state) for d in house.home.devices.values()}


async def test_turn_on_the_lights_in_kitchen_touches_kitchen_lights_only(demo: House) -> None:
    before = snapshot(demo)
    outcome = await demo.handle_text("turn on the lights", "kitchen")
    assert outcome.intent == "HassTurnOn"
    targets = {c.device for c in outcome.commands}
    kitchen_lights = {d.id for d in demo.home.devices_in("kitchen") if d.kind.value == "light"}
    assert targets == kitchen_lights and len(targets) == 2
    after = snapshot(demo)
    changed = {k for k in after if after[k] != before[k]}
    assert changed == kitchen_lights
    assert all(after[k]["on"] for k in kitchen_lights)
    assert "on" in outcome.reply


async def test_same_sentence_in_another_room_acts_there(demo: House) -> None:
    outcome = await demo.handle_text("turn off the lights", "living room")
    assert {c.device for c in outcome.commands} == {"living_room.ceiling_light",
                                                     "living_room.reading_lamp"}
    assert not demo.home.devices["living_room.ceiling_light"].state["on"]


async def test_named_room_overrides_the_room_spoken_in(demo: House) -> None:
    outcome = await demo.handle_text("turn on the lights in the office", "kitchen")
    assert {c.device for c in outcome.commands} == {"office.desk_lamp"}


async def test_unknown_room_is_refused_and_nothing_changes(demo: House) -> None:
    before = snapshot(demo)
    outcome = await demo.handle_text("turn on the lights in the garage", "kitchen")
    assert outcome.reply == "I don't know a room called garage."
    assert outcome.commands == []
    assert snapshot(demo) == before


async def test_unknown_device_is_refused(demo: House) -> None:
    before = snapshot(demo)
    outcome = await demo.handle_text("turn on the jacuzzi", "kitchen")
    assert "jacuzzi" in outcome.reply and outcome.commands == []
    assert snapshot(demo) == before


async def test_room_with_no_such_devices_says_so(demo: House) -> None:
    outcome = await demo.handle_text("open the blinds", "hallway")
    assert outcome.commands == []
    assert outcome.reply == "There are no blinds in the Hallway."


async def test_unknown_room_of_utterance_raises(demo: House) -> None:
    with pytest.raises(UnknownRoom, match="garage"):
        await demo.handle_text("turn on the lights", "garage")


async def test_brightness_and_colour(demo: House) -> None:
    outcome = await demo.handle_text("set the desk lamp to 40%", "office")
    assert outcome.intent == "HassLightSet"
    lamp = demo.home.devices["office.desk_lamp"]
    assert lamp.state["brightness"] == 40 and lamp.state["on"]
    outcome = await demo.handle_text("turn the desk lamp red", "office")
    assert lamp.state["color"] == [255, 0, 0]
    assert "red" in outcome.reply


async def test_thermostat(demo: House) -> None:
    outcome = await demo.handle_text("set the temperature to 22 degrees", "living room")
    assert outcome.intent == "HassClimateSetTemperature"
    assert demo.home.devices["living_room.thermostat"].state["target_temperature"] == 22
    outcome = await demo.handle_text("what is the temperature", "living room")
    assert outcome.intent == "HassClimateGetTemperature"
    assert "19.5" in outcome.reply


async def test_unsafe_temperature_is_refused_without_claiming_success(demo: House) -> None:
    outcome = await demo.handle_text("set the temperature to 90 degrees", "living room")
    assert demo.home.devices["living_room.thermostat"].state["target_temperature"] == 21
    assert "couldn't" in outcome.reply


async def test_blinds_position_and_open_close(demo: House) -> None:
    outcome = await demo.handle_text("set the kitchen blinds to 30%", "kitchen")
    assert outcome.intent == "HassSetPosition"
    assert demo.home.devices["kitchen.kitchen_blinds"].state["position"] == 30
    await demo.handle_text("close the blinds", "living room")
    assert demo.home.devices["living_room.living_room_blinds"].state["position"] == 0


async def test_state_questions(demo: House) -> None:
    outcome = await demo.handle_text("is the front door locked", "kitchen")
    assert outcome.intent == "HassGetState" and outcome.reply.startswith("Yes")
    outcome = await demo.handle_text("is the desk lamp on", "kitchen")
    assert outcome.reply.startswith("No")


async def test_lock_yes_unlock_needs_more_than_a_voice(demo: House) -> None:
    outcome = await demo.handle_text("unlock the front door", "hallway")
    assert demo.home.devices["hallway.front_door"].state["locked"] is True
    assert outcome.commands == [] and "won't unlock" in outcome.reply


async def test_toggle_and_nevermind(demo: House) -> None:
    outcome = await demo.handle_text("toggle the desk lamp", "office")
    assert outcome.intent == "HassToggle"
    assert demo.home.devices["office.desk_lamp"].state["on"] is True
    assert (await demo.handle_text("never mind", "office")).intent == "HassNevermind"


async def test_same_name_in_two_rooms_prefers_the_room_spoken_in(demo: House) -> None:
    # "fan" is an alias of the bedroom fan only; "office fan" is unique
    outcome = await demo.handle_text("turn on the office fan", "bedroom")
    assert [c.device for c in outcome.commands] == ["office.office_fan"]


async def test_custom_sentence_from_yaml(demo: House) -> None:
    await demo.handle_text("turn on the lights", "kitchen")
    outcome = await demo.handle_text("good night", "bedroom")
    assert outcome.intent == "GoodNight"
    assert not demo.home.devices["kitchen.counter_lights"].state["on"]
    assert demo.home.devices["hallway.front_door"].state["locked"]
    assert outcome.reply.startswith("Good night")


async def test_gibberish_is_not_understood(demo: House) -> None:
    outcome = await demo.handle_text("the purple elephant sings", "kitchen")
    assert outcome.intent is None and outcome.commands == []
    assert "didn't understand" in outcome.reply


async def test_every_handled_sentence_gets_a_reply(demo: House) -> None:
    for text in ["turn on the lights", "what is the temperature", "open the blinds",
                 "turn off the fan", "set the lights to 50%"]:
        outcome = await demo.handle_text(text, "bedroom")
        assert outcome.reply, text


def test_say_json_on_the_demo_house() -> None:
    out = samantha_cli("say", "turn on the lights", "--room", "kitchen", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) >= {"room", "text", "intent", "slots", "reply", "commands"}
    assert data["intent"] == "HassTurnOn"
    assert {c["device"] for c in data["commands"]} == {"kitchen.kitchen_ceiling_light",
                                                       "kitchen.counter_lights"}
    assert all(set(c) == {"device", "action", "params"} for c in data["commands"])


def test_say_reads_sentences_from_stdin() -> None:
    out = samantha_cli("say", "-", "--room", "office", "--json",
                       stdin="turn on the desk lamp\n\nwhat is the temperature\nblah blah\n")
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [d["intent"] for d in lines] == ["HassTurnOn", "HassClimateGetTemperature", None]


def test_say_unknown_room_exits_nonzero_with_message() -> None:
    out = samantha_cli("say", "turn on the lights", "--room", "garage")
    assert out.returncode == 2
    assert "unknown room 'garage'" in out.stderr and "kitchen" in out.stderr


def test_devices_json() -> None:
    out = samantha_cli("devices", "--json")
    devices = json.loads(out.stdout)
    assert len(devices) >= 10
    assert all({"id", "name", "room", "kind", "state"} <= set(d) for d in devices)
    assert {d["kind"] for d in devices} >= {"light", "climate", "cover", "lock", "fan"}


def test_console_session() -> None:
    out = samantha_cli("run", stdin="turn on the lights\nbedroom: turn on the fan\n/room office\n"
                       "what is the temperature\n/quit\n")
    assert out.returncode == 0, out.stderr
    assert "Kitchen Ceiling Light: on=True" in out.stdout
    assert "Bedroom Fan: on=True" in out.stdout
    assert "20.5 degrees" in out.stdout


async def test_mute_sets_activity_and_tells_plugins(demo: House) -> None:
    from samantha.events import RoomActivityChanged

    seen: list[RoomActivityChanged] = []
    demo.bus.subscribe(RoomActivityChanged, seen.append)
    await demo.set_muted("Kitchen", True)
    assert demo.is_muted("kitchen")
    await demo.set_activity("kitchen", "listening")  # a muted room stays muted
    assert demo.activity["kitchen"] == "muted"
    await demo.set_muted("kitchen", False)
    assert not demo.is_muted("kitchen")
    assert [(e.activity, e.muted) for e in seen] == [("muted", True), ("idle", False)]


async def test_overlong_input_is_refused_kindly(demo: House) -> None:
    outcome = await demo.handle_text("turn on the lights " * 100, "kitchen")
    assert outcome.commands == [] and "shorter" in outcome.reply


async def test_execute_refuses_impossible_and_unavailable(demo: House) -> None:
    from samantha import Command

    [bad] = await demo.execute([Command(device="hallway.front_door", action="set_color")])
    assert not bad.ok and "lock cannot set color" in (bad.error or "")
    demo.home.devices["office.desk_lamp"].available = False
    [gone] = await demo.execute([Command(device="office.desk_lamp", action="turn_on")])
    assert not gone.ok and "unavailable" in (gone.error or "")
    [missing] = await demo.execute([Command(device="nope", action="turn_on")])
    assert not missing.ok


async def test_thermostat_without_its_own_sensor(demo: House) -> None:
    demo.home.devices["office.office_thermostat"].state["current_temperature"] = None
    outcome = await demo.handle_text("what is the temperature", "office")
    assert outcome.reply == "The Office Thermostat in the office is set to 20 degrees."
