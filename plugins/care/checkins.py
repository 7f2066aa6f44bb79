"""Reasons to speak first, looked for every minute and right after someone has spoken.

- **check_in**: the morning after an evening when the person seemed low (wellbeing.py), once
  they are somewhere the house can find them (whereabouts.py);
- **follow_up**: an open thread from conversation memory whose time has come ("job interview
  tomorrow" -> the next evening), in whatever room the person is in now;
- **welcome_home**: their presence device says they arrived (said where they arrive);
- **silence**: home, but not heard for `silence_hours`.

Each goes through the speak-first gate; at most one thing is raised per person per moment.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from samantha.plugins.automations.spec import primary_attribute
from samantha.plugins.persona.runtime import Runtime, runtime_of

from . import words
from .habits import Command
from .speakfirst import speak_first
from .state import Care, Raise
from .suggestions import suggest
from .wellbeing import score
from .whereabouts import is_home, where_is

log = logging.getLogger(__name__)

FOLLOW_UP_DAYS = 3  # an open thread is raised this long after its time, not later
CHECK_IN_WINDOW_S = 1.5 * 86400  # a low evening's thread waits this long for the check-in
CONDENSE_EVERY = 300.0  # look for ended conversations (new threads) this often
NIGHT_KINDS = frozenset({"light", "switch", "fan", "media_player"})


def _at(day: datetime, clock: str) -> datetime:
    hour, minute = (int(p) for p in clock.split(":"))
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


def _in_window(now: datetime, window: tuple[str, str]) -> bool:
    start, end = _at(now, window[0]), _at(now, window[1])
    return start <= now < end if start <= end else now >= start or now < end


def last_evening(now: datetime, window: tuple[str, str]) -> tuple[float, float]:
    """The evening before this morning: yesterday's start to its end (past midnight)."""
    yesterday = now - timedelta(days=1)
    start = _at(yesterday, window[0])
    end = _at(yesterday, window[1])
    if end <= start:
        end += timedelta(days=1)
    return start.timestamp(), min(end, now).timestamp()


def check_in(care: Care, person: str) -> Raise | None:
    settings = care.section.speak_first
    now = care.now()
    if not _in_window(now, settings.morning):
        return None
    start, end = last_evening(now, settings.evening)
    if not care.low.seemed_low(person, start, end):
        return None
    return Raise(person=person, kind="check_in", key=f"check_in:{now.date().isoformat()}",
                 reason=f"{person} seemed low last evening", message=words.morning_after(person))


def follow_ups(care: Care, person: str) -> list[Raise]:
    rt = runtime_of(care.house)
    now = care.ts()
    out = []
    for thread in rt.conversations.threads(person):
        # A thread from a low evening ("lonely tonight") is what the morning check-in is
        # about: it waits for that window, and is raised only if no check-in came.
        if score(thread.text) < 0:
            window = thread.created + CHECK_IN_WINDOW_S
            if now < window or care.store.said_kind_between(
                    person, "check_in", thread.created, window):
                continue
        if thread.follow_up <= now < thread.follow_up + FOLLOW_UP_DAYS * 86400:
            said = f"{datetime.fromtimestamp(thread.created, care.now().tzinfo):%Y-%m-%d %H:%M}"
            out.append(Raise(person=person, kind="follow_up", key=f"follow_up:{thread.id}",
                             reason=f"open thread from {said}: {thread.text}",
                             message=words.follow_up(person, thread.text),
                             values={"thread": thread.text}))
    return out


def silence(care: Care, person: str) -> Raise | None:
    hours = care.section.speak_first.silence_hours
    heard = care.store.last_heard(person)
    if heard is None or care.ts() - heard[1] < hours * 3600 or is_home(care, person) is not True:
        return None
    presence = care.section.speak_first.presence.get(person)
    room = where_is(care, person) or (presence.room if presence else None)
    return Raise(person=person, kind="silence", key=f"silence:{heard[1]:.0f}",
                 reason=f"{person} is home and was last heard {(care.ts() - heard[1]) / 3600:.0f}"
                        f" h ago in {heard[0]}", message=words.long_silence(person, hours),
                 room=room)


def reasons(care: Care, person: str) -> list[Raise]:
    found = [check_in(care, person), *follow_ups(care, person), silence(care, person)]
    return [r for r in found if r is not None]


async def raise_for(care: Care, person: str) -> str | None:
    """Say the first reason the gate lets through; the status of the last one tried.

    One at a time per person: wording may wait seconds for the model, and the next minute's
    look around must not raise the same thing again meanwhile.
    """
    if person in care.busy:
        return "busy"
    care.busy.add(person)
    try:
        status = None
        for item in reasons(care, person):
            status = await speak_first(care, item)
            if status in {"said", "over_budget", "quiet_hours"}:
                return status
        return status
    finally:
        care.busy.discard(person)


async def after_speaking(care: Care, person: str | None, room: str,
                         done: tuple[Command, ...] = ()) -> None:
    """Right after someone spoke and was answered: a good moment to raise something."""
    if person is not None and await raise_for(care, person) == "said":
        return
    await suggest(care, person, room, done)


async def arrived(care: Care, person: str) -> str:
    presence = care.section.speak_first.presence[person]
    return await speak_first(care, Raise(
        person=person, kind="welcome_home", key=f"welcome_home:{care.ts():.0f}",
        reason=f"{person} arrived home ({presence.device})",
        message=words.welcome_home(person), room=presence.room))


def night_check(care: Care) -> None:
    """Once a day at `night_check`: which lights and switches are still on (habits)."""
    now = care.now()
    due = _at(now, care.section.habits.night_check)
    if now < due or care.checked.get("night", 0.0) >= due.timestamp():
        return
    if now - due > timedelta(hours=1):  # started long after it: not a sample of that night
        care.checked["night"] = due.timestamp()
        return
    on = [d.id for d in care.house.home.devices.values()
          if d.kind.value in NIGHT_KINDS and d.state.get(primary_attribute(d))]
    care.store.log_night(now.timestamp(), on)
    care.checked["night"] = due.timestamp()
    care.store.prune((now - timedelta(days=care.section.habits.keep_days)).timestamp())


async def _condense(rt: Runtime) -> None:
    try:
        await rt.condense_ended()
    except Exception as err:
        log.warning("could not condense ended conversations: %s", err)


async def tick(care: Care) -> None:
    """One look around: new threads, every known person's reasons, the night check."""
    rt = runtime_of(care.house)
    if care.ts() - care.checked.get("condense", 0.0) >= CONDENSE_EVERY:
        care.checked["condense"] = care.ts()
        # In a task of its own: condensing may wait seconds for the model, and the minute's
        # look around must not (nor may it skip minutes meanwhile).
        care.spawn(_condense(rt))
    for person in rt.people():
        if person not in care.busy:
            care.spawn(raise_for(care, person))  # a task: `settled` waits for what it says
    night_check(care)
