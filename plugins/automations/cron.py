"""Five-field cron expressions (minute hour day-of-month month day-of-week) and their next time.

Small enough to own rather than depend on a package: lists, ranges, steps, names (jan, mon) and
the usual rule that when both day fields are restricted, either one matching is enough.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
_FIELDS = (("minute", 0, 59, []), ("hour", 0, 23, []), ("day of month", 1, 31, []),
           ("month", 1, 12, _MONTHS), ("day of week", 0, 7, _DAYS))
_SEARCH_DAYS = 366 * 5  # long enough for "29 feb" schedules


class CronError(ValueError):
    pass


def _value(text: str, low: int, names: list[str], what: str) -> int:
    lowered = text.lower()
    if lowered in names:
        return names.index(lowered) + (1 if names is _MONTHS else 0)
    if not text.isdigit():
        raise CronError(f"{text!r} is not a valid {what}")
    return int(text)


def _field(text: str, what: str, low: int, high: int, names: list[str]) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        body, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise CronError(f"bad step {step_text!r} in the {what} field")
        if body == "*":
            start, end = low, high
        elif "-" in body:
            a, b = body.split("-", 1)
            start, end = _value(a, low, names, what), _value(b, low, names, what)
        else:
            start = end = _value(body, low, names, what)
            if step:
                end = high
        if not (low <= start <= high and low <= end <= high) or start > end:
            raise CronError(f"{body!r} is outside {low}-{high} in the {what} field")
        values.update(range(start, end + 1, step or 1))
    return frozenset(values)


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    any_day: bool
    any_weekday: bool

    @classmethod
    def parse(cls, text: str) -> Cron:
        parts = text.split()
        if len(parts) != 5:
            raise CronError(f"cron needs 5 fields (minute hour day month weekday), got {text!r}")
        fields = [_field(p, *spec) for p, spec in zip(parts, _FIELDS, strict=True)]
        weekdays = frozenset(d % 7 for d in fields[4])
        return cls(fields[0], fields[1], fields[2], fields[3], weekdays,
                   parts[2] == "*", parts[4] == "*")

    def _day_ok(self, when: datetime) -> bool:
        if when.month not in self.months:
            return False
        dom = when.day in self.days
        dow = (when.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:
            return dom and dow
        return dom or dow

    def next_after(self, after: datetime) -> datetime:
        """The first matching minute strictly after `after` (same timezone)."""
        when = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
        limit = when + timedelta(days=_SEARCH_DAYS)
        while when < limit:
            if not self._day_ok(when):
                when = (when + timedelta(days=1)).replace(hour=0, minute=0)
                continue
            if when.hour not in self.hours:
                when = (when + timedelta(hours=1)).replace(minute=0)
                continue
            if when.minute not in self.minutes:
                when += timedelta(minutes=1)
                continue
            return when
        raise CronError("this cron expression never matches")
