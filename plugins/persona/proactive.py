"""Proactive speech: news from the house said in the right room, in character, not at night."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from samantha.events import DeviceStateChanged

from .runtime import runtime_of
from .settings import QuietHours

if TYPE_CHECKING:
    from samantha.house import House

log = logging.getLogger(__name__)


# Something the house asked on its own ("Shall I do that for you?") is answered with the same
# spoken "yes"/"no" as a confirmation. Plugins that ask register here: given (house, room,
# answer) they return the reply, or None when they asked nothing there.
Answerer = Callable[["House", str, Literal["yes", "no"]], Awaitable[str | None]]
_ANSWERERS: list[Answerer] = []


def on_answer(answerer: Answerer) -> None:
    if answerer not in _ANSWERERS:
        _ANSWERERS.append(answerer)


async def answer(house: House, room: str, said: Literal["yes", "no"]) -> str | None:
    """The reply of whoever asked something in `room` on their own, or None."""
    for answerer in list(_ANSWERERS):
        try:
            reply = await answerer(house, room, said)
        except Exception:
            log.exception("answering %r in %s failed", said, room)
            return "Sorry, something went wrong while I was doing that."
        if reply:
            return reply
    return None


def _minutes(clock: str) -> int:
    hour, minute = (int(p) for p in clock.split(":"))
    return hour * 60 + minute


def in_quiet_hours(quiet: QuietHours | None, now: datetime | None = None) -> bool:
    if quiet is None:
        return False
    now = now or datetime.now()
    current = now.hour * 60 + now.minute
    start, end = _minutes(quiet.start), _minutes(quiet.end)
    if start <= end:
        return start <= current < end
    return current >= start or current < end  # spans midnight


async def announce(house: House, room: str, message: str, *, urgent: bool = False,
                   now: datetime | None = None) -> bool:
    """Say `message` in `room` worded by that room's persona; False if quiet hours held it back.

    Other plugins (automations, timers) call this to have the persona speak up.
    """
    rt = runtime_of(house)
    room_id = house.room(room).id
    if not urgent and in_quiet_hours(rt.section.quiet_hours, now):
        log.info("quiet hours: not saying %r in %s", message, room_id)
        return False
    persona = rt.persona_for(room_id, rt.person_in(room_id))
    text = rt.render(persona, ["announcement"], {"message": message, "room": room_id},
                     persona.announcement)
    await house.speak(room_id, text)
    return True


def _matches(state: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return all(state.get(k) == v for k, v in wanted.items())


async def on_state_change(house: House, event: DeviceStateChanged) -> None:
    rt = runtime_of(house)
    for trigger in rt.section.triggers:
        device = house.home.devices.get(trigger.device) or next(
            iter(house.home.find_devices(trigger.device)), None)
        if device is None or device.id != event.device:
            continue
        if _matches(event.new, trigger.state) and not _matches(event.old, trigger.state):
            room = trigger.room or device.room
            if room is None:
                log.warning("trigger for %s has no room to speak in", device.id)
                continue
            await announce(house, room, trigger.say, urgent=trigger.urgent)
