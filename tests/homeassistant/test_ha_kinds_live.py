"""Scenes, scripts, buttons, weather, a to-do list, a vacuum, the alarm panel, a person and
media playback of a real Home Assistant Core (the demo integration, plus a YAML scene and
script and the shopping list) as devices of a running house: state read, services called."""

from __future__ import annotations

import json
from pathlib import Path

from harness.homeassistant import HomeAssistant
from harness.waiting import until
from samantha.house import House
from samantha.kinds import Kind
from samantha.providers import Command


async def test_newer_kinds_read_and_driven_through_home_assistant(
        home_assistant: HomeAssistant, tmp_path: Path) -> None:
    ha = home_assistant
    ha.call_service("light", "turn_off", entity_id="light.bed_light")
    config = tmp_path / "samantha.yaml"
    config.write_text(json.dumps({"homeassistant": {
        "url": ha.url, "token": ha.token, "reconnect_initial_delay": 0.2,
        "reconnect_max_delay": 1.0,
        # sensitive or personal: only when named
        "exposed": {"entities": ["alarm_control_panel.security", "person.samantha_tests"]}}}))
    house = House.prepare(config)
    async with house:
        devices = house.home.devices
        kinds = {i: devices[i].kind for i in (
            "scene.movie_night", "script.evening", "button.push", "weather.demo_weather_south",
            "todo.shopping_list", "vacuum.0_ground_floor", "alarm_control_panel.security",
            "person.samantha_tests", "media_player.walkman")}
        assert kinds == {
            "scene.movie_night": Kind.SCENE, "script.evening": Kind.SCRIPT,
            "button.push": Kind.BUTTON, "weather.demo_weather_south": Kind.WEATHER,
            "todo.shopping_list": Kind.TODO, "vacuum.0_ground_floor": Kind.VACUUM,
            "alarm_control_panel.security": Kind.ALARM_CONTROL_PANEL,
            "person.samantha_tests": Kind.PERSON, "media_player.walkman": Kind.MEDIA_PLAYER}
        assert devices["alarm_control_panel.security"].sensitive
        weather = devices["weather.demo_weather_south"].state
        assert (weather["condition"], weather["temperature"]) == ("sunny", 21.6)
        assert weather["temperature_unit"] == "°C" and weather["humidity"] == 92
        await until(lambda: bool(devices["weather.demo_weather_south"].state["forecast"]),
                    timeout=15, what="the forecast (weather.get_forecasts)")
        first = devices["weather.demo_weather_south"].state["forecast"][0]
        assert first["condition"] and isinstance(first["temperature"], float)
        assert devices["vacuum.0_ground_floor"].state["activity"] == "docked"
        assert devices["vacuum.0_ground_floor"].state["battery_level"] == 100
        assert devices["person.samantha_tests"].state["state"] is None  # HA does not know

        async def do(device: str, action: str, **params: object) -> str:
            [result] = await house.execute([Command(device=device, action=action,
                                                    params=params)])
            assert result.status in ("done", "failed"), result
            return result.error or "done"

        # scene, script, button
        assert await do("scene.movie_night", "turn_on") == "done"
        assert ha.state("scene.movie_night")["state"] != "unknown"
        assert await do("script.evening", "turn_on") == "done"
        await until(lambda: ha.state("light.bed_light")["state"] == "on",
                    timeout=15, what="the script's light")
        assert await do("button.push", "press") == "done"
        assert ha.state("button.push")["state"] != "unknown"
        await until(lambda: devices["button.push"].state["pressed"] is not None,
                    timeout=15, what="the button's press in the home")

        # the to-do list: items are read back after each change
        assert await do("todo.shopping_list", "add_item", item="eggs") == "done"
        assert ha.state("todo.shopping_list")["state"] == "1"
        assert devices["todo.shopping_list"].state["items"] == [
            {"summary": "eggs", "status": "needs_action"}]
        assert await do("todo.shopping_list", "complete_item", item="Eggs") == "done"
        assert devices["todo.shopping_list"].state["items"] == [
            {"summary": "eggs", "status": "completed"}]
        assert await do("todo.shopping_list", "remove_item", item="eggs") == "done"
        assert devices["todo.shopping_list"].state["items"] == []
        assert "not on the list" in await do("todo.shopping_list", "remove_item", item="tea")

        # the vacuum
        assert await do("vacuum.0_ground_floor", "start") == "done"
        await until(lambda: devices["vacuum.0_ground_floor"].state["activity"] ==
                    "cleaning", timeout=15, what="cleaning")
        assert await do("vacuum.0_ground_floor", "return_to_base") == "done"
        await until(lambda: devices["vacuum.0_ground_floor"].state["activity"] ==
                    "returning", timeout=15, what="returning")

        # the alarm panel takes its code; a wrong one changes nothing and is not echoed
        wrong = await do("alarm_control_panel.security", "arm_away", code="0000")
        assert wrong != "done" and "0000" not in wrong
        assert ha.state("alarm_control_panel.security")["state"] == "disarmed"
        assert await do("alarm_control_panel.security", "arm_away", code="1234") == "done"
        await until(lambda: devices["alarm_control_panel.security"].state["state"] in (
            "arming", "armed_away"), timeout=15, what="arming")
        assert await do("alarm_control_panel.security", "disarm", code="1234") == "done"
        await until(lambda: devices["alarm_control_panel.security"].state["state"] ==
                    "disarmed", timeout=15, what="disarmed")

        # media playback
        walkman = devices["media_player.walkman"]
        assert await do("media_player.walkman", "pause") == "done"
        await until(lambda: walkman.state["playback"] == "paused", timeout=15, what="paused")
        assert await do("media_player.walkman", "play") == "done"
        await until(lambda: walkman.state["playback"] == "playing", timeout=15, what="playing")
        track = ha.state("media_player.walkman")["attributes"].get("media_track")
        assert await do("media_player.walkman", "next_track") == "done"
        await until(lambda: ha.state("media_player.walkman")["attributes"].get(
            "media_track") != track, timeout=15, what="the next track")
        assert await do("media_player.walkman", "mute") == "done"
        await until(lambda: walkman.state["muted"] is True, timeout=15, what="muted")
        assert await do("media_player.walkman", "unmute") == "done"
        await until(lambda: walkman.state["muted"] is False, timeout=15, what="unmuted")
