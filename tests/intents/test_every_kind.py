"""Every intent against every kind: no handler may crash, whatever device its slots aim at.

One house with one virtual device of every kind; each intent the house understands (the
language's templates, ours and the plugins') is fired with the slots its sentences take, aimed in
turn at each device by name, at each device's room, and with no target at all.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from samantha.house import House
from samantha.kinds import Kind

# A plausible value for every slot the English templates use (others get a word).
SLOT_VALUES: dict[str, Any] = {
    "brightness": 50, "color": "red", "temperature": 21, "position": 50, "volume_level": 40,
    "volume_step": "up", "fan_mode": "low", "percentage": 50, "item": "milk",
    "search_query": "jazz", "media_class": "album", "message": "dinner is ready", "state": "on",
    "mode": "home", "hours": 1, "minutes": 2, "seconds": 3, "start_hours": 1,
    "start_minutes": 2, "start_seconds": 3, "conversation_command": "turn on the kettle",
    "forecast": "yes", "floor": "first floor", "zone": "home",
}
FAILURES = ("something went wrong", "can't do it yet", "no plugin provides it")
SLOT = re.compile(r"\{(\w+)(?::(\w+))?\}")


def slots_of(intent: dict[str, Any]) -> set[str]:
    names = set()
    for data in intent.get("data", []):
        for sentence in data.get("sentences", []):
            names |= {m.group(2) or m.group(1) for m in SLOT.finditer(sentence)}
        names |= set(data.get("slots", {}))
    return names - {"name", "area", "domain", "device_class"}


async def test_every_intent_against_every_kind(house: House,
                                               caplog: pytest.LogCaptureFixture) -> None:
    intents = house.intents_data()["intents"]
    kinds = {d.kind for d in house.home.devices.values()}
    assert kinds == set(Kind), "the house must have a device of every kind"
    fired = 0
    problems = []
    caplog.set_level(logging.ERROR)
    for intent in sorted(intents):
        others = {s: SLOT_VALUES.get(s, "something") for s in slots_of(intents[intent])}
        aims: list[dict[str, Any]] = [{}, others]
        for device in house.home.devices.values():
            aimed = {**others, "name": device.name, "domain": device.kind.value}
            aims.append(aimed)
            if device.room:
                aims.append({**others, "area": device.room})
        for slots in aims:
            room = "kitchen"
            outcome = await house.handle_intent(intent, dict(slots), f"{intent} {slots}",
                                          house.room(room))
            fired += 1
            if any(f in outcome.reply for f in FAILURES) or not outcome.reply.strip():
                problems.append(f"{intent} {slots}: {outcome.reply!r}")
    crashes = [r.getMessage() for r in caplog.records if "failed on" in r.getMessage()]
    print(f"every intent x every kind: {fired} requests, {len(intents)} intents, "
          f"{len(house.home.devices)} devices")
    assert not crashes, "\n".join(crashes[:20])
    assert not problems, "\n".join(problems[:40])
