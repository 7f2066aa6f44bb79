"""Handlers for the built-in Home Assistant intents: turn on/off, lights, climate, covers, state."""

from __future__ import annotations

from typing import Any

from samantha import hookimpl
from samantha.home import Device
from samantha.house import House
from samantha.intent_handling import (
    IntentHandler,
    IntentRequest,
    Outcome,
    TargetError,
    describe_targets,
    resolve_targets,
)
from samantha.kinds import Kind, is_on
from samantha.providers import Command, CommandResult

# hassil's colour list gives names; devices take red/green/blue.
COLORS: dict[str, tuple[int, int, int]] = {
    "white": (255, 255, 255), "black": (0, 0, 0), "red": (255, 0, 0), "orange": (255, 165, 0),
    "yellow": (255, 255, 0), "green": (0, 128, 0), "blue": (0, 0, 255), "purple": (128, 0, 128),
    "brown": (165, 42, 42), "pink": (255, 192, 203), "turquoise": (64, 224, 208),
    "cyan": (0, 255, 255), "magenta": (255, 0, 255), "violet": (238, 130, 238),
    "gold": (255, 215, 0), "warm white": (255, 180, 107), "cold white": (201, 226, 255),
}

ON_ACTION = {Kind.COVER: "open", Kind.LOCK: "lock"}
OFF_ACTION = {Kind.COVER: "close", Kind.LOCK: "unlock"}
SWITCHABLE = [Kind.LIGHT, Kind.SWITCH, Kind.FAN, Kind.COVER, Kind.LOCK, Kind.CLIMATE,
              Kind.MEDIA_PLAYER]


async def _act(request: IntentRequest, commands: list[Command], success: str) -> Outcome:
    """Execute, then say `success` only if every command worked (never claim otherwise)."""
    results = await request.execute(commands)
    return request.outcome(_failure(results, request) or success, results)


def _failure(results: list[CommandResult], request: IntentRequest) -> str | None:
    """A reply for commands that failed, so we never claim what did not happen."""
    failed = [r for r in results if not r.ok]
    if not failed:
        return None
    home = request.house.home
    reasons = "; ".join(
        f"{home.devices[r.command.device].name if r.command.device in home.devices else ''}: "
        f"{r.error}"
        for r in failed
    )
    if len(failed) == len(results):
        return f"I couldn't do that. {reasons}."
    return f"I did most of it, but not everything. {reasons}."


async def _switch(request: IntentRequest, on: bool | None) -> Outcome:
    devices = resolve_targets(request, kinds=SWITCHABLE)
    commands = []
    for d in devices:
        if on is None:
            action = "toggle"
        else:
            action = (ON_ACTION if on else OFF_ACTION).get(d.kind, "turn_on" if on else "turn_off")
        commands.append(Command(device=d.id, action=action))
    sensitive = [d for d in devices if d.sensitive and commands and
                 next(c for c in commands if c.device == d.id).action == "unlock"]
    if sensitive:
        # Unlocking by voice could let anyone at the door in; the persona layer can add a
        # confirmation flow, the plain intent path refuses.
        return request.outcome(f"For safety I won't unlock {describe_targets(sensitive, request)} "
                               "by voice alone. Please use the app or a key.")
    what = describe_targets(devices, request)
    if on is None:
        return await _act(request, commands, f"Okay, I've toggled {what}.")
    verb = _state_word(devices[0], on)
    plural = len(devices) > 1 or (what.endswith("s") and not request.slot("name"))
    return await _act(request, commands, f"Okay, {what} {'are' if plural else 'is'} {verb}.")


def _state_word(device: Device, on: bool) -> str:
    if device.kind is Kind.COVER:
        return "open" if on else "closed"
    if device.kind is Kind.LOCK:
        return "locked" if on else "unlocked"
    return "on" if on else "off"


async def turn_on(request: IntentRequest) -> Outcome:
    return await _switch(request, True)


async def turn_off(request: IntentRequest) -> Outcome:
    return await _switch(request, False)


async def toggle(request: IntentRequest) -> Outcome:
    return await _switch(request, None)


async def light_set(request: IntentRequest) -> Outcome:
    devices = resolve_targets(request, kinds=[Kind.LIGHT])
    commands = []
    said = []
    if request.slot("brightness") is not None:
        level = round(float(request.slot("brightness")))
        commands += [Command(device=d.id, action="set_brightness", params={"brightness": level})
                     for d in devices]
        said.append(f"{level} percent")
    color = request.slot("color")
    if color is not None:
        rgb = COLORS.get(str(color).lower())
        if rgb is None:
            return request.outcome(f"I don't know the colour {color}.")
        commands += [Command(device=d.id, action="set_color", params={"color": list(rgb)})
                     for d in devices]
        said.append(str(color))
    if not commands:
        return request.outcome("How should I set the lights? Tell me a brightness or a colour.")
    return await _act(request, commands, f"Okay, {describe_targets(devices, request)} set to "
                                         f"{' and '.join(said)}.")


def _describe_state(device: Device) -> str:
    s = device.state
    if device.kind is Kind.LIGHT:
        if not s.get("on"):
            return "off"
        return f"on at {s.get('brightness', 100)} percent"
    if device.kind is Kind.COVER:
        pos = s.get("position", 0)
        return "closed" if pos == 0 else ("open" if pos == 100 else f"{pos} percent open")
    if device.kind is Kind.LOCK:
        return "locked" if s.get("locked") else "unlocked"
    if device.kind is Kind.CLIMATE:
        return (f"set to {s.get('target_temperature'):g} degrees, "
                f"and it's {s.get('current_temperature'):g} now")
    if device.kind is Kind.SENSOR:
        unit = s.get("unit") or ""
        return f"{s.get('value')}{' ' + unit if unit else ''}"
    return "on" if s.get("on") else "off"


STATE_WORDS = {"on": True, "off": False, "open": True, "opened": True, "closed": False,
               "locked": True, "unlocked": False}


async def get_state(request: IntentRequest) -> Outcome:
    devices = resolve_targets(request)
    wanted = request.slot("state")
    if wanted is not None and str(wanted) in STATE_WORDS:
        expect = STATE_WORDS[str(wanted)]
        matching = [d for d in devices if is_on(d.kind, d.state) == expect]
        if len(devices) == 1:
            answer = "Yes" if matching else "No"
            return request.outcome(f"{answer}, the {devices[0].name} is "
                                   f"{_describe_state(devices[0])}.")
        if not matching:
            return request.outcome(f"No, none of them are {wanted}.")
        names = ", ".join(d.name for d in matching)
        return request.outcome(f"Yes: {names}.")
    parts = [f"the {d.name} is {_describe_state(d)}" for d in devices[:5]]
    text = "; ".join(parts)
    return request.outcome(text[0].upper() + text[1:] + ".")


def _climate(request: IntentRequest) -> list[Device]:
    return resolve_targets(request, kinds=[Kind.CLIMATE])


async def set_temperature(request: IntentRequest) -> Outcome:
    devices = _climate(request)
    temperature = request.slot("temperature")
    if temperature is None:
        return request.outcome("What temperature would you like?")
    value = float(temperature)
    where = _in_room(request, devices[0])
    return await _act(
        request,
        [Command(device=d.id, action="set_temperature", params={"temperature": value})
         for d in devices],
        f"Okay, I've set the temperature{where} to {value:g} degrees.")


async def get_temperature(request: IntentRequest) -> Outcome:
    try:
        devices = _climate(request)
    except TargetError:
        devices = [d for d in resolve_targets(request, kinds=[Kind.SENSOR])
                   if d.device_class == "temperature"]
        if not devices:
            return request.outcome("I don't have a thermometer there.")
        value = devices[0].state.get("value")
        return request.outcome(f"It's {value} degrees.")
    d = devices[0]
    current, target = d.state.get("current_temperature"), d.state.get("target_temperature")
    where = _in_room(request, d)
    if current is None:  # thermostats without their own sensor report only the target
        return request.outcome(f"The {d.name}{where} is set to {target:g} degrees.")
    return request.outcome(f"It's {current:g} degrees{where}, and the "
                           f"{d.name} is set to {target:g}.")


def _in_room(request: IntentRequest, device: Device) -> str:
    room = request.house.home.rooms.get(device.room or "")
    return f" in the {room.name.lower()}" if room else ""


async def set_position(request: IntentRequest) -> Outcome:
    devices = resolve_targets(request, kinds=[Kind.COVER])
    position = round(float(request.slot("position", 0)))
    return await _act(
        request,
        [Command(device=d.id, action="set_position", params={"position": position})
         for d in devices],
        f"Okay, {describe_targets(devices, request)} set to {position} percent.")


async def nevermind(request: IntentRequest) -> Outcome:
    return request.outcome("Okay.")


HANDLERS: dict[str, Any] = {
    "HassTurnOn": turn_on,
    "HassTurnOff": turn_off,
    "HassToggle": toggle,
    "HassLightSet": light_set,
    "HassGetState": get_state,
    "HassClimateSetTemperature": set_temperature,
    "HassClimateGetTemperature": get_temperature,
    "HassSetPosition": set_position,
    "HassNevermind": nevermind,
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
    return {"language": language, "intents": {"HassToggle": {"data": data}}}


@hookimpl
def samantha_intent_handlers(house: House) -> dict[str, IntentHandler]:
    return dict(HANDLERS)
