"""Discovery parsing and the command/state codec, without a broker."""

from __future__ import annotations

import json

import pytest

from samantha.plugins.mqtt.announce import AnnouncedEntity, room_discovery
from samantha.plugins.mqtt.codec import (
    Action,
    Command,
    CommandError,
    StateError,
    decode_state,
    encode_command,
)
from samantha.plugins.mqtt.discovery import (
    CONFIG_MODELS,
    DiscoveredEntity,
    DiscoveryError,
    parse_discovery,
    parse_discovery_topic,
)
from samantha.plugins.mqtt.settings import MqttSettings
from samantha.plugins.mqtt.templates import TemplateError, compile_template


def one(topic: str, payload: dict) -> DiscoveredEntity:
    result = parse_discovery(topic, json.dumps(payload))
    assert len(result.entities) == 1
    return result.entities[0]


def test_topic_forms() -> None:
    assert parse_discovery_topic("homeassistant/light/node/obj/config").key == "light/node/obj"
    assert parse_discovery_topic("homeassistant/switch/obj/config").node_id is None
    assert parse_discovery_topic("homeassistant/light/a/b/c/config") is None
    assert parse_discovery_topic("other/light/obj/config") is None


def test_abbreviations_base_topic_and_names() -> None:
    e = one(
        "homeassistant/light/kitchen/config",
        {
            "~": "home/kitchen/light",
            "name": "Ceiling",
            "uniq_id": "k1",
            "cmd_t": "~/set",
            "stat_t": "~/state",
            "bri_cmd_t": "~/bri/set",
            "bri_stat_t": "~/bri",
            "bri_scl": 100,
            "avty_t": "~/avail",
            "dev": {"ids": "dev1", "name": "Kitchen", "sug_area": "Kitchen"},
        },
    )
    assert e.config.command_topic == "home/kitchen/light/set"
    assert e.state_topics == ["home/kitchen/light/state", "home/kitchen/light/bri"]
    assert e.availability_topics == ["home/kitchen/light/avail"]
    assert e.name == "Kitchen Ceiling" and e.suggested_area == "Kitchen"
    assert e.capabilities.brightness and e.capabilities.brightness_scale == 100
    assert e.device is not None and e.device.identifiers == ["dev1"]


def test_removal_malformed_and_unknown() -> None:
    assert parse_discovery("homeassistant/light/x/config", b"").removed
    with pytest.raises(DiscoveryError, match="invalid JSON"):
        parse_discovery("homeassistant/light/x/config", b"{nope")
    with pytest.raises(DiscoveryError, match="unsupported component"):
        parse_discovery("homeassistant/siren/x/config", b"{}")
    with pytest.raises(DiscoveryError, match="command_topic"):
        parse_discovery("homeassistant/light/x/config", b'{"name": "no topic"}')


def test_device_bundle() -> None:
    payload = {
        "dev": {"ids": "plug1", "name": "Plug"},
        "o": {"name": "esphome"},
        "stat_t": "plug1/state",
        "cmps": {
            "relay": {"p": "switch", "uniq_id": "plug1_relay", "cmd_t": "plug1/set", "name": None},
            "power": {"p": "sensor", "uniq_id": "plug1_power", "stat_t": "plug1/power",
                      "unit_of_meas": "W", "name": "Power"},
            "gone": {"p": "light"},
        },
    }
    result = parse_discovery("homeassistant/device/plug1/config", json.dumps(payload))
    names = {e.unique_id: e.name for e in result.entities}
    assert names == {"plug1_relay": "Plug", "plug1_power": "Plug Power"}
    relay = result.entities[0]
    assert relay.config.state_topic == "plug1/state"  # shared option inherited


def test_templates_subset() -> None:
    t = compile_template("{{ value_json['ENERGY'].Power | float }}")
    assert t.render_value('{"ENERGY": {"Power": "12.5"}}') == 12.5
    assert compile_template('{"state": "{{ value }}"}').render({"value": "ON"}) == '{"state": "ON"}'
    with pytest.raises(TemplateError):
        compile_template("{{ 'ON' if value == '1' else 'OFF' }}")
    with pytest.raises(TemplateError):
        compile_template("{% for x in y %}{% endfor %}")
    e = one(
        "homeassistant/sensor/s/config",
        {"stat_t": "s", "uniq_id": "s", "val_tpl": "{{ value_json.a + 1 }}"},
    )
    assert e.problems and "value_template" in e.problems[0]


def bulb() -> DiscoveredEntity:
    return one(
        "homeassistant/light/0x1/light/config",
        {"~": "z2m/bulb", "cmd_t": "~/set", "stat_t": "~", "schema": "json", "bri": True,
         "sup_clrm": ["xy"], "uniq_id": "b", "name": None, "dev": {"name": "Bulb"}},
    )


def test_json_light_codec() -> None:
    e = bulb()
    [m] = encode_command(e, Command(Action.TURN_ON, brightness=50))
    assert m.topic == "z2m/bulb/set" and json.loads(m.payload) == {"state": "ON", "brightness": 128}
    [m] = encode_command(e, Command(Action.SET_COLOR, rgb=(255, 0, 0)))
    assert set(json.loads(m.payload)["color"]) == {"x", "y"}
    [m] = encode_command(e, Command(Action.TOGGLE), {"on": True})
    assert json.loads(m.payload) == {"state": "OFF"}
    state = decode_state(e, "z2m/bulb", '{"state": "ON", "brightness": 255, "color_mode": "xy"}')
    assert state == {"on": True, "brightness": 100.0, "color_mode": "xy"}
    with pytest.raises(StateError):
        decode_state(e, "z2m/bulb", "not json")


def test_default_light_switch_cover_climate_fan_lock_codec() -> None:
    light = one("homeassistant/light/l/config", {
        "cmd_t": "l/set", "stat_t": "l/state", "bri_cmd_t": "l/bri/set", "bri_stat_t": "l/bri",
        "rgb_cmd_t": "l/rgb/set", "uniq_id": "l"})
    msgs = encode_command(light, Command(Action.TURN_ON, brightness=100, rgb=(1, 2, 3)))
    assert [(m.topic, m.payload) for m in msgs] == [
        ("l/bri/set", "255"), ("l/rgb/set", "1,2,3"), ("l/set", "ON")]
    assert decode_state(light, "l/bri", "51") == {"brightness": 20.0}

    switch = one("homeassistant/switch/s/config", {
        "cmd_t": "cmnd/s/POWER", "stat_t": "stat/s/RESULT", "val_tpl": "{{ value_json.POWER }}",
        "uniq_id": "s"})
    assert encode_command(switch, Command(Action.TURN_OFF))[0].payload == "OFF"
    assert decode_state(switch, "stat/s/RESULT", '{"POWER": "ON"}') == {"on": True}

    cover = one("homeassistant/cover/c/config", {
        "cmd_t": "c/set", "pos_t": "c/pos", "set_pos_t": "c/pos/set", "pos_clsd": 0,
        "pos_open": 255, "uniq_id": "c"})
    assert encode_command(cover, Command(Action.SET_POSITION, position=50))[0].payload == "128"
    assert encode_command(cover, Command(Action.STOP))[0].payload == "STOP"
    assert decode_state(cover, "c/pos", "255")["position"] == 100.0

    climate = one("homeassistant/climate/t/config", {
        "mode_cmd_t": "t/mode/set", "temp_cmd_t": "t/temp/set", "curr_temp_t": "t/state",
        "curr_temp_tpl": "{{ value_json.local_temperature }}", "modes": ["off", "heat"],
        "min_temp": 5, "max_temp": 30, "temp_step": 0.5, "uniq_id": "t"})
    assert encode_command(climate, Command(Action.SET_TEMPERATURE, temperature=21.3))[0].payload \
        == "21.5"
    assert encode_command(climate, Command(Action.TURN_OFF))[0].payload == "off"
    with pytest.raises(CommandError):
        encode_command(climate, Command(Action.SET_TEMPERATURE, temperature=50))
    assert decode_state(climate, "t/state", '{"local_temperature": 19.5}') == {
        "current_temperature": 19.5}

    fan = one("homeassistant/fan/f/config", {
        "cmd_t": "f/set", "pct_cmd_t": "f/speed/set", "spd_rng_min": 1, "spd_rng_max": 3,
        "pct_stat_t": "f/speed", "uniq_id": "f"})
    assert encode_command(fan, Command(Action.SET_PERCENTAGE, percentage=50))[0].payload == "2"
    assert decode_state(fan, "f/speed", "3") == {"percentage": 100.0}

    lock = one("homeassistant/lock/d/config", {"cmd_t": "d/set", "stat_t": "d/state",
                                               "uniq_id": "d"})
    assert encode_command(lock, Command(Action.UNLOCK))[0].payload == "UNLOCK"
    assert decode_state(lock, "d/state", "LOCKED") == {"lock_state": "locked", "locked": True}
    with pytest.raises(CommandError):
        encode_command(lock, Command(Action.SET_BRIGHTNESS, brightness=3))


def test_wire_models_round_trip() -> None:
    e = bulb()
    assert DiscoveredEntity.model_validate_json(e.model_dump_json(by_alias=True)) == e
    for name, model in CONFIG_MODELS.items():
        minimal = {"command_topic": "a", "state_topic": "b", "platform": name}
        config = model.model_validate(minimal)
        assert model.model_validate_json(config.model_dump_json(by_alias=True)) == config
    settings = MqttSettings(base_topic="sam")
    for topic, announced in room_discovery(settings, "Living room").items():
        again = AnnouncedEntity.model_validate_json(announced.model_dump_json())
        assert again == announced
        parsed = parse_discovery(topic, announced.model_dump_json(exclude_none=True)).entities[0]
        assert parsed.unique_id == announced.unique_id
        assert parsed.suggested_area == "Living room"
