"""Timers by voice, offline: the home-assistant-intents timer sentences on the persona scheduler.

Everything goes through `house.handle_text` on a small house with no model; durations are one or
two real seconds. Spoken timers share the `scheduled` table with the model's.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from harness.waiting import until
from samantha.house import House
from samantha.plugins.persona.runtime import runtime_of

from .conftest import WriteConfig
from .test_schedule_restart import listen, stored, wait_until


async def say(house: House, text: str, room: str = "kitchen") -> str:
    return (await house.handle_text(text, room)).reply


async def test_a_spoken_timer_rings_in_its_room(write_config: WriteConfig) -> None:
    house = House.prepare(write_config())
    heard = listen(house)
    async with house:
        started = time.time()  # before: on a busy machine the reply itself can take 0.1 s
        reply = await say(house, "set a timer for 1 second called tea")
        assert reply == "Okay, a tea timer for 1 second, starting now."
        [item] = runtime_of(house).scheduler.pending()  # the list the model's tools see
        assert (item.kind, item.room, item.text, item.source) == ("timer", "kitchen", "tea",
                                                                  "said")
        await wait_until(lambda: len(heard) >= 2, 3)
    (_, ack), (at, done) = heard
    assert ack.text == reply
    assert (done.room, done.text) == ("kitchen", "Your tea timer is done.")
    assert 1.0 <= at - started <= 1.6


async def test_status_cancel_by_name_and_an_ambiguous_cancel(write_config: WriteConfig) -> None:
    async with House.prepare(write_config()) as house:
        assert await say(house, "timer status") == "There's no timer running."
        await say(house, "set a timer for 5 minutes called pizza")
        assert await say(house, "set a timer for 10 minutes") == (
            "Okay, a 10 minute timer, starting now.")
        status = await say(house, "how much time is left on my timers")
        assert status == ("You have 2 timers: 5 minutes left on the pizza timer; 10 minutes "
                          "left on the 10 minute timer.")
        assert await say(house, "how much time is left on the pizza timer") == (
            "5 minutes left on the pizza timer.")
        assert await say(house, "cancel my timer") == (
            "There's more than one timer. Which one should I cancel: the pizza timer or the "
            "10 minute timer?")
        assert len(runtime_of(house).scheduler.pending()) == 2  # asking cancels nothing
        assert await say(house, "cancel the pizza timer") == (
            "Okay, I've cancelled the pizza timer.")
        assert await say(house, "cancel the pizza timer") == "There's no pizza timer."
        assert (await say(house, "timer status", "office")).startswith(
            "10 minutes left on the 10 minute timer in the Kitchen")
        # Only one left: "the timer" means it, even said in another room.
        assert await say(house, "cancel the timer", "office") == (
            "Okay, I've cancelled the 10 minute timer in the Kitchen.")
        assert runtime_of(house).scheduler.pending() == []


async def test_increase_decrease_and_cancel_all(write_config: WriteConfig,
                                                tmp_path: Path) -> None:
    async with House.prepare(write_config()) as house:
        scheduler = runtime_of(house).scheduler
        await say(house, "set a timer for 10 minutes called bread")
        assert await say(house, "add 1 minute to the bread timer") == (
            "Okay, I've added 1 minute to the bread timer; 11 minutes left.")
        [bread] = scheduler.pending()
        assert 659 <= bread.remaining() <= 660
        assert abs(stored(tmp_path)[0].due - bread.due) < 0.001  # the new time is saved
        reply = await say(house, "take 30 seconds off the bread timer")
        assert reply == "Okay, I've taken 30 seconds off the bread timer; 10 minutes and 30 " \
                        "seconds left."
        assert 629 <= bread.remaining() <= 630
        assert await say(house, "add 30 hours to my timer") == (
            "That would make it longer than 24 hours, so I've left it.")
        assert (await say(house, "set a timer for 25 hours")).startswith(
            "That's longer than I can keep a timer for")
        await say(house, "set a timer for 2 minutes", "office")
        assert await say(house, "remove 3 minutes from the timer", "office") == (
            "That's more than the 2 minutes it had left, so I've stopped the 2 minute timer.")
        await say(house, "set a timer for 3 minutes", "office")
        assert await say(house, "cancel all timers") == "Okay, I've cancelled both timers."
        assert scheduler.pending() == [] and stored(tmp_path) == []
        assert await say(house, "cancel all timers") == "There are no timers to cancel."


async def test_pause_keeps_the_time_left_and_timers_survive_a_restart(
        write_config: WriteConfig, tmp_path: Path) -> None:
    cfg = write_config()
    first = House.prepare(cfg)
    early = listen(first)
    async with first:
        await say(first, "set a timer for 1 second called egg")
        await say(first, "set a timer for 2 seconds called tea")
        assert (await say(first, "pause the egg timer")).startswith(
            "Okay, I've paused the egg timer with 1 second left")
        assert await say(first, "pause the egg timer") == "The egg timer is already paused."
        await asyncio.sleep(1.2)  # the egg would have rung by now
    assert all("done" not in e.text for _, e in early)
    rows = {i.text: i for i in stored(tmp_path)}
    assert 0.9 <= (rows["egg"].paused or 0) <= 1.0 and rows["tea"].paused is None

    second = House.prepare(cfg)
    heard = listen(second)
    async with second:
        status = await say(second, "timer status")
        assert "the egg timer is paused with 1 second left" in status
        await wait_until(lambda: any("tea timer is done" in e.text for _, e in heard), 2)
        assert heard[-1][1].text == "Your tea timer is done."  # on time after the restart
        assert await say(second, "resume the egg timer") == (
            "Okay, the egg timer is running again with 1 second left.")
        resumed = time.time()
        await wait_until(lambda: any("egg timer is done" in e.text for _, e in heard), 2)
    at, done = heard[-1]
    assert (done.room, done.text) == ("kitchen", "Your egg timer is done.")
    assert 0.85 <= at - resumed <= 1.3
    assert stored(tmp_path) == []


async def test_a_command_said_for_later_runs_when_due(write_config: WriteConfig,
                                                      tmp_path: Path) -> None:
    house = House.prepare(write_config())
    heard = listen(house)
    async with house:
        light = house.home.devices["kitchen.kitchen_light"]
        reply = await say(house, "in 1 second turn on the kitchen light")
        assert reply == "Okay, in 1 second I'll turn on the kitchen light."
        [row] = stored(tmp_path)
        assert (row.kind, row.text, row.room) == ("sentence", "turn on the kitchen light",
                                                  "kitchen")
        assert "timer to turn on the kitchen light" in await say(house, "timer status")
        assert light.state.get("on") is not True
        await wait_until(lambda: light.state.get("on") is True, 2)
        assert light.state.get("on") is True
        # When it runs, the house says what it did, in the room it was asked in.
        done = ("kitchen", "Okay, the Kitchen Light is on.")
        await until(lambda: done in [(e.room, e.text) for _, e in heard], 2, "its reply")
        # Nobody is there to say yes when it runs out, so a lock is refused now.
        assert await say(house, "in 1 second unlock the front door", "hallway") == (
            "I can't do that later: that needs a person to say yes at the time.")
        assert await say(house, "in 1 second dance a jig") == (
            "I can't do that later: I wouldn't know how to do that.")
    assert stored(tmp_path) == []
