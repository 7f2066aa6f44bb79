"""Did the house carry out an HA test sentence? One check per intent, on the fixture house.

HA's tests give, per sentence, the response HA would say ("Turned on the light", "47 °F and
raining", "Yes"). Samantha speaks its own replies, so the checks look at what happened instead:

- commands: at least one command, every one delivered, each commanded device in the state the
  intent asks for, and within what the sentence named (that device; that room, floor, domain or
  device class);
- questions: an answer that is not a refusal, agrees with HA's on yes/no and contains the numbers
  HA's answer has (the temperature, the weather's degrees);
- timers, dates, broadcasts and conversation intents: an answer that is not a refusal or a crash.

A sentence whose intent has no handler in this house is "not handled" (counted apart).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from harness.ha_corpus import Case, FixtureStates, mismatch
from samantha.home import Device
from samantha.house import House
from samantha.intent_handling import Outcome
from samantha.kinds import Kind, is_on

REFUSALS = ("can't do it yet", "something went wrong", "i don't know a", "didn't understand",
            "i couldn't", "i can't")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")

Post = Callable[[Device, dict[str, Any], Case], bool]


def _on(device: Device, _before: dict[str, Any], _case: Case) -> bool:
    if device.kind is Kind.SCENE:
        return device.state.get("activated") is not None
    if device.kind is Kind.BUTTON:
        return device.state.get("pressed") is not None
    return bool(is_on(device.kind, device.state))


def _off(device: Device, _before: dict[str, Any], _case: Case) -> bool:
    return is_on(device.kind, device.state) is False


def _slot_equals(slot: str, key: str) -> Post:
    def check(device: Device, _before: dict[str, Any], case: Case) -> bool:
        want = case.slots.get(slot)
        try:
            return float(device.state.get(key)) == float(want)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
    return check


def _light_set(device: Device, before: dict[str, Any], case: Case) -> bool:
    if "brightness" in case.slots:
        return _slot_equals("brightness", "brightness")(device, before, case)
    if "color" in case.slots:
        return device.state.get("color") is not None
    if "temperature" in case.slots:  # HA's light attribute for colour temperature
        return _slot_equals("temperature", "color_temp_kelvin")(device, before, case)
    return False


def _state_is(key: str, *values: Any) -> Post:
    return lambda device, _before, _case: device.state.get(key) in values


def _volume_moved(device: Device, before: dict[str, Any], case: Case) -> bool:
    old, new = before.get("volume"), device.state.get("volume")
    if not isinstance(old, (int, float)) or not isinstance(new, (int, float)):
        return False
    step = case.slots.get("volume_step")
    if step in ("down",) or case.slots.get("volume_step_down") is not None:
        return new < old or old == 0
    if isinstance(step, (int, float)) and step < 0:
        return new < old or old == 0
    return new > old or old == 100


def _playing(device: Device, _before: dict[str, Any], case: Case) -> bool:
    query = str(case.slots.get("search_query", "")).casefold()
    title = str(device.state.get("media_title") or "").casefold()
    return device.state.get("playback") == "playing" and (not query or query in title)


def _cleaning_area(device: Device, _before: dict[str, Any], case: Case) -> bool:
    return device.state.get("activity") == "cleaning" and device.state.get("area") is not None


POSTS: dict[str, Post] = {
    "HassTurnOn": _on,
    "HassTurnOff": _off,
    "HassLightSet": _light_set,
    "HassSetPosition": _slot_equals("position", "position"),
    "HassClimateSetTemperature": _slot_equals("temperature", "target_temperature"),
    "HassFanSetSpeed": _slot_equals("percentage", "percentage"),
    "HassMediaPause": _state_is("playback", "paused"),
    "HassMediaUnpause": _state_is("playback", "playing"),
    "HassMediaNext": _state_is("playback", "playing"),
    "HassMediaPrevious": _state_is("playback", "playing"),
    "HassMediaSearchAndPlay": _playing,
    "HassSetVolume": _slot_equals("volume_level", "volume"),
    "HassSetVolumeRelative": _volume_moved,
    "HassMediaPlayerMute": _state_is("muted", True),
    "HassMediaPlayerUnmute": _state_is("muted", False),
    "HassVacuumStart": _state_is("activity", "cleaning"),
    "HassVacuumReturnToBase": _state_is("activity", "returning", "docked"),
    "HassVacuumCleanArea": _cleaning_area,
    "HassLawnMowerStartMowing": _state_is("activity", "mowing"),
    "HassLawnMowerDock": _state_is("activity", "returning", "docked"),
}

LIST_INTENTS = {"HassShoppingListAddItem", "HassListAddItem", "HassShoppingListCompleteItem",
                "HassListCompleteItem", "HassListRemoveItem"}
QUESTIONS = {"HassGetState", "HassClimateGetTemperature", "HassGetWeather"}
# Answers whose content HA's test can't pin down for us (a clock, timers of HA's own fixture).
ANSWERS = {"HassGetCurrentTime", "HassGetCurrentDate", "HassTimerStatus", "HassStartTimer",
           "HassCancelTimer", "HassCancelAllTimers", "HassIncreaseTimer", "HassDecreaseTimer",
           "HassPauseTimer", "HassUnpauseTimer", "HassBroadcast", "HassNevermind", "HassRespond"}


def refused(reply: str) -> bool:
    text = reply.casefold().replace("’", "'")
    return any(r in text for r in REFUSALS)


def _within(device: Device, case: Case, house: House, spoken_room: str) -> bool:
    """The device is one the sentence named (or, for 'here', of the room spoken in)."""
    slots = case.slots
    home = house.home
    room = home.rooms.get(device.room or "")
    if "name" in slots and not _matches_name(device, slots["name"]):
        return False
    areas = slots.get("area")
    if case.intent == "HassVacuumCleanArea":
        areas = None  # the area is where to clean, not where the vacuum is
    if areas is not None:
        wanted = {a.casefold() for a in (areas if isinstance(areas, list) else [areas])}
        if room is None or room.name.casefold() not in wanted:
            return False
    elif (case.context_area and "name" not in slots and case.intent != "HassVacuumCleanArea"
          and device.room != spoken_room):
        return False
    if "floor" in slots and (room is None or not _on_floor(house, room.floor, slots["floor"])):
        return False
    domains = slots.get("domain") or case.inferred_domains
    if domains and "name" not in slots:
        domains = domains if isinstance(domains, (list, set, frozenset)) else [domains]
        if device.kind.value not in domains:
            return False
    classes = slots.get("device_class")
    if classes and "name" not in slots:
        classes = classes if isinstance(classes, list) else [classes]
        if device.device_class not in classes and not (
            device.device_class is None and device.kind is Kind.COVER
        ):
            return False
    return True


def _matches_name(device: Device, name: Any) -> bool:
    names = name if isinstance(name, list) else [name]
    return any(str(n).casefold() in {x.casefold() for x in device.names()} for n in names)


def _on_floor(house: House, floor: str | None, wanted: Any) -> bool:
    if floor is None:
        return False
    find = getattr(house.home, "find_floor", None)
    if find is not None:
        found = find(str(wanted))
        return found is not None and found.name == floor
    return floor.casefold() == str(wanted).casefold()


def _numbers(text: str) -> set[str]:
    return {f"{float(n):g}" for n in _NUMBER.findall(text)}


def carried_out(house: House, case: Case, outcome: Outcome, before: dict[str, dict[str, Any]],
                spoken_room: str) -> str | None:
    """Why the sentence was not carried out (None when it was)."""
    reply = outcome.reply or ""
    if outcome.intent != case.intent:
        return f"handled as {outcome.intent}: {reply!r}"
    if case.intent in POSTS:
        return _command_done(house, case, outcome, before, spoken_room)
    if case.intent in LIST_INTENTS:
        return _list_done(house, case, outcome)
    if case.intent in QUESTIONS:
        return _answered(case, reply)
    if case.intent in ANSWERS:
        silent = not reply.strip() and case.intent != "HassNevermind"
        return f"refused: {reply!r}" if refused(reply) or silent else None
    return f"no check for {case.intent}"


def _command_done(house: House, case: Case, outcome: Outcome,
                  before: dict[str, dict[str, Any]], spoken_room: str) -> str | None:
    reply = outcome.reply or ""
    devices = house.home.devices
    targets = [devices[c.device] for c in outcome.commands if c.device in devices]
    if case.intent == "HassTurnOff" and "name" in case.slots and not targets:
        named = [d for d in devices.values() if _matches_name(d, case.slots["name"])]
        if named and all(d.kind is Kind.LOCK and d.sensitive for d in named) and (
            "confirm" in reply.casefold() or "safety" in reply.casefold()
        ):
            return None  # unlocking by voice alone is refused or asks to confirm, by design
    if not targets:
        return f"no command: {reply!r}"
    failed = [r for r in outcome.results if not r.ok and not r.queued]
    if failed:
        return f"failed: {failed[0].error}"
    post = POSTS[case.intent]
    for device in targets:
        if not _within(device, case, house, spoken_room):
            return f"acted on {device.name} ({device.room}), not what was named"
        if not post(device, before.get(device.id, {}), case):
            return f"{device.name} is {device.state}"
    return None


def _list_done(house: House, case: Case, outcome: Outcome) -> str | None:
    item = str(case.slots.get("item", "")).strip().casefold()
    lists = [d for d in house.home.devices.values() if d.kind is Kind.TODO]
    if "name" in case.slots:
        lists = [d for d in lists if _matches_name(d, case.slots["name"])]
    found = [(d, i) for d in lists for i in d.state.get("items", [])
             if str(i.get("summary", "")).casefold() == item]
    if case.intent.endswith("AddItem"):
        return None if found else f"{item!r} is on no list: {outcome.reply!r}"
    if case.intent == "HassListRemoveItem":
        return None if not found else f"{item!r} is still on the list: {outcome.reply!r}"
    done = [i for _d, i in found if i.get("status") == "completed"]
    return None if done else f"{item!r} not checked off: {outcome.reply!r}"


def _answered(case: Case, reply: str) -> str | None:
    if not reply.strip() or refused(reply):
        return f"refused: {reply!r}"
    expected = case.response.strip()
    first = expected.split(",")[0].split(" ")[0].casefold()
    if first in ("yes", "no") and not reply.casefold().startswith(first):
        return f"answered {reply!r}, HA says {expected!r}"
    missing = _numbers(expected) - _numbers(reply)
    if missing:
        return f"answer {reply!r} lacks {sorted(missing)} (HA: {expected!r})"
    return None


@dataclass
class CaseResult:
    case: Case
    recognition: str | None  # why intent and slots differ from HA's test (None: they agree)
    effect: str | None  # why it was not carried out (None: it was)
    handled: bool  # the house has a handler for the intent
    reply: str


def name_domains(house: House) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for device in house.home.devices.values():
        for name in device.names():
            found.setdefault(name, set()).add(device.kind.value)
    return found


async def run_corpus(house: House, cases: Iterable[Case]) -> list[CaseResult]:
    """Every case through the recognizer (compared as HA does) and then `handle_text`."""
    states = FixtureStates(house.home)
    areas = {r.id: r.name for r in house.home.rooms.values()}
    domains = name_domains(house)
    results = []
    for case in cases:
        room = house.room(case.room)
        states.reset(case)
        recognition = mismatch(case, house.recognize(case.sentence, room), room.id, areas,
                               domains)
        before = {d.id: dict(d.state) for d in house.home.devices.values()}
        outcome = await house.handle_text(case.sentence, room.id)
        handled = case.intent in house.handlers
        effect = carried_out(house, case, outcome, before, room.id) if handled else "no handler"
        results.append(CaseResult(case, recognition, effect, handled, outcome.reply))
    states.restore()
    return results
