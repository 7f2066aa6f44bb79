"""Pattern mining over the interaction log: pure functions of the log, no I/O.

Three patterns:

- a **routine**: the same command, by the same person, in the same room, at about the same time
  (within `window_minutes`) on most weekdays of the last week (`min_days` of them), or on three
  of the last four weekend days;
- a **sequence**: a command that is followed by the same other command (same person and room,
  within `follow_seconds`) at least 80 % of the time, and at least `min_days` times;
- a device **left on at night**: on at the night check on 5 of the last 7 nights.

Each habit has a stable `key` (what it is, not how often it was seen), so an answer to it - yes
or no - is kept for good. Times near midnight are not joined across it (23:55 and 00:05 are two
times); nothing in a home routine seems to need it yet.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any, Literal

from .store import Interaction

DAY = 86400.0
SEQUENCE_SHARE = 0.8  # "always follows": this share of the times, or more
NIGHTS_NEEDED = 5  # of the last 7 night checks
WEEKEND_NEEDED = 3  # of the last 4 weekend days

Command = tuple[str, str, str]  # (device id, action, params as sorted JSON)


@dataclass(frozen=True)
class Habit:
    kind: Literal["routine", "sequence", "night"]
    key: str
    person: str | None
    room: str | None
    commands: tuple[Command, ...]  # what the house would do
    at: str | None = None  # "07:00" for routines and night checks
    days: Literal["weekdays", "weekend", "daily"] = "daily"
    after: Command | None = None  # the command it follows (sequences)
    seen: int = 0  # how many days (or times) it was seen
    evidence: str = ""
    times: tuple[str, ...] = field(default=(), compare=False)

    def params(self, command: Command) -> dict[str, Any]:
        loaded = json.loads(command[2])
        return loaded if isinstance(loaded, dict) else {}


@dataclass(frozen=True)
class Rules:
    window_minutes: int = 30
    min_days: int = 4
    follow_seconds: int = 120


def _local(at: float, tz: tzinfo | None) -> datetime:
    return datetime.fromtimestamp(at, tz)


def _clock(minutes: float) -> str:
    total = int(5 * round(minutes / 5)) % (24 * 60)
    return f"{total // 60:02d}:{total % 60:02d}"


def _best_cluster(per_day: dict[str, list[int]], window: int) -> tuple[int, list[int]]:
    """The time (minute of day) around which most days have one occurrence, and those minutes
    (one per day, the closest)."""
    best: tuple[int, float, list[int]] = (0, 0.0, [])
    for minutes in per_day.values():
        for centre in minutes:
            chosen = []
            for day_minutes in per_day.values():
                near = min(day_minutes, key=lambda m, c=centre: abs(m - c))
                if abs(near - centre) <= window / 2:
                    chosen.append(near)
            spread = statistics.pstdev(chosen) if len(chosen) > 1 else 0.0
            if (len(chosen), -spread) > (best[0], -best[1]):
                best = (len(chosen), spread, chosen)
    return best[0], best[2]


def routines(log: Iterable[Interaction], now: datetime, rules: Rules,
             skip: frozenset[str] = frozenset()) -> list[Habit]:
    """Commands done at about the same time on most weekdays (or weekend days)."""
    tz = now.tzinfo
    week_start = (now - timedelta(days=7)).timestamp()
    fortnight = (now - timedelta(days=14)).timestamp()
    groups: dict[tuple[str | None, str, tuple[Command, ...], bool], dict[str, list[int]]] = (
        defaultdict(lambda: defaultdict(list)))
    for item in log:
        if not item.commands or any(c[0] in skip for c in item.commands):
            continue
        when = _local(item.at, tz)
        weekend = when.weekday() >= 5
        if item.at < (fortnight if weekend else week_start) or item.at > now.timestamp():
            continue
        day = when.date().isoformat()
        groups[(item.person, item.room, item.commands, weekend)][day].append(
            when.hour * 60 + when.minute)
    found = []
    for (person, room, commands, weekend), per_day in groups.items():
        needed = WEEKEND_NEEDED if weekend else rules.min_days
        if len(per_day) < needed:
            continue
        days, minutes = _best_cluster(per_day, rules.window_minutes)
        if days < needed:
            continue
        at = _clock(statistics.median(minutes))
        span = f"between {_clock(min(minutes))} and {_clock(max(minutes))}"
        label = "weekend days" if weekend else "weekdays"
        key = "|".join(["routine", person or "", room, "weekend" if weekend else "weekdays",
                        at[:2], json.dumps(commands)])
        found.append(Habit(kind="routine", key=key, person=person, room=room,
                           commands=commands, at=at,
                           days="weekend" if weekend else "weekdays", seen=days,
                           evidence=f"{days} {label} {span}",
                           times=tuple(sorted(_clock(m) for m in minutes))))
    return sorted(found, key=lambda h: (-h.seen, h.key))


def sequences(log: Iterable[Interaction], now: datetime, rules: Rules,
              skip: frozenset[str] = frozenset()) -> list[Habit]:
    """A command that nearly always follows another one soon after."""
    since = (now - timedelta(days=14)).timestamp()
    items = sorted((i for i in log if i.commands and since <= i.at <= now.timestamp()),
                   key=lambda i: i.at)
    seen: dict[tuple[str | None, str, Command], int] = defaultdict(int)
    followed: dict[tuple[str | None, str, Command, Command], int] = defaultdict(int)
    for index, item in enumerate(items):
        if len(item.commands) != 1:
            continue
        first = item.commands[0]
        seen[(item.person, item.room, first)] += 1
        # What follows is the person's *next* command in that room (within follow_seconds):
        # looking past it would count everything said in a busy minute, at quadratic cost.
        for later in items[index + 1:]:
            if later.at - item.at > rules.follow_seconds:
                break
            if later.person == item.person and later.room == item.room:
                if len(later.commands) == 1 and later.commands[0] != first:
                    followed[(item.person, item.room, first, later.commands[0])] += 1
                break
    found = []
    for (person, room, first, then), times in followed.items():
        total = seen[(person, room, first)]
        if times < rules.min_days or times / total < SEQUENCE_SHARE:
            continue
        if first[0] in skip or then[0] in skip or first[0] == then[0]:
            continue
        key = "|".join(["sequence", person or "", room, json.dumps(first), json.dumps(then)])
        found.append(Habit(kind="sequence", key=key, person=person, room=room,
                           commands=(then,), after=first, seen=times,
                           evidence=f"{times} of {total} times within "
                                    f"{rules.follow_seconds} s"))
    return sorted(found, key=lambda h: (-h.seen, h.key))


def left_on(nights: Iterable[tuple[float, list[str]]], now: datetime, at: str,
            skip: frozenset[str] = frozenset()) -> list[Habit]:
    """Devices on at the night check on most of the last seven nights."""
    since = (now - timedelta(days=7, minutes=30)).timestamp()
    recent = [(t, devices) for t, devices in nights if since <= t <= now.timestamp()]
    counts: dict[str, int] = defaultdict(int)
    for _t, devices in recent:
        for device in set(devices):
            counts[device] += 1
    found = []
    for device, times in counts.items():
        if times < NIGHTS_NEEDED or device in skip:
            continue
        command: Command = (device, "turn_off", "{}")
        found.append(Habit(kind="night", key=f"night|{device}|{at[:2]}", person=None,
                           room=None, commands=(command,), at=at, seen=times,
                           evidence=f"on at {at} on {times} of the last {len(recent)} nights"))
    return sorted(found, key=lambda h: (-h.seen, h.key))
