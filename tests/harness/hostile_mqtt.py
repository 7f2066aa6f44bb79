"""Hostile MQTT discovery traffic for end-to-end tests and bench/mqtt_flood.py.

Deterministic (seeded) so that a failing run can be replayed. Covers what the issue saw from
a fuzzer: binary junk, malformed and deeply nested JSON, huge payloads, valid-looking configs
whose topics are poison (NUL, empty, wildcards, control characters, over-long), oversized
names, numbers out of range, and unsupported or hostile templates.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

POISON_TOPICS = ["a\u0000b", "", "a/#/b", "+", "#", "a\u0001b", "a/b+", "\ud800",
                 "x" * 70_000]  # the long one last: bundles use all but it
COMPONENTS = ["light", "switch", "cover", "climate", "fan", "lock", "sensor", "binary_sensor",
              "device", "camera"]
TEMPLATES = ["{{ value_json.a.b }}", "{% for x in y %}", "{{ value_json['\\x'] }}",
             "{{ value | round(99999999999) }}", "{{ " + "9" * 5000 + " }}",
             "{{ value | default(" + "[" * 300 + "]" * 300 + ") }}", "{{ value.__class__ }}"]


def poison_config(state_topic: str, uid: str = "poison") -> dict[str, object]:
    """A light whose state topic is `state_topic`, otherwise fine."""
    return {"name": "Poison", "uniq_id": uid, "cmd_t": f"{uid}/set", "stat_t": state_topic}


def big_name_light(index: int, chars: int = 200_000) -> tuple[str, bytes]:
    """A light with a `chars`-long name (the issue: 20 of them took the house to 1.5 GB)."""
    config = {"name": "n" * chars, "uniq_id": f"big_{index}", "cmd_t": f"big/{index}/set",
              "stat_t": f"big/{index}/state", "dev": {"ids": [f"big{index}"],
                                                       "name": "N" * chars}}
    return f"homeassistant/light/big_{index}/config", json.dumps(config).encode()


def fuzzed_discovery(seed: int, count: int) -> Iterator[tuple[str, bytes]]:
    """`count` (topic, payload) discovery messages, each on its own config topic."""
    rng = random.Random(seed)
    for i in range(count):
        component = rng.choice(COMPONENTS)
        topic = f"homeassistant/{component}/fz{seed}/o{i}/config"
        yield topic, _payload(rng, i)


def _payload(rng: random.Random, i: int) -> bytes:
    kind = rng.randrange(9)
    if kind == 0:
        return rng.randbytes(rng.randrange(1, 300))
    if kind == 1:
        depth = rng.choice([50, 1_000, 20_000])
        return ("[" * depth + "]" * depth).encode()
    if kind == 2:
        # 70,000 characters: just over the limit of a discovery payload.
        return b'{"name": "' + b"x" * rng.choice([1_000, 70_000]) + b'"}'
    if kind == 3:
        return json.dumps(poison_config(rng.choice(POISON_TOPICS), f"fz_{i}")).encode()
    if kind == 4:  # a plausible config with hostile templates and numbers
        return json.dumps({
            "name": f"fz {i}", "uniq_id": f"fz_{i}", "cmd_t": f"fz/{i}/set",
            "stat_t": f"fz/{i}/state", "val_tpl": rng.choice(TEMPLATES),
            "bri_scl": rng.choice([0, -1, 10**30, 255]), "pos_open": 5, "pos_clsd": 5,
            "spd_rng_min": 10, "spd_rng_max": 1, "min_temp": rng.choice([1e308, -5, 7]),
        }).encode()
    if kind == 5:  # a device bundle with junk components
        comps = {f"c{j}": {"p": rng.choice(COMPONENTS), "uniq_id": f"fz_{i}_{j}",
                           "cmd_t": rng.choice([*POISON_TOPICS[:-1], f"ok/{i}/{j}/set"]),
                           "stat_t": rng.choice([*POISON_TOPICS[:-1], f"ok/{i}/{j}"])}
                 for j in range(rng.randrange(0, 80))}
        return json.dumps({"dev": {"ids": [f"fz{i}"], "name": "Fuzz"}, "o": {"name": "fz"},
                           "cmps": comps}).encode()
    if kind == 6:
        return rng.choice([b"null", b"1e999", b"NaN", b"[]", b'"x"', b"{", b"\xff\xfe",
                           b'{"~": "' + b"~" * 3000 + b'", "cmd_t": "~~"}'])
    if kind == 7:  # JSON with random keys and nested values
        def value(depth: int) -> object:
            roll = rng.random()
            if depth > 6 or roll < 0.4:
                return rng.choice([None, True, 1, -1.5, "x", "a/#", "\u0000", 10**40])
            if roll < 0.7:
                return [value(depth + 1) for _ in range(rng.randrange(4))]
            return {rng.choice(["stat_t", "cmd_t", "name", "~", "dev", "cmps", "avty", "k"]):
                    value(depth + 1) for _ in range(rng.randrange(5))}
        return json.dumps(value(0)).encode()
    return b""  # an empty retained config: a removal of something never added
