"""How the house words what it raises on its own, without a model (the offline wordings).

A persona can override each with a template `care.<kind>` in its `replies` (placeholders:
`{message}` - the wording below - `{person}`, `{room}`, and the kind's own values).
"""

from __future__ import annotations

import json
import re
from typing import Any

from .habits import Command, Habit

HOURS = ["midnight", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
         "ten", "eleven", "twelve"]


def spoken_time(clock: str) -> str:
    """'07:00' -> 'seven', '07:30' -> 'half past seven', '07:10' -> '7:10'."""
    hour, minute = (int(p) for p in clock.split(":"))
    twelve = hour % 12 or (12 if hour else 0)
    name = HOURS[twelve] if hour else HOURS[0]
    if minute == 0:
        return name if hour else "midnight"
    if minute == 30:
        return f"half past {name}"
    if minute == 15:
        return f"quarter past {name}"
    if minute == 45:
        return f"quarter to {HOURS[(twelve % 12) + 1]}"
    return f"{twelve or 12}:{minute:02d}"


def doing(command: Command, names: dict[str, str]) -> str:
    """('kitchen.light', 'turn_on', '{}') -> 'turn on the kitchen light'."""
    device, action, raw = command
    params: dict[str, Any] = json.loads(raw) if raw else {}
    name = names.get(device, device).casefold()
    if action in {"turn_on", "turn_off"}:
        return f"{action.replace('_', ' ')} the {name}"
    if action == "set_brightness" and "brightness" in params:
        return f"set the {name} to {params['brightness']} percent"
    if action == "set_temperature" and "temperature" in params:
        return f"set the {name} to {params['temperature']} degrees"
    if action == "set_position" and "position" in params:
        return f"set the {name} to {params['position']} percent open"
    return f"{action.replace('_', ' ')} the {name}"


def _third(phrase: str) -> str:
    """'turn on the light' -> 'turns on the light' (for "Anna turns on ...")."""
    verb, _, rest = phrase.partition(" ")
    return f"{verb}s {rest}"


def habit_question(habit: Habit, names: dict[str, str]) -> str:
    what = " and ".join(doing(c, names) for c in habit.commands)
    if habit.kind == "routine" and habit.at:
        days = "on weekdays" if habit.days == "weekdays" else "at weekends"
        return (f"You {what} around {spoken_time(habit.at)} {days}. "
                "Shall I do that for you?")
    if habit.kind == "sequence" and habit.after:
        return (f"When you {doing(habit.after, names)}, you usually {what} right after. "
                "Shall I do that for you?")
    device = names.get(habit.commands[0][0], habit.commands[0][0]).casefold()
    when = spoken_time(habit.at or "01:00")
    return (f"The {device} is often still on at {when} at night. "
            f"Shall I turn it off at {when} when it's on?")


def habit_done(habit: Habit, names: dict[str, str]) -> str:
    """What the house will do from now on, for the reply to 'yes'."""
    what = " and ".join(doing(c, names) for c in habit.commands)
    if habit.kind == "routine" and habit.at:
        days = "on weekdays" if habit.days == "weekdays" else "at weekends"
        return f"I'll {what} at {habit.at} {days}"
    if habit.kind == "sequence" and habit.after:
        return f"when you {doing(habit.after, names)}, I'll {what}"
    return f"I'll {what} at {habit.at} when it's on"


def follow_up(person: str | None, thread: str) -> str:
    name = f"{person.title()}, " if person else ""
    feeling = re.search(r'said "(.+?)" \(.*:\s*ask how they are now$', thread.strip())
    if feeling:  # left by the offline self after they said how they felt
        said = feeling.group(1).strip().rstrip(".!?")
        return f"{name}when we last talked you told me \u201c{said}\u201d. How are you now?"
    thread = re.sub(r":\s*ask how it went$", "", thread.strip()).strip().rstrip(".!?")
    return f"{name}you told me: \u201c{thread}\u201d. How did it go?"


def morning_after(person: str | None) -> str:
    name = f", {person.title()}" if person else ""
    return (f"Good morning{name}. Last night sounded hard. How are you feeling today?")


def welcome_home(person: str | None) -> str:
    name = f", {person.title()}" if person else ""
    return f"Welcome home{name}. How was your day?"


def long_silence(person: str | None, hours: float) -> str:
    name = f"{person.title()}, " if person else ""
    span = "a day" if hours < 36 else f"{round(hours / 24)} days"
    return f"{name}I haven't heard from you in {span}. Is everything all right?"
