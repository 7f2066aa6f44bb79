"""Timers by voice: the home-assistant-intents timer sentences, on the persona's scheduler.

Spoken timers are rows in the same `scheduled` table as the model's (one list: the model sees
them with get_scheduled, "cancel my timer" cancels one the model set). "in 5 minutes turn off
the lights" becomes a `sentence` item: the words are run through `house.handle_text` in the
same room when due, as if said then.
"""

from __future__ import annotations

from collections.abc import Callable

from samantha.intent_handling import IntentHandler, IntentRequest, Outcome

from .later import why_not_later
from .runtime import Runtime, runtime_of
from .schedule import Scheduled
from .timer_words import UNNAMED, clean_name, slot_seconds, spoken, timer_name
from .timers import firing

MAX_SECONDS = 24 * 3600
TIMERISH = frozenset({"timer", "sentence"})  # what "my timer" can mean
NOT_SAVED = " I couldn't save that, so a restart would lose it."


def _a(words: str) -> str:
    vowel = words[:1] in "aeiou8" or words.startswith(("11 ", "18 "))
    return f"{'an' if vowel else 'a'} {words}"


def _timers(rt: Runtime) -> list[Scheduled]:
    return [i for i in rt.scheduler.pending() if i.kind in TIMERISH]


def _where(request: IntentRequest, item: Scheduled) -> str:
    if item.room == request.room.id:
        return ""
    room = request.house.home.rooms.get(item.room)
    return f" in the {room.name}" if room else ""


def _matching(request: IntentRequest, items: list[Scheduled]) -> list[Scheduled]:
    """The timers the sentence names (by name, room or the length it was set for)."""
    name = clean_name(request.slot("name")).casefold()
    area = request.slot("area")
    started = slot_seconds(request.slots, "start_")
    if name:
        items = [i for i in items if clean_name(i.text).casefold() == name]
    if area:
        items = [i for i in items if i.room == area]
    if started is not None:
        items = [i for i in items if abs(i.set_for() - started) < 1]
    return items


def _pick(request: IntentRequest, verb: str,
          fits: Callable[[Scheduled], bool] = lambda _i: True) -> Scheduled | Outcome:
    """The one timer meant, or the reply that says there is none or asks which."""
    every = _timers(runtime_of(request.house))
    found = _matching(request, every)
    # Several: the ones in this room, then the ones the verb makes sense for, narrow it.
    for narrower in (lambda i: i.room == request.room.id, fits):
        if len(found) > 1:
            found = [i for i in found if narrower(i)] or found
    if len(found) == 1:
        return found[0]
    if found:
        names = " or ".join(f"the {timer_name(i)}{_where(request, i)}" for i in found)
        return request.outcome(f"There's more than one timer. Which one should I {verb}: "
                               f"{names}?")
    return _none(request, every)


def _none(request: IntentRequest, every: list[Scheduled]) -> Outcome:
    name = clean_name(request.slot("name"))
    if name:
        return request.outcome(f"There's no {name} timer.")
    return request.outcome("There's no timer like that." if every
                           else "There's no timer running.")


async def start_timer(request: IntentRequest) -> Outcome:
    seconds = slot_seconds(request.slots)
    if seconds is None or seconds < 1:
        return request.outcome("A timer needs some time on it. How long should it run?")
    if seconds > MAX_SECONDS:
        return request.outcome("That's longer than I can keep a timer for; the longest is "
                               "24 hours. Maybe a reminder instead?")
    house, room = request.house, request.room.id
    rt = runtime_of(house)
    person = rt.person_in(room)
    command = " ".join(str(request.slot("conversation_command") or "").split()).rstrip(".!?")
    if command:
        refusal = why_not_later(house, command, room)
        if refusal is not None:
            return request.outcome(f"I can't do that later: {refusal}.")
        item = rt.scheduler.add("sentence", room, seconds, command, firing(house),
                                person=person, source="said")
        reply = f"Okay, in {spoken(seconds)} I'll {command}."
    else:
        name = clean_name(request.slot("name")) or UNNAMED
        item = rt.scheduler.add("timer", room, seconds, name, firing(house), person=person,
                                source="said")
        what = (_a(timer_name(item)) if name == UNNAMED
                else f"{_a(timer_name(item))} for {spoken(seconds)}")
        reply = f"Okay, {what}, starting now."
    return request.outcome(reply + ("" if item.saved else NOT_SAVED))


def _left(request: IntentRequest, item: Scheduled) -> str:
    where = _where(request, item)
    if item.paused is not None:
        return f"the {timer_name(item)}{where} is paused with {spoken(item.remaining())} left"
    return f"{spoken(item.remaining())} left on the {timer_name(item)}{where}"


async def timer_status(request: IntentRequest) -> Outcome:
    every = _timers(runtime_of(request.house))
    found = _matching(request, every)
    if not found:
        return _none(request, every)
    said = [_left(request, i) for i in found]
    if len(said) == 1:
        return request.outcome(said[0][:1].upper() + said[0][1:] + ".")
    return request.outcome(f"You have {len(said)} timers: {'; '.join(said)}.")


async def cancel_timer(request: IntentRequest) -> Outcome:
    item = _pick(request, "cancel")
    if isinstance(item, Outcome):
        return item
    runtime_of(request.house).scheduler.cancel(item.id)
    return request.outcome(f"Okay, I've cancelled the {timer_name(item)}{_where(request, item)}.")


async def cancel_all_timers(request: IntentRequest) -> Outcome:
    rt = runtime_of(request.house)
    found = _matching(request, _timers(rt))
    if not found:
        return request.outcome("There are no timers to cancel.")
    for item in found:
        rt.scheduler.cancel(item.id)
    if len(found) == 1:
        return request.outcome(f"Okay, I've cancelled the {timer_name(found[0])}.")
    count = "both" if len(found) == 2 else f"all {len(found)}"
    return request.outcome(f"Okay, I've cancelled {count} timers.")


async def _change(request: IntentRequest, sign: int) -> Outcome:
    amount = slot_seconds(request.slots)
    if not amount:
        return request.outcome("By how much?")
    item = _pick(request, "change")
    if isinstance(item, Outcome):
        return item
    rt = runtime_of(request.house)
    left = item.remaining() + sign * amount
    if left > MAX_SECONDS:
        return request.outcome("That would make it longer than 24 hours, so I've left it.")
    if left < 1:
        rt.scheduler.cancel(item.id)
        return request.outcome(f"That's more than the {spoken(item.remaining())} it had left, "
                               f"so I've stopped the {timer_name(item)}.")
    saved = rt.scheduler.shift(item, sign * amount, firing(request.house))
    done = "added" if sign > 0 else "taken"
    onto = "to" if sign > 0 else "off"
    return request.outcome(f"Okay, I've {done} {spoken(amount)} {onto} the {timer_name(item)}; "
                           f"{spoken(left)} left." + ("" if saved else NOT_SAVED))


async def increase_timer(request: IntentRequest) -> Outcome:
    return await _change(request, +1)


async def decrease_timer(request: IntentRequest) -> Outcome:
    return await _change(request, -1)


async def pause_timer(request: IntentRequest) -> Outcome:
    item = _pick(request, "pause", lambda i: i.paused is None)
    if isinstance(item, Outcome):
        return item
    if item.paused is not None:
        return request.outcome(f"The {timer_name(item)} is already paused.")
    saved = runtime_of(request.house).scheduler.pause(item)
    return request.outcome(f"Okay, I've paused the {timer_name(item)} with "
                           f"{spoken(item.remaining())} left." + ("" if saved else NOT_SAVED))


async def unpause_timer(request: IntentRequest) -> Outcome:
    item = _pick(request, "resume", lambda i: i.paused is not None)
    if isinstance(item, Outcome):
        return item
    if item.paused is None:
        return request.outcome(f"The {timer_name(item)} is already running.")
    saved = runtime_of(request.house).scheduler.resume(item, firing(request.house))
    return request.outcome(f"Okay, the {timer_name(item)} is running again with "
                           f"{spoken(item.remaining())} left." + ("" if saved else NOT_SAVED))


HANDLERS: dict[str, IntentHandler] = {
    "HassStartTimer": start_timer,
    "HassTimerStatus": timer_status,
    "HassCancelTimer": cancel_timer,
    "HassCancelAllTimers": cancel_all_timers,
    "HassIncreaseTimer": increase_timer,
    "HassDecreaseTimer": decrease_timer,
    "HassPauseTimer": pause_timer,
    "HassUnpauseTimer": unpause_timer,
}
