"""From a habit to a spoken suggestion, and from "yes" to an automation the owner can edit.

A habit is offered at a good moment: right after its person has spoken in its room (they are
there and listening), through the speak-first gate (budget, quiet hours, "don't ask me that").
"Yes" writes an automation to the suggested file (plugins/automations/suggested.py) and reloads
the running engine; "no" is kept in `habit_decisions` and the habit is never offered again.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from samantha.config import ConfigError
from samantha.kinds import SENSITIVE_KINDS
from samantha.plugins.automations.plugin import running_engine
from samantha.plugins.automations.spec import find_device
from samantha.plugins.automations.suggested import add_suggestion

from . import habits
from .speakfirst import speak_first
from .state import Care, Offer, Raise
from .words import doing, habit_done, habit_question

if TYPE_CHECKING:
    from samantha.house import House

log = logging.getLogger(__name__)

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
WEEKEND = ["sat", "sun"]
# Only simple switching is learned: a habit never locks, unlocks or opens anything.
LEARNABLE = frozenset({"turn_on", "turn_off", "set_brightness", "set_temperature",
                       "set_position", "set_percentage", "set_color", "toggle"})


def _names(house: House) -> dict[str, str]:
    return {d.id: d.name for d in house.home.devices.values()}


def _skip(house: House) -> frozenset[str]:
    """Devices a habit must never touch: sensitive ones."""
    return frozenset(d.id for d in house.home.devices.values()
                     if d.kind in SENSITIVE_KINDS or d.sensitive)


def found(care: Care) -> list[habits.Habit]:
    """Every habit in the log now (mined fresh; the log is small)."""
    settings = care.section.habits
    now = care.now()
    rules = habits.Rules(settings.window_minutes, settings.min_days, settings.follow_seconds)
    since = (now - timedelta(days=15)).timestamp()
    log_rows = care.store.interactions(since)
    skip = _skip(care.house)
    out = habits.routines(log_rows, now, rules, skip)
    out += [h for h in habits.sequences(log_rows, now, rules, skip)
            if h.after is not None and h.after[1] in {"turn_on", "turn_off"}]
    out += habits.left_on(care.store.nights(since), now, settings.night_check, skip)
    return [h for h in out if all(c[1] in LEARNABLE for c in h.commands)]


def _device_ref(house: House, device_id: str) -> str:
    """The device's name when it finds the same device (readable), else its id. A name with
    braces is never written: automation device fields are templates."""
    device = house.home.devices.get(device_id)
    if device is not None and not {"{", "}"} & set(device.name):
        named = find_device(house, device.name)
        if named is not None and named.id == device_id:
            return device.name
    return device_id


def automation_for(house: House, habit: habits.Habit, origin: str) -> dict[str, Any]:
    names = _names(house)
    actions = [{"command": c[1], "device": _device_ref(house, c[0]),
                **({"params": habit.params(c)} if habit.params(c) else {})}
               for c in habit.commands]
    what = " and ".join(doing(c, names) for c in habit.commands)
    automation: dict[str, Any] = {"id": f"suggested {what} {habit.days if habit.at else ''}",
                                  "alias": what[:1].upper() + what[1:], "origin": origin}
    if habit.kind == "routine":
        automation["alias"] += f" at {habit.at} on {habit.days}"
        automation["triggers"] = [{"trigger": "time", "at": habit.at}]
        automation["conditions"] = [{"condition": "time", "weekday": (
            WEEKDAYS if habit.days == "weekdays" else WEEKEND)}]
    elif habit.kind == "sequence" and habit.after is not None:
        automation["alias"] += f" after {doing(habit.after, names)}"
        automation["triggers"] = [{"trigger": "state",
                                   "device": _device_ref(house, habit.after[0]),
                                   "to": "on" if habit.after[1] == "turn_on" else "off"}]
    else:
        automation["alias"] += f" at {habit.at} if still on"
        automation["triggers"] = [{"trigger": "time", "at": habit.at}]
        automation["conditions"] = [{"condition": "state",
                                     "device": _device_ref(house, habit.commands[0][0]),
                                     "state": "on"}]
    automation["actions"] = actions
    return automation


async def accept(care: Care, habit: habits.Habit, person: str | None, room: str,
                 question: str) -> str:
    house = care.house
    names = _names(house)
    who = person.title() if person else "Someone"
    where = house.home.rooms[habit.room].name if habit.room in house.home.rooms else None
    origin = (f"suggested by the house on {care.now():%Y-%m-%d %H:%M}; {who} said yes to "
              f"\"{question}\" in the {house.room(room).name}; learned from {habit.evidence}"
              + (f" in the {where}" if where else ""))
    engine = running_engine(house)
    taken = frozenset(a.id for a in engine.automations) if engine else frozenset()
    try:
        automation_id, path = add_suggestion(house, automation_for(house, habit, origin), taken)
    except (ConfigError, OSError, ValueError) as err:
        log.error("could not write the suggested automation for %s: %s", habit.key, err)
        return "Sorry, I couldn't write that automation down. Nothing was changed."
    care.store.decide(habit.key, person, "accepted", care.ts(), automation_id)
    done = habit_done(habit, names)
    if engine is None or house.config_path is None:
        return (f"Okay: {done}. I've written it to {path.name}, marked as suggested; it starts "
                "the next time the house starts.")
    result = await engine.reload()
    if not result.ok:
        return (f"I've written it to {path.name}, but the automations didn't reload, so it "
                f"isn't running yet: {result.issues[0].message if result.issues else ''}")
    return f"Okay: from now on {done}. It's in {path.name} if you want to change it."


def offer_for(care: Care, habit: habits.Habit, person: str | None, room: str) -> Raise:
    question = habit_question(habit, _names(care.house))

    async def yes() -> str:
        return await accept(care, habit, person, room, question)

    async def no() -> str:
        care.store.decide(habit.key, person, "declined", care.ts())
        return "Okay, I won't ask about that again."

    return Raise(person=person, kind="habit", key=f"habit:{habit.key}",
                 reason=f"habit: {habit.evidence}", message=question, room=room,
                 offer=Offer(yes=yes, no=no))


async def suggest(care: Care, person: str | None, room: str,
                  done: tuple[habits.Command, ...] = ()) -> str | None:
    """Offer one undecided habit of this person; the status.

    The moment is right when they have just done it again: a routine or a sequence is offered
    right after its own command, in its room; a device left on at night after any sentence.
    """
    if not care.section.habits.enabled:
        return None
    decided = care.store.decisions()
    for habit in found(care):
        if habit.key in decided:
            continue
        if habit.kind != "night" and (habit.person != person or habit.room != room
                                      or not set(done) & {*habit.commands, habit.after}):
            continue
        status = await speak_first(care, offer_for(care, habit, person, room))
        if status in {"said", "over_budget", "quiet_hours", "refused", "snoozed"}:
            return status
    return None
