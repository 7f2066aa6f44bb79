"""Commands to service calls and HA states to Samantha's units; no Home Assistant needed."""

from __future__ import annotations

import pytest

from samantha.kinds import Kind, apply, temperature_limits
from samantha.plugins.homeassistant import mapping
from samantha.plugins.homeassistant.mapping import ServiceCall, UnsupportedCommandError
from samantha.plugins.homeassistant.translate import core_state


@pytest.mark.parametrize(
    ("entity_id", "command", "service"),
    [
        ("light.bed", "turn_on", "turn_on"),
        ("switch.ac", "turn_off", "turn_off"),
        ("fan.ceiling", "toggle", "toggle"),
        ("cover.blind", "turn_on", "open_cover"),
        ("cover.blind", "turn_off", "close_cover"),
        ("lock.front", "turn_on", "lock"),
        ("lock.front", "turn_off", "unlock"),
        ("climate.hvac", "turn_off", "turn_off"),
        ("media_player.tv", "turn_on", "turn_on"),
    ],
)
def test_switching_uses_the_domains_own_service(
    entity_id: str, command: mapping.Command, service: str
) -> None:
    call = mapping.switch(entity_id, command)
    assert call == ServiceCall(entity_id.split(".")[0], service, entity_id)
    assert call.service_data() == {"entity_id": entity_id}


def test_unsupported_commands_are_refused() -> None:
    with pytest.raises(UnsupportedCommandError):
        mapping.toggle("lock.front")
    with pytest.raises(UnsupportedCommandError):
        mapping.turn_on("sensor.temperature")
    with pytest.raises(UnsupportedCommandError):
        mapping.set_brightness("switch.ac", 50)
    with pytest.raises(ValueError, match="not an entity id"):
        mapping.turn_on("kitchen")


def test_light_commands() -> None:
    assert mapping.set_brightness("light.bed", 50).data == {"brightness_pct": 50}
    assert mapping.set_brightness("light.bed", 0).service == "turn_off"
    assert mapping.set_rgb("light.bed", (255, 0, 10)).data == {"rgb_color": [255, 0, 10]}
    assert mapping.set_color_temp("light.bed", 2700).data == {"color_temp_kelvin": 2700}
    with pytest.raises(ValueError):
        mapping.set_brightness("light.bed", 101)
    with pytest.raises(ValueError):
        mapping.set_rgb("light.bed", (256, 0, 0))


def test_other_value_commands() -> None:
    assert mapping.set_cover_position("cover.blind", 30.4) == ServiceCall(
        "cover", "set_cover_position", "cover.blind", {"position": 30}
    )
    assert mapping.set_temperature("climate.hvac", 21.5).data == {"temperature": 21.5}
    assert mapping.set_temperature("climate.hvac", 20, "heat").data == {
        "temperature": 20,
        "hvac_mode": "heat",
    }
    assert mapping.set_hvac_mode("climate.hvac", "cool").service == "set_hvac_mode"
    assert mapping.set_fan_percentage("fan.ceiling", 66).data == {"percentage": 66}
    assert mapping.set_volume("media_player.tv", 25).data == {"volume_level": 0.25}
    assert mapping.lock("lock.front").service == "lock"
    assert mapping.unlock("lock.front").service == "unlock"


def test_normalise_light() -> None:
    state = mapping.normalise_state(
        "light.bed",
        "on",
        {"brightness": 128, "rgb_color": [255, 63, 111], "color_temp_kelvin": None},
    )
    assert state == {
        "state": "on",
        "available": True,
        "on": True,
        "brightness": 50,
        "rgb": (255, 63, 111),
    }
    off = mapping.normalise_state("light.bed", "off", {"brightness": None})
    assert off == {"state": "off", "available": True, "on": False}


def test_normalise_climate_cover_lock_sensor() -> None:
    climate = mapping.normalise_state(
        "climate.hvac",
        "cool",
        {"current_temperature": 22, "temperature": 21},
        temperature_unit="°C",
    )
    assert climate["on"] is True
    assert climate["hvac_mode"] == "cool"
    assert climate["current_temperature"] == 22.0
    assert climate["target_temperature"] == 21.0
    assert climate["unit"] == "°C"
    assert mapping.normalise_state("climate.hvac", "off", {})["on"] is False
    # A US house: HA gives the thermostat's range in °F; the target it takes follows it.
    us = mapping.normalise_state("climate.hvac", "heat",
                                 {"temperature": 68, "min_temp": 45, "max_temp": 95},
                                 temperature_unit="°F")
    assert (us["min_temp"], us["max_temp"], us["unit"]) == (45.0, 95.0, "°F")
    device_state = core_state(Kind.CLIMATE, us)
    assert temperature_limits(device_state) == (45.0, 95.0)
    assert apply(Kind.CLIMATE, device_state, "set_temperature",
                 {"temperature": 72})["target_temperature"] == 72

    cover = mapping.normalise_state("cover.blind", "opening", {"current_position": 40})
    assert cover["on"] is True
    assert cover["position"] == 40

    assert mapping.normalise_state("lock.front", "locked", {})["locked"] is True
    assert "locked" not in mapping.normalise_state("lock.front", "jammed", {})

    sensor = mapping.normalise_state("sensor.t", "21.3", {"unit_of_measurement": "°C"})
    assert sensor["value"] == 21.3
    assert sensor["unit"] == "°C"
    gone = mapping.normalise_state("sensor.t", "unavailable", {})
    assert gone["available"] is False
    assert "value" not in gone
