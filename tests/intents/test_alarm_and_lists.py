"""The alarm (code never shown, disarm only after a spoken yes) and lists that survive a restart."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from every_kind import ALARM_CODE

from samantha.events import DeviceCommand
from samantha.house import House
from samantha.providers import Command


async def test_alarm_arms_with_the_code_and_disarms_only_after_yes(
        house: House, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    panel = house.home.devices["house_alarm"]
    seen: list[DeviceCommand] = []

    async def observe(event: DeviceCommand) -> None:
        seen.append(event)

    house.bus.subscribe(DeviceCommand, observe)
    armed = await house.handle_text("arm the alarm in night mode", "kitchen")
    assert armed.reply == "Okay, the House Alarm is armed in night mode."
    assert panel.state["state"] == "armed_night"
    shown = json.dumps(armed.public())
    assert ALARM_CODE not in shown and '"code"' not in shown  # the code went to the panel only
    asked = await house.handle_text("disarm the alarm", "kitchen")
    assert asked.reply == "Shall I disarm the House Alarm? Say yes to confirm."
    assert panel.state["state"] == "armed_night", "nothing happens before the yes"
    # A "yes" in another room is not the answer.
    await house.handle_text("yes", "bedroom")
    assert panel.state["state"] == "armed_night"
    done = await house.handle_text("yes", "kitchen")
    assert panel.state["state"] == "disarmed", done.reply
    assert ALARM_CODE not in json.dumps(done.public())
    await house.bus.drain()
    assert not [r for r in caplog.records if ALARM_CODE in r.getMessage()]
    # Observers (dashboard, automations) hear of both commands, never of the code.
    assert [e.action for e in seen] == ["arm_night", "disarm"]
    assert all("code" not in e.params for e in seen)


async def test_the_code_goes_with_commands_from_automations_and_the_model_too(
        house: House) -> None:
    """Whoever issues an arm or disarm command (an automation, the model's tool, a plugin), the
    configured code is added on its way to the panel, and nowhere else."""
    panel = house.home.devices["house_alarm"]
    [armed] = await house.execute([Command(device="house_alarm", action="arm_away")])
    assert armed.ok and panel.state["state"] == "armed_away", armed.error
    assert armed.command.params == {}  # the result keeps the command as issued
    [disarmed] = await house.execute([Command(device="house_alarm", action="disarm")])
    assert disarmed.ok and panel.state["state"] == "disarmed", disarmed.error
    # A code given explicitly is the one used: a wrong one is refused by the panel.
    [wrong] = await house.execute([Command(device="house_alarm", action="arm_home",
                                           params={"code": "0000"})])
    assert not wrong.ok and panel.state["state"] == "disarmed"
    assert ALARM_CODE not in (wrong.error or "")


async def test_voice_still_never_unlocks(house: House) -> None:
    outcome = await house.handle_text("unlock the back door", "kitchen")
    assert "won't unlock" in outcome.reply
    assert house.home.devices["kitchen.back_door"].state["locked"] is True


async def test_owner_choices_wrong_code_and_voice_unlock(house_path: Path) -> None:
    """Without `alarm.code` the panel refuses (its code unsaid); a lock the owner marked
    `sensitive: false` may be unlocked by voice, as before."""
    text = house_path.read_text().replace("alarm:\n  code: !secret alarm_code\n", "")
    text = text.replace("{name: Back Door, room: Kitchen, kind: lock}",
                        "{name: Back Door, room: Kitchen, kind: lock, sensitive: false}")
    house_path.write_text(text)
    async with House.prepare(house_path) as house:
        outcome = await house.handle_text("arm the alarm", "kitchen")
        assert house.home.devices["house_alarm"].state["state"] == "disarmed"
        assert "code is missing or wrong" in outcome.reply
        assert ALARM_CODE not in outcome.reply
        unlocked = await house.handle_text("unlock the back door", "kitchen")
        assert unlocked.reply == "Okay, the Back Door is unlocked."
        assert house.home.devices["kitchen.back_door"].state["locked"] is False


async def test_list_items_survive_a_restart(house_path: Path) -> None:
    async with House.prepare(house_path) as house:
        await house.handle_text("add oat milk to my shopping list", "kitchen")
        await house.handle_text("add apples to my shopping list", "kitchen")
        await house.handle_text("check off apples from my shopping list", "kitchen")
    async with House.prepare(house_path) as house:
        items = house.home.devices["shopping_list"].state["items"]
        assert items == [{"summary": "oat milk", "status": "needs_action"},
                         {"summary": "apples", "status": "completed"}]
