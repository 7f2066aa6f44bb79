"""Property-based fuzzing of what the network sends the MQTT layer.

Three surfaces, each fuzzed on its pure function (fast enough for 100,000 inputs under
`make fuzz`): the topic validator, discovery messages (config topic + payload) and each device
kind's state payloads. Every input must either be used or refused with the layer's own error
(DiscoveryError, StateError, InvalidTopic); anything else is a traceback in the house.
"""

from __future__ import annotations

import json
from typing import Any

import paho.mqtt.client as paho
import pytest
from hypothesis import given
from hypothesis import strategies as st
from paho.mqtt.enums import MQTTErrorCode

from harness.fuzzcount import FuzzCount, Record
from samantha.plugins.mqtt.abbreviations import ABBREVIATIONS
from samantha.plugins.mqtt.codec import (
    Action,
    Command,
    CommandError,
    StateError,
    decode_state,
    encode_command,
)
from samantha.plugins.mqtt.discovery import (
    COMPONENTS,
    DiscoveredEntity,
    DiscoveryError,
    parse_discovery,
)
from samantha.plugins.mqtt.mapping import core_state
from samantha.plugins.mqtt.payloads import MAX_NAME_CHARS
from samantha.plugins.mqtt.topics import InvalidTopic, check_topic, topic_problem

pytestmark = pytest.mark.fuzz

# -- strategies ---------------------------------------------------------------------------

_nasty_chars = st.sampled_from(
    ["\x00", "+", "#", "/", "~", "\ud800", "\x7f", "\x85", "\ufffe", "\U0010ffff", "é", " "])
topic_text = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(st.text(max_size=6), _nasty_chars), max_size=12).map("".join),
    st.sampled_from(["", "a\x00b", "a/#/b", "#", "+", "a/+", "a/b#", "/", "~/set", "$SYS/x"]),
    st.integers(1, 70_000).map(lambda n: "t" * n),
)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(),
    st.text(max_size=30), topic_text,
)
keys = st.one_of(st.sampled_from([*sorted(ABBREVIATIONS), "~", "uniq_id", "p", "cmps"]),
                 st.text(max_size=8))


def _json_values(depth: int) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda inner: st.one_of(st.lists(inner, max_size=4),
                                st.dictionaries(keys, inner, max_size=5)),
        max_leaves=depth,
    )


def _deep(n: int) -> str:
    return "[" * n + "]" * n


good_light = {"~": "z2m/b", "name": None, "uniq_id": "b1", "schema": "json", "cmd_t": "~/set",
              "stat_t": "~", "bri": True, "sup_clrm": ["xy"],
              "dev": {"ids": ["b"], "name": "Bulb", "sa": "Office"}}


@st.composite
def discovery_payloads(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return draw(st.binary(max_size=200))
    if kind == 1:  # deep nesting, also inside a valid-looking config
        depth = draw(st.integers(10, 100_000))
        return (_deep(depth) if draw(st.booleans()) else
                json.dumps({**good_light, "x": None})[:-5].encode() + b": " +
                _deep(depth).encode() + b"}")
    if kind == 2:  # a good config with fields replaced by hostile values
        data = dict(good_light)
        for key in draw(st.lists(st.sampled_from([*sorted(ABBREVIATIONS), "~"]), max_size=4)):
            data[key] = draw(scalars)
        if draw(st.booleans()):
            data["name"] = "n" * draw(st.integers(0, 300_000))
        return json.dumps(data).encode()
    if kind == 3:  # a device bundle with fuzzed components
        comps = draw(st.dictionaries(st.text(max_size=5), _json_values(8), max_size=4))
        bundle = {"dev": draw(_json_values(6)), "o": {"name": "x"}, "cmps": comps}
        return json.dumps(bundle).encode()
    if kind == 4:
        return json.dumps(draw(_json_values(20))).encode()
    return draw(st.sampled_from([b"", b" ", b"{}", b"null", b"1e999", b"NaN", b'{"a": 1e999}',
                                 b'{"name": "\\ud800"}', b"9" * 5000]))


config_topics = st.one_of(
    st.builds(lambda c, n, o: f"homeassistant/{c}/{n}{o}/config",
              st.sampled_from([*COMPONENTS, "device", "camera"]),
              st.sampled_from(["", "node/", "a+b/"]),
              st.sampled_from(["obj", "x" * 300, "ü", ""])),
    topic_text,
)


# -- the topic validator -------------------------------------------------------------------


def _topic_validator_holds(topic: str, wildcards: bool) -> None:
    problem = topic_problem(topic, wildcards=wildcards)
    if problem is not None:
        with pytest.raises(InvalidTopic):
            check_topic(topic, wildcards=wildcards)
        return
    # What the validator accepts, paho and the broker accept: UTF-8, within length, well
    # placed wildcards, no NUL or control characters.
    data = topic.encode("utf-8")
    assert 0 < len(data) <= 65535 and b"\x00" not in data
    assert paho.Client._filter_wildcard_len_check(data) == MQTTErrorCode.MQTT_ERR_SUCCESS
    if not wildcards:
        paho.Client._raise_for_invalid_topic(data)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in topic)


def test_fuzz_topic_validator(record_property: Record) -> None:
    count = FuzzCount("MQTT topic validator")

    @given(topic=st.one_of(topic_text, st.binary(max_size=20).map(
        lambda b: b.decode("utf-8", "surrogateescape"))), wildcards=st.booleans())
    def one(topic: str, wildcards: bool) -> None:
        count.saw("rejected" if topic_problem(topic, wildcards=wildcards) else "accepted")
        _topic_validator_holds(topic, wildcards)

    one()
    count.report(record_property)


def test_topic_validator_examples() -> None:
    for bad in ["", "a\x00b", "a/#/b", "a/b#", "a+/b", "\ud800", "x" * 65536, "é" * 40000]:
        assert topic_problem(bad, wildcards=True) is not None, bad
    for bad in ["a/+", "#", "a/#"]:
        assert topic_problem(bad) is not None
        assert topic_problem(bad, wildcards=True) is None
    assert topic_problem("zigbee2mqtt/Desk lamp/set") is None


# -- discovery -------------------------------------------------------------------------------


def _check_entity(entity: DiscoveredEntity) -> None:
    for topic in [*entity.state_topics, *entity.availability_topics]:
        assert topic_problem(topic) is None, topic
    for key, value in entity.config.model_dump().items():
        if key.endswith("topic") and isinstance(value, str):
            assert topic_problem(value) is None, (key, value)
    assert len(entity.name) <= 2 * MAX_NAME_CHARS + 1
    assert len(entity.unique_id) <= 2 * MAX_NAME_CHARS + 20


def _discovery_holds(topic: str, payload: bytes) -> bool:
    try:
        result = parse_discovery(topic, payload)
    except DiscoveryError as exc:
        assert exc.reason and len(str(exc)) < 70_000 + 1000
        return False
    for entity in result.entities:
        _check_entity(entity)
        for action in Action:  # commands to what was discovered never crash either
            try:
                messages = encode_command(entity, Command(action, brightness=50, rgb=(1, 2, 3),
                                                          position=50, temperature=21,
                                                          hvac_mode="heat", percentage=50))
            except CommandError:
                continue
            for message in messages:
                assert topic_problem(message.topic) is None
    return True


plausible = st.one_of(
    st.booleans(), st.integers(-5, 300), st.floats(-1e3, 1e3, allow_nan=False),
    st.sampled_from(["~/x", "a/b", "ON", "OFF", "{{ value_json.x }}", "{{ value | int }}",
                     "°C", "temperature", "json", "default", "template", ""]),
    st.lists(st.sampled_from(["xy", "hs", "rgb", "brightness", "onoff", "color_temp"]),
             max_size=3),
)


@st.composite
def working_configs(draw: st.DrawFn) -> tuple[str, bytes]:
    """A config that discovers an entity of its kind, with up to two fields given other
    values of a plausible type: most still parse, so what follows parsing is fuzzed too."""
    name = draw(st.sampled_from(sorted(_ENTITIES)))
    component, config = _ENTITIES[name]
    data = dict(config)
    for key in draw(st.lists(st.sampled_from(sorted({*data, *ABBREVIATIONS})), max_size=2)):
        data[key] = draw(plausible)
    node = draw(st.sampled_from(["", "node/"]))
    return f"homeassistant/{component}/{node}{name}/config", json.dumps(data).encode()


def test_fuzz_discovery_messages(record_property: Record) -> None:
    count = FuzzCount("MQTT discovery messages")

    @given(st.one_of(st.tuples(config_topics, discovery_payloads()), working_configs()))
    def one(message: tuple[str, bytes]) -> None:
        topic, payload = message
        count.saw("parsed" if _discovery_holds(topic, payload) else "refused")

    one()
    count.report(record_property)


# -- device state payloads, one entity per kind ------------------------------------------------

_ENTITIES = {
    "light_json": ("light", {**good_light}),
    "light_default": ("light", {
        "cmd_t": "l/set", "stat_t": "l/state", "bri_cmd_t": "l/bri/set", "bri_stat_t": "l/bri",
        "bri_val_tpl": "{{ value_json.b | int }}", "rgb_cmd_t": "l/rgb/set",
        "rgb_stat_t": "l/rgb", "uniq_id": "l", "stat_val_tpl": "{{ value | upper }}"}),
    "switch": ("switch", {"cmd_t": "s/set", "stat_t": "s/state", "uniq_id": "s",
                          "val_tpl": "{{ value_json.POWER | default('OFF') }}"}),
    "cover": ("cover", {"cmd_t": "c/set", "stat_t": "c/state", "pos_t": "c/pos",
                        "pos_tpl": "{{ value_json['pos'][0] | float | round(1) }}",
                        "set_pos_t": "c/pos/set", "pos_open": 255, "uniq_id": "c"}),
    "climate": ("climate", {"mode_cmd_t": "t/m/set", "mode_stat_t": "t/mode",
                            "temp_stat_t": "t/target", "curr_temp_t": "t/cur",
                            "curr_temp_tpl": "{{ value_json.t }}", "uniq_id": "t"}),
    "fan": ("fan", {"cmd_t": "f/set", "stat_t": "f/state", "pct_stat_t": "f/pct",
                    "spd_rng_min": 1, "spd_rng_max": 3, "pct_cmd_t": "f/pct/set",
                    "uniq_id": "f"}),
    "lock": ("lock", {"cmd_t": "d/set", "stat_t": "d/state", "uniq_id": "d"}),
    "sensor": ("sensor", {"stat_t": "x/state", "val_tpl": "{{ value_json.v }}",
                          "unit_of_meas": "°C", "uniq_id": "x"}),
    "sensor_raw": ("sensor", {"stat_t": "y/state", "uniq_id": "y"}),
    "binary_sensor": ("binary_sensor", {"stat_t": "z/state", "uniq_id": "z"}),
    "vacuum": ("vacuum", {"cmd_t": "v/cmd", "stat_t": "v/state", "uniq_id": "v",
                          "sup_feat": ["start", "pause", "return_home", "send_command"],
                          "send_cmd_t": "v/send"}),
    "lawn_mower": ("lawn_mower", {"activity_state_topic": "m/act", "uniq_id": "m",
                                  "activity_value_template": "{{ value_json.activity }}",
                                  "start_mowing_command_topic": "m/start"}),
    "valve": ("valve", {"cmd_t": "w/set", "stat_t": "w/state", "uniq_id": "w"}),
    "valve_position": ("valve", {"cmd_t": "p/set", "stat_t": "p/state", "uniq_id": "p",
                                 "reports_position": True, "pos_clsd": 10, "pos_open": 110}),
    "alarm": ("alarm_control_panel", {"cmd_t": "a/set", "stat_t": "a/state", "uniq_id": "a",
                                      "code": "REMOTE_CODE",
                                      "cmd_tpl": '{"action": "{{ action }}", "code": '
                                                 '"{{ code }}"}'}),
}


def _entity(name: str) -> DiscoveredEntity:
    component, config = _ENTITIES[name]
    return parse_discovery(f"homeassistant/{component}/{name}/config",
                           json.dumps(config)).entities[0]


ENTITIES = {name: _entity(name) for name in _ENTITIES}

state_payloads = st.one_of(
    st.binary(max_size=64),
    st.text(max_size=30).map(str.encode),
    _json_values(10).map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({}, optional={
        "state": scalars, "brightness": scalars, "color_mode": scalars, "b": scalars,
        "color": st.one_of(scalars, st.fixed_dictionaries({}, optional={
            k: scalars for k in ("r", "g", "b", "x", "y", "h", "s")})),
        "color_temp": scalars, "POWER": scalars, "pos": st.lists(scalars, max_size=2),
        "t": scalars, "v": scalars, "battery_level": scalars, "fan_speed": scalars,
        "position": scalars, "activity": scalars,
    }).map(lambda v: json.dumps(v).encode()),
    st.sampled_from([b"NaN", b"inf", b"-1e999", b"1e308", b"255,0", b"1,2,3,4", b"ON",
                     b"armed_away", b"opening", b'{"state": "cleaning", "battery_level": 1e9}',
                     b'{"position": "nan"}', b"mowing", b"None",
                     b"9" * 5000, _deep(50_000).encode(), b"x" * 70_000]),
)


def _state_payload_holds(name: str, payload: bytes, which: int) -> bool:
    entity = ENTITIES[name]
    topics = entity.state_topics
    topic = topics[which % len(topics)]
    try:
        state = decode_state(entity, topic, payload)
    except StateError as exc:
        assert len(str(exc)) < 1000
        return False
    for value in state.values():
        if isinstance(value, float):
            assert value == value and abs(value) < 1e16
        if isinstance(value, str):
            assert len(value) <= 255
    core = core_state(entity, state)  # what reaches the home model
    for key in ("brightness", "percentage", "position", "battery_level"):
        if key in core:
            assert 0 <= core[key] <= 100
    if "color" in core:
        assert all(0 <= c <= 255 for c in core["color"])
    return True


def test_fuzz_state_payloads(record_property: Record) -> None:
    count = FuzzCount("MQTT device state payloads")

    @given(name=st.sampled_from(sorted(ENTITIES)), payload=state_payloads,
           which=st.integers(0, 3))
    def one(name: str, payload: bytes, which: int) -> None:
        count.saw("decoded" if _state_payload_holds(name, payload, which) else "refused")

    one()
    count.report(record_property)


def test_a_device_class_of_any_type_on_a_kind_without_one_is_no_crash() -> None:
    """Found by the working-config fuzzer: `"dev_cla": false` on a lawn mower (a kind that
    declares no device class) reached the capabilities model unvalidated and raised there."""
    kinds = {"vacuum", "lawn_mower", "alarm_control_panel"}
    cases = [(name, component, config) for name, (component, config) in _ENTITIES.items()
             if component in kinds]
    cases.append(("scene", "scene", {"cmd_t": "sc/set", "uniq_id": "sc"}))
    assert {component for _, component, _ in cases} == {*kinds, "scene"}
    for name, component, config in cases:
        for odd in (False, 3, ["x"], {"a": 1}, "mower"):
            found = parse_discovery(f"homeassistant/{component}/{name}/config",
                                    json.dumps({**config, "dev_cla": odd}))
            assert [e.capabilities.device_class for e in found.entities] == [None], (name, odd)
            assert found.entities[0].config.model_extra["device_class"] == odd  # kept as sent
