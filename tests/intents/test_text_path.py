"""Every domain on the text path (`house.handle_text`), with real effects on virtual devices."""

from __future__ import annotations

from samantha.events import ReplySpoken
from samantha.house import House


def state(house: House, device: str) -> dict:
    return house.home.devices[device].state


async def say(house: House, text: str, room: str = "kitchen") -> str:
    outcome = await house.handle_text(text, room)
    assert outcome.intent is not None, f"{text!r} was not understood: {outcome.reply}"
    assert "went wrong" not in outcome.reply and "can't do it yet" not in outcome.reply
    return outcome.reply


async def test_media(house: House) -> None:
    tv = "living_room.living_room_tv"
    reply = await say(house, "play the album Kind of Blue on the tv")
    assert reply == "Okay, playing Kind of Blue on the Living Room TV."
    assert state(house, tv)["playback"] == "playing"
    assert state(house, tv)["media_title"] == "Kind of Blue"
    assert await say(house, "pause", "living room") == "Okay, the Living Room TV is paused."
    assert state(house, tv)["playback"] == "paused"
    await say(house, "resume", "living room")
    assert state(house, tv)["playback"] == "playing"
    await say(house, "next track", "living room")
    await say(house, "previous track on the tv")
    assert await say(house, "set the volume to 40%", "living room") == \
        "Okay, the volume of the Living Room TV is 40 percent."
    assert state(house, tv)["volume"] == 40
    await say(house, "volume up", "living room")
    assert state(house, tv)["volume"] == 50
    await say(house, "turn down the volume by 15%", "living room")
    assert state(house, tv)["volume"] == 35
    await say(house, "mute the tv")
    assert state(house, tv)["muted"] is True
    await say(house, "unmute", "living room")
    assert state(house, tv)["muted"] is False
    # Understood, but not possible here: say what and why.
    reply = await say(house, "play jazz", "bedroom")
    assert reply == "I can't play jazz: there are no speakers in the Bedroom."


async def test_lists(house: House) -> None:
    assert await say(house, "add milk to my shopping list") == \
        "Okay, I've added milk to the Shopping List."
    await say(house, "add eggs to the shopping list")
    await say(house, "add laundry to my chores list")
    assert [i["summary"] for i in state(house, "shopping_list")["items"]] == ["milk", "eggs"]
    assert [i["summary"] for i in state(house, "chores")["items"]] == ["laundry"]
    await say(house, "check off milk from my shopping list")
    assert state(house, "shopping_list")["items"][0]["status"] == "completed"
    await say(house, "remove eggs from my shopping list")
    assert [i["summary"] for i in state(house, "shopping_list")["items"]] == ["milk"]
    assert await say(house, "remove bread from my shopping list") == \
        "Bread isn't on the Shopping List."
    await say(house, "complete laundry on the chores list")
    assert state(house, "chores")["items"][0]["status"] == "completed"
    # The same item again: checking it off takes the open one, not the one already done.
    await say(house, "add milk to my shopping list")
    assert await say(house, "what's on my shopping list") == "The Shopping List has milk."
    await say(house, "check off milk from my shopping list")
    assert [i["status"] for i in state(house, "shopping_list")["items"]] == \
        ["completed", "completed"]
    assert await say(house, "what is on my shopping list") == "The Shopping List is empty."


async def test_weather(house: House) -> None:
    assert await say(house, "what is the weather like") == "It's rainy and 11.5 degrees."
    reply = await say(house, "what's the weather forecast")
    assert reply == ("It's rainy and 11.5 degrees. The forecast: sunny, up to 18 degrees and "
                     "down to 9.")


async def test_vacuum_and_mower(house: House) -> None:
    assert await say(house, "start the robot vacuum") == "Okay, the Robot Vacuum is cleaning."
    assert state(house, "robot_vacuum")["activity"] == "cleaning"
    await say(house, "return the robot vacuum to base")
    assert state(house, "robot_vacuum")["activity"] == "returning"
    assert await say(house, "clean the bedroom") == \
        "Okay, the Robot Vacuum is cleaning the bedroom."
    assert state(house, "robot_vacuum")["area"] == ["bedroom"]
    await say(house, "vacuum the first floor")
    assert state(house, "robot_vacuum")["area"] == ["bedroom"]
    assert await say(house, "start mowing") == "Okay, the Mower is mowing."
    assert state(house, "mower")["activity"] == "mowing"
    await say(house, "stop mowing")
    assert state(house, "mower")["activity"] == "returning"


async def test_scenes_scripts_buttons(house: House) -> None:
    assert await say(house, "activate movie night") == "Okay, Movie Night is on."
    assert state(house, "movie_night")["activated"]
    assert await say(house, "run bedtime") == "Okay, I've started Bedtime."
    assert state(house, "bedtime")["on"] is True
    assert await say(house, "press the doorbell") == "Okay, I've pressed the Doorbell."
    assert state(house, "kitchen.doorbell")["pressed"]


async def test_fans_climate_valves(house: House) -> None:
    await say(house, "set the desk fan speed to 30%")
    assert state(house, "kitchen.kettle")["on"] is False
    assert state(house, "bedroom.desk_fan")["percentage"] == 30
    assert await say(house, "set the fan mode to low", "living room") == \
        "Okay, the fan mode of the Thermostat is low."
    assert state(house, "living_room.thermostat")["fan_mode"] == "low"
    assert await say(house, "open the garden tap") == "Okay, the Garden Tap is open."
    assert state(house, "kitchen.garden_tap")["position"] == 100
    await say(house, "set the garden tap position to 30%")
    assert state(house, "kitchen.garden_tap")["position"] == 30
    await say(house, "close the garden tap")
    assert state(house, "kitchen.garden_tap")["position"] == 0


async def test_temperature_of_a_sensor_is_told_not_a_crash(house: House) -> None:
    reply = await say(house, "what is the furnace temperature")
    assert reply == "The Furnace in the kitchen says 48.5 degrees."


async def test_agreement_in_replies(house: House) -> None:
    assert await say(house, "turn on the counter lights") == "Okay, the Counter Lights are on."
    assert await say(house, "turn on the ceiling light") == "Okay, the Ceiling Light is on."
    assert await say(house, "turn off the lights") == \
        "Okay, the Ceiling Light and the Counter Lights are off."


async def test_broadcast_speaks_in_every_other_room(house: House) -> None:
    spoken: list[ReplySpoken] = []

    async def heard(event: ReplySpoken) -> None:
        spoken.append(event)

    house.bus.subscribe(ReplySpoken, heard)
    reply = await say(house, "broadcast that dinner is ready")
    await house.bus.drain()
    assert reply == "Okay, I've announced it everywhere."
    rooms = {e.room for e in spoken if "dinner is ready" in e.text}
    assert rooms == {"living_room", "bedroom"}
    spoken.clear()
    await say(house, "announce in the bedroom that the film starts")
    await house.bus.drain()
    assert {e.room for e in spoken if "film starts" in e.text} == {"bedroom"}


async def test_people(house: House) -> None:
    assert await say(house, "is anyone home") == "Yes, Anna is home."
    assert await say(house, "who is home") == "Anna is home."
