"""HassTurnOn, HassTurnOff and HassToggle for every kind of device.

"On" means what it means for the kind: a cover or valve opens, a lock locks, a scene is
activated, a button is pressed, a vacuum starts cleaning, a lawn mower starts mowing. Kinds that
only report (sensors, weather, lists, people) are explained, not "switched". Unlocking by voice is
refused; the alarm is armed and disarmed by the alarm module (disarming asks first).
"""

from __future__ import annotations

from typing import Any

from samantha import hookimpl, replies
from samantha.home import Device
from samantha.house import House
from samantha.intent_handling import (
    IntentHandler,
    IntentRequest,
    Outcome,
    describe_targets,
    kind_word,
    resolve_targets,
    subject,
)
from samantha.kinds import Kind
from samantha.providers import Command

from . import alarm, scenes
from .common import failure

ON_ACTION: dict[Kind, str] = {
    Kind.COVER: "open", Kind.VALVE: "open", Kind.LOCK: "lock", Kind.BUTTON: "press",
    Kind.VACUUM: "start", Kind.LAWN_MOWER: "start_mowing",
}
OFF_ACTION: dict[Kind, str] = {
    Kind.COVER: "close", Kind.VALVE: "close", Kind.LOCK: "unlock",
    Kind.VACUUM: "return_to_base", Kind.LAWN_MOWER: "dock",
}
# Kinds that only report: nothing to switch.
REPORTING = frozenset({Kind.SENSOR, Kind.BINARY_SENSOR, Kind.WEATHER, Kind.TODO, Kind.PERSON})
# Kinds a scene-like "on" applies to, where "off" means nothing.
MOMENTARY = frozenset({Kind.SCENE, Kind.BUTTON})
STATE_WORDS: dict[Kind, tuple[str, str]] = {
    Kind.COVER: ("open", "closed"), Kind.VALVE: ("open", "closed"),
    Kind.LOCK: ("locked", "unlocked"), Kind.VACUUM: ("cleaning", "going back to base"),
    Kind.LAWN_MOWER: ("mowing", "going back to its dock"),
}


def action_for(device: Device, on: bool | None) -> str | None:
    """The action that turns `device` on, off or over; None if its kind has none."""
    if on is None:
        if device.kind in (Kind.LIGHT, Kind.SWITCH, Kind.FAN, Kind.MEDIA_PLAYER, Kind.COVER,
                           Kind.VALVE):
            return "toggle"
        if device.kind in (Kind.SCRIPT, Kind.CLIMATE):
            return "turn_off" if device.state.get("on") or (
                device.kind is Kind.CLIMATE and device.state.get("hvac_mode") != "off"
            ) else "turn_on"
        return None
    if device.kind in REPORTING or (not on and device.kind in MOMENTARY):
        return None
    table = ON_ACTION if on else OFF_ACTION
    return table.get(device.kind, "turn_on" if on else "turn_off")


def article(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _cannot(devices: list[Device], on: bool | None, request: IntentRequest) -> str:
    """Why nothing was switched: 'I can't turn off Movie Night: a scene has no off, only on.'"""
    verb = {True: "turn on", False: "turn off", None: "toggle"}[on]
    what, plural = subject(devices, request)
    kinds = {d.kind for d in devices}
    kind = next(iter(kinds)) if len(kinds) == 1 else None
    if kind in MOMENTARY and on is False:
        reason = f"a {kind_word(kind)} has no off, only on"
    elif kind is Kind.PERSON:
        reason = "people are not devices"
    elif kind in (Kind.TODO, Kind.WEATHER):
        reason = f"{article(kind_word(kind))} has no on or off"
    elif kind in REPORTING:
        reason = "they only report, there is nothing to switch" if plural else \
            f"{article(kind_word(kind))} only reports, there is nothing to switch"
    else:
        reason = "that is not something it can do"
    return replies.sentence(f"I can't {verb} {what}: {reason}")


async def _switch(request: IntentRequest, on: bool | None) -> Outcome:
    devices = resolve_targets(request)
    alarms = [d for d in devices if d.kind is Kind.ALARM_CONTROL_PANEL]
    if alarms and len(alarms) == len(devices) and on is not None:
        return await (alarm.arm(request, alarms, "arm_away") if on
                      else alarm.disarm(request, alarms))
    pairs = [(d, action_for(d, on)) for d in devices if d.kind is not Kind.ALARM_CONTROL_PANEL]
    doable = [(d, a) for d, a in pairs if a is not None]
    if not doable:
        return request.outcome(_cannot(devices, on, request))
    # `sensitive: false` on a lock is the owner's choice to allow unlocking it by voice.
    unlocking = [d for d, a in doable if a == "unlock" and d.sensitive]
    if unlocking:
        # Unlocking by voice could let anyone at the door in: the plain intent path refuses.
        return request.outcome(replies.sentence(
            f"For safety I won't unlock {describe_targets(unlocking, request)} by voice alone. "
            "Please use the app or a key"))
    commands = [Command(device=d.id, action=a, params=scenes.stamp(d)) for d, a in doable]
    results = await request.execute(commands)
    failed = failure(results, request)
    if failed:
        return request.outcome(failed, results)
    targets = [d for d, _ in doable]
    return request.outcome(_done(targets, on, request), results)


def _done(devices: list[Device], on: bool | None, request: IntentRequest) -> str:
    """'Okay, the kitchen lights are on.', 'Okay, Movie Night is on.'"""
    if on is None:
        return replies.sentence(f"Okay, I've toggled {describe_targets(devices, request)}")
    kinds = {d.kind for d in devices}
    if kinds <= {Kind.SCENE, Kind.SCRIPT, Kind.BUTTON}:
        return scenes.activated(devices, on)
    what, plural = subject(devices, request)
    kind = next(iter(kinds)) if len(kinds) == 1 else None
    words = STATE_WORDS.get(kind, ("on", "off")) if kind else ("on", "off")
    return replies.sentence(f"Okay, {what} {replies.be(plural)} {words[0] if on else words[1]}")


async def turn_on(request: IntentRequest) -> Outcome:
    return await _switch(request, True)


async def turn_off(request: IntentRequest) -> Outcome:
    return await _switch(request, False)


async def toggle(request: IntentRequest) -> Outcome:
    return await _switch(request, None)


HANDLERS: dict[str, IntentHandler] = {
    "HassTurnOn": turn_on,
    "HassTurnOff": turn_off,
    "HassToggle": toggle,
}


# home-assistant-intents has no HassToggle sentences; these are ours (English only for now).
TOGGLE_SENTENCES = {
    "en": [
        "toggle [the] {name}",
        "toggle [(all|the)] {area} (light|lights)",
        "toggle [(all|the)] (light|lights) [in [the] {area}]",
        "toggle [(all|the)] {area} fan[s]",
        "toggle [(all|the)] fan[s] [in [the] {area}]",
    ]
}


@hookimpl
def samantha_sentences(house: House, language: str) -> dict[str, Any] | None:
    sentences = TOGGLE_SENTENCES.get(language)
    if not sentences:
        return None
    data = [{"sentences": [sentences[0]]}]
    for domain in ("light", "fan"):
        data.append({"sentences": [s for s in sentences[1:] if domain in s],
                     "slots": {"domain": domain}})
    intents: dict[str, Any] = {"HassToggle": {"data": data}}
    if language == "en":
        # Buttons are pressed, not turned on (newer template releases say so themselves).
        intents["HassTurnOn"] = {"data": [{"sentences": ["press [the] {name} [button]",
                                                         "push [the] {name} [button]"],
                                           "requires_context": {"domain": ["button"]}}]}
    return {"language": language, "intents": intents}


@hookimpl
def samantha_intent_handlers(house: House) -> dict[str, IntentHandler]:
    return dict(HANDLERS)

