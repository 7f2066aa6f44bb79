"""Whether a sentence may be run later, when nobody is there to watch or say yes.

Both the spoken "in 5 minutes turn off the lights" (timer_intents.py) and the scheduler firing
it (timers.py) ask this, so it lives apart from both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from samantha.intent_handling import IntentRequest, TargetError, resolve_targets
from samantha.providers import Command

from .runtime import runtime_of

if TYPE_CHECKING:
    from samantha.house import House

ACTION_INTENTS = frozenset({"HassTurnOn", "HassTurnOff", "HassToggle", "HassLightSet",
                            "HassSetPosition", "HassClimateSetTemperature"})


def why_not_later(house: House, sentence: str, room: str) -> str | None:
    """Why `sentence` should not be run later in `room` with nobody there to watch; else None."""
    rt = runtime_of(house)
    where = house.room(room)
    result = house.recognize(sentence, where)
    if result is None:
        # The model could still make sense of it later; without one it would only apologise.
        return None if rt.endpoint is not None else "I wouldn't know how to do that"
    if result.intent.name not in ACTION_INTENTS:
        return None
    slots = {name: entity.value for name, entity in result.entities.items()}
    request = IntentRequest(house=house, room=where, text=sentence, intent=result.intent.name,
                            slots=slots)
    try:
        devices = resolve_targets(request)
    except TargetError as err:
        return err.reply[:1].lower() + err.reply[1:].rstrip(".")
    params = {"temperature": slots["temperature"]} if "temperature" in slots else {}
    # Same rule as the model's scheduled actions: a lock or sensitive device needs a person's
    # "yes" at the moment it happens, and nobody is asked when a timer runs out.
    if any(rt.needs_confirmation(d, Command(device=d.id, action="set_temperature"
                                            if params else "turn_on", params=params))
           for d in devices):
        return "that needs a person to say yes at the time"
    return None
