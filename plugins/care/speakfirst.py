"""The gate every proactive utterance passes: is it still wanted, allowed now, and where.

In order: said before (each reason is raised once), "don't ask me that" (per person and kind,
kept in the memory file), "not now" (a snooze), quiet hours, the daily budget per person, and
a room where the person is now. Whatever holds it back is logged once per reason and status
(the check-in loop asks every minute; the log must not flood). What is said is worded by the
room's persona (template `care.<kind>`, else the offline wording), spoken, logged, and
published as a `ProactiveSpoken` event with its reason.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Literal

from samantha.events import BaseEvent
from samantha.plugins.persona.proactive import in_quiet_hours
from samantha.plugins.persona.runtime import runtime_of

from .state import Care, Raise, Raised
from .whereabouts import where_is
from .wording import word

log = logging.getLogger(__name__)

Kind = Literal["check_in", "follow_up", "welcome_home", "silence", "habit"]
KINDS: tuple[str, ...] = ("check_in", "follow_up", "welcome_home", "silence", "habit")
KIND_WORDS = {"check_in": "checking in after a hard evening", "follow_up": "following up",
              "welcome_home": "welcoming you home", "silence": "checking on a long silence",
              "habit": "suggesting automations"}


class ProactiveSpoken(BaseEvent):
    """The house said something on its own: what, where, to whom, and why."""

    type: Literal["proactive_spoken"] = "proactive_spoken"
    room: str
    person: str | None
    kind: str
    reason: str
    text: str


def _day_start(now: datetime) -> float:
    return now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


def _held(care: Care, item: Raise, status: str, room: str | None = None) -> str:
    if not care.store.has(item.person, item.key, status):
        care.store.record(at=care.ts(), person=item.person, room=room, kind=item.kind,
                          key=item.key, reason=item.reason, text=item.message, status=status)
        log.info("not raising %s for %s now (%s): %s", item.kind, item.person or "anyone",
                 status, item.reason)
    return status


def gate(care: Care, item: Raise) -> tuple[str, str | None]:
    """('ok', room) or (why it is held back, None). Records a hold once."""
    settings = care.section.speak_first
    now = care.now()
    if care.store.said_before(item.person, item.key):
        return "already", None
    if care.store.refused(item.person, item.kind):
        return _held(care, item, "refused"), None
    until = care.snoozed.get((item.person, item.kind))
    if until is not None and care.ts() < until:
        return "snoozed", None  # not logged: the "not now" itself is in the log
    if in_quiet_hours(runtime_of(care.house).section.quiet_hours, now):
        return _held(care, item, "quiet_hours"), None
    if care.store.said_since(item.person, _day_start(now)) >= settings.daily_budget:
        return _held(care, item, "over_budget"), None
    room = item.room or (where_is(care, item.person) if item.person else None)
    if room is None:
        return "no_room", None  # waits until the person is somewhere (not logged each minute)
    return "ok", room


async def speak_first(care: Care, item: Raise) -> str:
    """Say it if the gate allows; returns 'said' or why not."""
    if not care.section.speak_first.enabled:
        return "disabled"
    status, room = gate(care, item)
    if status != "ok" or room is None:
        return status
    house = care.house
    rt = runtime_of(house)
    room_id = house.room(room).id
    persona = rt.persona_for(room_id, item.person)
    message = await word(rt, persona, item, room_id)
    text = rt.render(persona, [f"care.{item.kind}"],
                     {"message": message, "room": room_id, "person": item.person or "",
                      **item.values}, "{message}")
    row = care.store.record(at=care.ts(), person=item.person, room=room_id, kind=item.kind,
                            key=item.key, reason=item.reason, text=text, status="said")
    care.raised[room_id] = Raised(row, item.person, item.kind, item.key, care.ts(), item.offer)
    log.info("said first in %s to %s (%s: %s): %s", room_id, item.person or "anyone",
             item.kind, item.reason, text)
    await house.speak(room_id, text)
    await house.bus.publish(ProactiveSpoken(room=room_id, person=item.person, kind=item.kind,
                                            reason=item.reason, text=text))
    return "said"


def recent(care: Care, room: str) -> Raised | None:
    """What the house raised in this room recently enough to be answered."""
    raised = care.raised.get(room)
    if raised is None or care.ts() - raised.at > care.section.speak_first.answer_seconds:
        return None
    return raised


def snooze(care: Care, raised: Raised) -> None:
    minutes = care.section.speak_first.snooze_minutes
    care.snoozed[(raised.person, raised.kind)] = (
        care.now() + timedelta(minutes=minutes)).timestamp()
