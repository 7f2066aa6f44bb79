"""Sensitive actions: the question that states action, value and why, and whether the speaker
asked for the action at all in what they just said.

A sensitive action the speaker did not ask for in this exchange (a model talked into it by a
planted memory or a device name, at "good night") is refused, not asked about: a reflexive
"yes" must never unlock a door nobody mentioned.
"""

from __future__ import annotations

from samantha.home import Device
from samantha.kinds import Kind
from samantha.providers import Command

from .memory import words
from .profile import PersonaProfile, fill

# Words that, said by the person, show they asked for this kind of action.
ACTION_WORDS: dict[str, frozenset[str]] = {
    "lock": frozenset({"lock", "locked", "secure", "door", "shut", "close"}),
    "unlock": frozenset({"unlock", "open", "let", "door", "in"}),
    "open": frozenset({"open", "up", "let", "raise"}),
    "close": frozenset({"close", "shut", "lower", "down"}),
    "set_position": frozenset({"open", "close", "position", "half", "percent"}),
    "set_temperature": frozenset({"temperature", "degree", "degrees", "warm", "warmer", "heat",
                                  "heating", "hot", "hotter", "cold", "colder", "chilly", "cool",
                                  "cooler", "freezing", "thermostat"}),
    "turn_on": frozenset({"on", "start", "switch"}),
    "turn_off": frozenset({"off", "stop", "switch"}),
    "toggle": frozenset({"toggle", "switch"}),
}


def asked_for(said: str, device: Device, command: Command) -> bool:
    """Did the speaker, in this sentence, name the device or ask for this kind of action?"""
    spoken = words(said) | {w.casefold() for w in said.replace("'", " ").split()}
    named = set()
    for name in device.names():
        named |= words(name)
    return bool(spoken & named) or bool(spoken & ACTION_WORDS.get(command.action, frozenset()))


def verb_and_value(command: Command) -> tuple[str, str]:
    """('set', ' to 30 degrees') for the question; the action's own words otherwise."""
    params = command.params
    if command.action == "set_temperature" and "temperature" in params:
        return "set", f" to {params['temperature']:g} degrees" if isinstance(
            params["temperature"], int | float) else f" to {params['temperature']}"
    if command.action == "set_position" and "position" in params:
        return "set", f" to {params['position']} percent open"
    if command.action == "set_brightness" and "brightness" in params:
        return "set", f" to {params['brightness']} percent"
    return command.action.replace("_", " "), ""


def why_asked(device: Device, command: Command, person: str | None,
              limits: tuple[float, float]) -> str:
    """One sentence: why the house asks before doing it."""
    who = person.title() if person else "You"
    if device.kind is Kind.CLIMATE and command.action == "set_temperature":
        low, high = limits
        try:
            value = float(command.params.get("temperature", 0))
        except (TypeError, ValueError):
            return f"{who} asked for a temperature I couldn't read."
        side = f"above the usual limit of {high:g}" if value > high else \
            f"below the usual limit of {low:g}"
        return f"{who} asked for {value:g} degrees, which is {side}."
    if device.kind is Kind.LOCK:
        return f"{who} asked to {command.action} it, and locks only change when a person says yes."
    if device.kind is Kind.COVER:
        return f"{who} asked to {command.action.replace('_', ' ')} it, and doors and gates only " \
               "move when a person says yes."
    return f"{who} asked for it, and this device only changes when a person says yes."


def question(persona: PersonaProfile, device: Device, command: Command, person: str | None,
             limits: tuple[float, float]) -> tuple[str, str]:
    """(the question, what will be done) e.g. ('Anna asked for 30 degrees, which is above the
    usual limit of 24. Shall I set the Thermostat to 30 degrees?', 'set the Thermostat to 30
    degrees')."""
    verb, value = verb_and_value(command)
    template = persona.confirm_question
    if "{value}" not in template:
        template = template.replace("{device}", "{device}{value}")
    asked = fill(template, {"action": verb, "device": device.name, "value": value,
                            "name": persona.name})
    why = why_asked(device, command, person, limits)
    if "{why}" not in persona.confirm_question:
        asked = f"{why} {asked}"
    return asked, f"{verb} the {device.name}{value}"
