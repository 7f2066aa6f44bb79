"""Speaking first: the morning after a low evening in the room the person is in now, a
follow-up of an open thread, welcome home, quiet hours, the daily budget, "not now" and "don't
ask me that" (kept across a restart), each visible in `samantha persona log`."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from care_support import MONDAY, Running, start, write_house
from click.testing import CliRunner

from harness.openai_server import Reply, ScriptedOpenAI
from samantha.cli import cli
from samantha.house import House
from samantha.plugins.automations.clock import FakeClock
from samantha.plugins.care.state import care_for
from samantha.plugins.people.conversations import Condensed, Turn
from samantha.plugins.persona.runtime import runtime_of

PRESENCE = """\
care:
  speak_first:
    daily_budget: {budget}
    presence: {{anna: {{device: Anna Phone, room: Hallway}}}}
"""


def config_with(tmp_path: Path, budget: int = 3, quiet: bool = False) -> Path:
    extra = PRESENCE.format(budget=budget)
    if quiet:
        config = write_house(tmp_path, extra)
        text = config.read_text().replace(
            "persona:\n", "persona:\n  quiet_hours: {start: \"22:00\", end: \"07:00\"}\n", 1)
        config.write_text(text)
        return config
    return write_house(tmp_path, extra)


def log_rows(config: Path) -> list[dict[str, object]]:
    result = CliRunner().invoke(cli, ["persona", "log", "--json", "-c", str(config)])
    assert result.exit_code == 0, result.output
    return list(json.loads(result.output))


def add_thread(house: object, person: str, text: str, follow_up: float) -> None:
    rt = runtime_of(house)  # type: ignore[arg-type]
    turn = Turn(person=person, room="bedroom", said=text, reply="Good luck!", at=follow_up - 86400)
    rt.conversations.record(person, "bedroom", text, "Good luck!")
    rt.conversations.close_conversation([turn], Condensed(summary=text, threads=[
        (text, follow_up)]), "extractive")


async def lonely_monday_evening(config: Path) -> tuple[House, Running]:
    """The house started on Monday; at 21:00 Anna says in the living room she feels lonely."""
    house, run = await start(config, FakeClock(MONDAY))
    await run.at(MONDAY.replace(hour=21))
    await run.say("I feel really lonely tonight", "living room", "anna")
    return house, run


async def test_low_evening_then_a_check_in_where_she_is_next_morning(tmp_path: Path) -> None:
    config = config_with(tmp_path)
    house, run = await lonely_monday_evening(config)
    try:
        await run.say("whatever", "living room", "anna")
        await run.say("I'm fine.", "bedroom", "ben")  # one curt line is not a low evening
        assert not run.first, "spoke first the same evening"
        await run.at(MONDAY + timedelta(days=1, hours=1, minutes=10))  # Tuesday 07:10
        await run.say("good morning", "bedroom", "ben")
        assert not run.first, f"checked in on Ben, who was fine: {run.first}"
        await run.say("good morning", "kitchen", "anna")  # not her usual room
        assert [(e.kind, e.person, e.room) for e in run.first] == [
            ("check_in", "anna", "kitchen")]
        assert "Last night sounded hard" in run.first[0].text
        assert "anna seemed low last evening" in run.first[0].reason
        await run.say("thanks, a bit better", "kitchen", "anna")
        assert len(run.first) == 1, "checked in twice"
    finally:
        await house.stop()
    rows = log_rows(config)
    assert [(r["kind"], r["status"], r["room"]) for r in rows] == [
        ("check_in", "said", "kitchen")]


async def test_a_hard_evening_nobody_checked_in_on_is_asked_about_later_in_plain_words(
        tmp_path: Path) -> None:
    """The offline self keeps "how are you now?" for later: not the same evening, not while
    the morning check-in may still come, and never in the words of its own note."""
    house, run = await lonely_monday_evening(config_with(tmp_path))
    try:
        await run.at(MONDAY.replace(hour=23))
        assert not run.first, f"spoke first the same evening: {run.first}"
        # She is away all Tuesday; on Wednesday morning she is heard in the kitchen.
        await run.at(MONDAY + timedelta(days=2, hours=4))
        await run.say("good morning", "kitchen", "anna")
        follow = [e for e in run.first if e.kind == "follow_up"]
        assert [(e.person, e.room) for e in follow] == [("anna", "kitchen")], run.first
        assert "I feel really lonely tonight" in follow[0].text
        assert "How are you now" in follow[0].text
        assert "template" not in follow[0].text and "ask how" not in follow[0].text
    finally:
        await house.stop()


async def test_follow_up_in_the_room_he_is_in_and_the_daily_budget(tmp_path: Path) -> None:
    config = config_with(tmp_path, budget=1)
    clock = FakeClock(MONDAY)
    house, run = await start(config, clock)
    try:
        tuesday_evening = (MONDAY + timedelta(days=1)).replace(hour=18)
        add_thread(house, "ben", "I have a job interview tomorrow", tuesday_evening.timestamp())
        add_thread(house, "ben", "the dentist on tuesday", tuesday_evening.timestamp() + 60)
        await run.at(tuesday_evening - timedelta(minutes=5))
        await run.say("what time is it", "kitchen", "ben")
        assert not run.first, "followed up before its time"
        await run.at(tuesday_evening + timedelta(minutes=2))  # the minute tick finds it
        assert [(e.kind, e.person, e.room) for e in run.first] == [
            ("follow_up", "ben", "kitchen")]
        assert "job interview tomorrow" in run.first[0].text
        assert "How did it go" in run.first[0].text
        await run.at(tuesday_evening + timedelta(minutes=20))
        assert len(run.first) == 1, "over the daily budget of one"
        # The next day the budget is fresh, but he has to be somewhere the house can find him.
        await run.at(tuesday_evening + timedelta(days=1))
        assert len(run.first) == 1
        await run.say("what time is it", "living room", "ben")
        assert [(e.kind, e.room) for e in run.first[1:]] == [("follow_up", "living_room")]
        assert "dentist" in run.first[1].text
    finally:
        await house.stop()
    statuses = [(r["kind"], r["status"]) for r in log_rows(config)]
    assert statuses == [("follow_up", "said"), ("follow_up", "over_budget"),
                        ("follow_up", "said")], statuses


async def test_welcome_home_quiet_hours_and_dont_ask_me_that_kept(tmp_path: Path) -> None:
    config = config_with(tmp_path, quiet=True)
    clock = FakeClock(MONDAY.replace(hour=23))
    house, run = await start(config, clock)
    phone = "hallway.anna_phone"
    try:
        house.home.update_state(phone, {"on": True})  # home at 23:00: quiet hours
        await run.settle()
        assert not run.first and not run.said
        house.home.update_state(phone, {"on": False})
        await run.at(MONDAY + timedelta(days=1, hours=12))  # Tuesday 18:00
        house.home.update_state(phone, {"on": True})
        await run.settle()
        assert [(e.kind, e.room) for e in run.first] == [("welcome_home", "hallway")]
        assert run.said[-1] == ("hallway", "Welcome home, Anna. How was your day?")
        reply = await run.say("don't ask me that again", "hallway", "anna")
        assert reply == "Okay, I'll stop welcoming you home."
    finally:
        await house.stop()

    clock = FakeClock(MONDAY + timedelta(days=2, hours=12))
    house, run = await start(config, clock)
    try:
        house.home.update_state(phone, {"on": False})
        await run.settle()
        house.home.update_state(phone, {"on": True})
        await run.settle()
        assert not run.first, "welcomed home after 'don't ask me that' and a restart"
        assert care_for(house).store.refused("anna", "welcome_home")
    finally:
        await house.stop()
    rows = [(r["kind"], r["status"], r["answer"]) for r in log_rows(config)]
    assert rows == [("welcome_home", "quiet_hours", None), ("welcome_home", "said", "never"),
                    ("welcome_home", "refused", None)], rows
    forgot = CliRunner().invoke(cli, ["people", "forget", "anna", "-c", str(config)])
    assert "care record(s)" in forgot.output and log_rows(config) == []


async def test_not_now_puts_it_off_and_it_comes_back(tmp_path: Path) -> None:
    config = config_with(tmp_path)
    clock = FakeClock(MONDAY)
    house, run = await start(config, clock)
    try:
        evening = MONDAY.replace(hour=18)
        add_thread(house, "anna", "my sister visits tomorrow", evening.timestamp())
        await run.at(evening)
        await run.say("what time is it", "kitchen", "anna")
        assert [e.kind for e in run.first] == ["follow_up"]
        assert await run.say("not now", "kitchen", "anna") == "Okay, not now."
        await run.at(evening + timedelta(minutes=30))
        await run.say("what time is it", "kitchen", "anna")
        assert len(run.first) == 1, "asked again within the snooze"
        await run.at(evening + timedelta(minutes=65))
        await run.say("what time is it", "kitchen", "anna")
        assert len(run.first) == 2 and "sister" in run.first[1].text
    finally:
        await house.stop()


async def test_online_the_model_words_it_and_a_bad_answer_falls_back(tmp_path: Path) -> None:
    with ScriptedOpenAI() as server:
        config = config_with(tmp_path)
        (tmp_path / "secrets.yaml").write_text("llm_key: sk-test-care-4242\n")
        config.write_text(config.read_text().replace("persona:\n", (
            "persona:\n  llm: {base_url: " + server.base_url + ", model: scripted, "
            "api_key: !secret llm_key, timeout: 3}\n"), 1))
        clock = FakeClock(MONDAY.replace(hour=18))
        house, run = await start(config, clock)
        phone = "hallway.anna_phone"
        try:
            server.default = Reply(text="Hey Anna, welcome back! Long day?")
            house.home.update_state(phone, {"on": True})
            await run.settle()
            assert run.said[-1] == ("hallway", "Hey Anna, welcome back! Long day?")
            sent = server.requests[-1].body["messages"]
            assert "tools" not in server.requests[-1].body
            data = [m["content"] for m in sent if m["content"].startswith("DATA (JSON")]
            assert len(data) == 1 and "anna arrived home" in data[0]
            assert "arrived" not in sent[0]["content"]  # the reason is data, not instructions

            house.home.update_state(phone, {"on": False})
            await run.at(MONDAY + timedelta(days=1, hours=12))
            server.default = Reply(text="word " * 200)  # far too long to say
            house.home.update_state(phone, {"on": True})
            await run.settle()
            assert run.said[-1] == ("hallway", "Welcome home, Anna. How was your day?")
        finally:
            await house.stop()
