"""Learning a habit end to end: five weekday mornings of the kitchen light around seven, a
spoken suggestion, "yes", the automation written to the suggested file, loaded by the real
automations engine, and run on the next weekday at seven."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import yaml
from care_support import MONDAY, start, write_house
from click.testing import CliRunner

from samantha.cli import cli
from samantha.plugins.automations.clock import FakeClock
from samantha.plugins.automations.plugin import engine_for
from samantha.plugins.care.state import care_for

MORNINGS = [(7, 2), (6, 55), (7, 9), (7, 0), (7, 4)]  # Monday .. Friday


async def test_five_mornings_become_an_automation_that_runs(tmp_path: Path) -> None:
    config = write_house(tmp_path)
    clock = FakeClock(MONDAY)
    house, run = await start(config, clock)
    try:
        asked = []
        for day, (hour, minute) in enumerate(MORNINGS):
            morning = MONDAY + timedelta(days=day)
            await run.at(morning.replace(hour=hour, minute=minute))
            run.said.clear()
            await run.say("turn on the kitchen light", "kitchen", "anna")
            asked.append([t for _r, t in run.said if "Shall I do that for you" in t])
            if day == 3:
                assert asked[3], f"no suggestion on the fourth weekday morning: {run.said}"
                assert "not now" in (await run.say("not now", "kitchen", "anna")).casefold()
            if day == 4:
                break
            await run.at(morning.replace(hour=8, minute=30))
            await run.say("turn off the kitchen light", "kitchen", "anna")
        assert asked[:3] == [[], [], []], "suggested before most of the week had shown it"
        question = asked[4][0]
        assert question.startswith("You turn on the kitchen light around seven on weekdays"), \
            question
        spoken = [e for e in run.first if e.kind == "habit"]
        assert spoken[-1].room == "kitchen" and spoken[-1].person == "anna"
        assert "weekdays between 06:55 and 07:10" in spoken[-1].reason

        # Friday morning, the question asked again (the snooze is over): "yes".
        reply = await run.say("yes", "kitchen", "anna")
        assert "from now on I'll turn on the kitchen light at 07:00 on weekdays" in reply, reply
        path = tmp_path / "automations.suggested.yaml"
        written = yaml.safe_load(path.read_text())["automations"]
        assert len(written) == 1
        automation = written[0]
        assert automation["triggers"] == [{"trigger": "time", "at": "07:00"}]
        assert automation["actions"] == [{"command": "turn_on", "device": "Kitchen Light"}]
        assert "anna said yes" in automation["origin"].casefold()
        assert "weekdays between" in automation["origin"]
        engine = engine_for(house)
        assert engine is not None and automation["id"] in engine.runners  # loaded, no restart

        await run.say("turn off the kitchen light", "kitchen", "anna")
        saturday = MONDAY + timedelta(days=5, hours=1, minutes=30)
        await run.at(saturday)
        assert run.state("kitchen.kitchen_light")["on"] is False, "ran at the weekend"
        await run.at(MONDAY + timedelta(days=7, hours=1, seconds=30))  # next Monday 07:00:30
        assert run.state("kitchen.kitchen_light")["on"] is True, "did not run on the next weekday"
    finally:
        await house.stop()

    listed = CliRunner().invoke(cli, ["automations", "list", "--json", "-c", str(config)])
    assert listed.exit_code == 0, listed.output
    rows = {r["id"]: r for r in json.loads(listed.output)}
    assert rows[automation["id"]]["origin"].startswith("suggested by the house")
    log = CliRunner().invoke(cli, ["persona", "log", "--json", "-c", str(config)])
    answers = [r["answer"] for r in json.loads(log.output)
               if r["kind"] == "habit" and "turn on the kitchen light" in r["text"]]
    assert answers == ["not now", "yes"], answers


async def test_no_is_remembered_across_a_restart(tmp_path: Path) -> None:
    config = write_house(tmp_path)
    clock = FakeClock(MONDAY)
    house, run = await start(config, clock)
    try:
        for day in range(4):
            await run.at(MONDAY + timedelta(days=day, hours=1, minutes=day))
            await run.say("turn on the coffee machine", "kitchen", "anna")
        assert any("coffee machine" in t and "Shall I" in t for _r, t in run.said), run.said
        assert "won't ask" in await run.say("no", "kitchen", "anna")
    finally:
        await house.stop()
    assert not (tmp_path / "automations.suggested.yaml").exists()

    clock = FakeClock(MONDAY + timedelta(days=4))
    house, run = await start(config, clock)
    try:
        await run.at(MONDAY + timedelta(days=4, hours=1, minutes=1))
        await run.say("turn on the coffee machine", "kitchen", "anna")
        assert not any("Shall I" in t for _r, t in run.said), run.said
        assert care_for(house).store.decisions()  # the "no" is on disk
    finally:
        await house.stop()

    exported = CliRunner().invoke(cli, ["memory", "export", "--person", "anna", "-c",
                                                str(config)])
    care = json.loads(exported.output)["care"]
    assert len(care["interactions"]) == 5 and care["habit_decisions"][0]["decision"] == "declined"
    assert care["raised_with_them"][0]["answer"] == "no"

    house, run = await start(config, FakeClock(MONDAY + timedelta(days=5)))
    try:
        await run.say("forget everything about me", "kitchen", "anna")
        assert not any(care_for(house).store.export("anna").values())
    finally:
        await house.stop()


async def test_without_an_engine_the_reply_says_it_starts_at_the_next_start(
        tmp_path: Path) -> None:
    config = write_house(tmp_path)
    config.write_text(config.read_text().replace("automations: []\n", ""))
    clock = FakeClock(MONDAY)
    house, run = await start(config, clock)
    try:
        assert engine_for(house) is None  # no automations anywhere yet
        for day in range(4):
            await run.at(MONDAY + timedelta(days=day, hours=1, minutes=day))
            await run.say("turn on the coffee machine", "kitchen", "anna")
        reply = await run.say("yes", "kitchen", "anna")
        assert "it starts the next time the house starts" in reply, reply
    finally:
        await house.stop()
    clock = FakeClock(MONDAY + timedelta(days=4))
    house, run = await start(config, clock)
    try:
        engine = engine_for(house)
        assert engine is not None and list(engine.runners) == [
            "suggested_turn_on_the_coffee_machine_weekdays"]
        await run.at(MONDAY + timedelta(days=4, hours=1, minutes=5))
        assert run.state("kitchen.coffee_machine")["on"] is True
    finally:
        await house.stop()
