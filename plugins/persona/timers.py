"""What a timer, reminder or scheduled action does when due, and what happens after a restart.

At start-up every saved item is restored. One still in the future waits again. One that fell
due while the house was down is handled honestly:

- a timer or reminder at most `persona.schedule.late_grace_minutes` late is said with an
  apology ("Sorry, I was offline: your 18:00 reminder - take the bread out."), not during quiet
  hours; an older one is dropped with a log line;
- a device action or a sentence to run later is never carried out late (a heater or a pump
  switched on hours late can be unsafe): it is logged and mentioned once in its room.

A paused timer is restored paused, with the time it had left.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime
from typing import TYPE_CHECKING

from samantha.providers import Command

from .later import why_not_later
from .proactive import announce
from .runtime import Runtime, runtime_of
from .schedule import ACTS, KINDS, Fire, Scheduled
from .timer_words import timer_name

if TYPE_CHECKING:
    from samantha.house import House

log = logging.getLogger(__name__)

STARTED_POLL = 0.05  # seconds between looks at `house.started` before late notices are said


def clock(epoch: float) -> str:
    return datetime.fromtimestamp(epoch).strftime("%H:%M")


def firing(house: House) -> Fire:
    """The one function every item of this house fires through, whatever its kind."""

    async def fire(item: Scheduled) -> None:
        if item.kind == "timer":
            await announce(house, item.room, f"Your {timer_name(item)} is done.", urgent=True)
        elif item.kind == "reminder":
            await announce(house, item.room, f"A reminder: {item.text}", urgent=True)
        elif item.kind == "sentence":
            await _say_later(house, item)
        else:
            await _act(house, runtime_of(house), item)

    return fire


async def _act(house: House, rt: Runtime, item: Scheduled) -> None:
    wanted = item.command or {}
    device = rt.exposed_device(str(wanted.get("device", "")))
    # Checked again now: since it was scheduled the config may have hidden the device or made
    # it sensitive (possibly across a restart), and a person is not here to say yes.
    if device is None:
        log.warning("scheduled action %r: device %r is gone or not exposed; not done",
                    item.text, wanted.get("device"))
        await announce(house, item.room, f"I couldn't {item.text}: that device is gone.")
        return
    command = Command(device=device.id, action=str(wanted.get("action", "")),
                      params=dict(wanted.get("params") or {}))
    if rt.needs_confirmation(device, command):
        log.warning("scheduled action %r now needs confirmation; not done", item.text)
        await announce(house, item.room, f"I didn't {item.text}: it needs a person to say yes.")
        return
    results = await house.execute([command], room=item.room)
    if not results[0].ok:
        await announce(house, item.room, f"I couldn't {item.text}: {results[0].error}")


async def _say_later(house: House, item: Scheduled) -> None:
    # Checked again now: a device may have been made sensitive since it was scheduled.
    refusal = why_not_later(house, item.text, item.room)
    if refusal is not None:
        log.warning("delayed sentence %r not run: %s", item.text, refusal)
        await announce(house, item.room, f"I didn't {item.text}: {refusal}")
        return
    # Run as if said in the room now, so the reply is heard there, in character.
    await house.handle_text(item.text, item.room)


async def restore(house: House) -> None:
    """Re-arm saved items and deal with the ones that fell due while the house was down."""
    rt = runtime_of(house)
    if not rt.memory.path.exists():
        return  # nothing was ever saved, and a house that never used memory stays off the disk
    now = time.time()
    fire = firing(house)
    late: list[Scheduled] = []
    for item in rt.scheduler.stored():
        if item.kind not in KINDS:
            log.warning("dropping scheduled item %d of unknown kind %r", item.id, item.kind)
            rt.scheduler.remove(item.id)
        elif item.paused is not None or item.due > now:
            rt.scheduler.arm(item, fire)
        else:
            late.append(item)
    if rt.scheduler.items or late:
        log.info("restored %d scheduled item(s); %d fell due while offline",
                 len(rt.scheduler.items), len(late))
    if late:
        rt.scheduler.spawn(_report_late(house, rt, late, now))


async def _report_late(house: House, rt: Runtime, late: list[Scheduled], now: float) -> None:
    # Start-up hooks run one plugin after another; speech plugins may not be listening yet.
    while not house.started:
        await asyncio.sleep(STARTED_POLL)
    grace = rt.section.schedule.late_grace_minutes * 60
    for item in late:
        await _late(house, rt, item, now - item.due, grace)


async def _late(house: House, rt: Runtime, item: Scheduled, lateness: float,
                grace: float) -> None:
    # The row goes first: a late notice is said at most once, even if we crash right after.
    if not rt.scheduler.remove(item.id):
        return  # cancelled meanwhile
    minutes = lateness / 60
    room = house.home.find_room(item.room)
    if item.kind in ACTS:
        log.warning("scheduled %s %r (due %s, %.1f min ago) was not carried out: the house "
                    "was offline, and acting late on a device can be unsafe", item.kind, item.text,
                    clock(item.due), minutes)
        if room is not None:
            await announce(house, room.id, f"Sorry, I was offline at {clock(item.due)}, so I "
                           f"didn't {item.text}. I won't do it late; ask me again if you "
                           "still want it.")
        return
    if lateness > grace:
        log.warning("dropped %s %r due %s: %.1f min late, more than the %g min grace",
                    item.kind, item.text, clock(item.due), minutes, grace / 60)
        return
    if room is None:
        log.warning("late %s %r: room %r no longer exists; not said", item.kind, item.text,
                    item.room)
        return
    what = (f"your {clock(item.due)} reminder - {item.text}" if item.kind == "reminder"
            else f"your {timer_name(item)} was done at {clock(item.due)}")
    if not await announce(house, room.id, f"Sorry, I was offline: {what}."):
        log.info("quiet hours: late %s %r was not said", item.kind, item.text)
