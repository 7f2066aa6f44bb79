"""Times of day for triggers and conditions: "07:30", "22:00:15", "sunset", "sunrise-00:30"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

from samantha.plugins.automations.spec import parse_duration
from samantha.plugins.automations.sun import sun_event

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_SUN = re.compile(r"^(sunrise|sunset)\s*(?:([+-])\s*(.+))?$")


@dataclass(frozen=True)
class TimeOfDay:
    """A clock time, or a sun event with an offset in seconds."""

    source: str
    clock: time | None = None
    sun: str | None = None
    offset: float = 0.0

    @classmethod
    def parse(cls, value: Any) -> TimeOfDay:
        if isinstance(value, TimeOfDay):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            # YAML 1.1 readers turn 07:30 into 450 (sexagesimal): take it as minutes.
            value = f"{value // 60:02d}:{value % 60:02d}"
        if not isinstance(value, str):
            raise ValueError("a time of day is text like '07:30', 'sunset' or 'sunrise+00:30'")
        text = value.strip().lower()
        match = _CLOCK.match(text)
        if match:
            hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
            if hour > 23 or minute > 59 or second > 59:
                raise ValueError(f"{value!r} is not a time of day")
            return cls(value, clock=time(hour, minute, second))
        match = _SUN.match(text)
        if match:
            offset = parse_duration(match[3]) if match[3] else 0.0
            return cls(value, sun=match[1], offset=-offset if match[2] == "-" else offset)
        raise ValueError(f"{value!r} is not a time of day like '07:30', 'sunset' or "
                         "'sunrise+00:30'")

    def on(self, day: date, tz: tzinfo | None, location: tuple[float, float] | None
           ) -> datetime | None:
        """This time on `day`, or None when the sun does not rise or set that day."""
        if self.clock is not None:
            return datetime.combine(day, self.clock, tzinfo=tz)
        if location is None:
            raise ValueError(f"{self.source!r} needs the home's location: set latitude and "
                             "longitude under automation_settings")
        assert self.sun is not None
        event = sun_event(day, self.sun, location[0], location[1], tz)
        return None if event is None else event + timedelta(seconds=self.offset)

    def next_after(self, now: datetime, location: tuple[float, float] | None) -> datetime:
        for days in range(0, 370):
            when = self.on(now.date() + timedelta(days=days), now.tzinfo, location)
            if when is not None and when > now:
                return when
        raise ValueError(f"{self.source!r} does not happen within a year here")


TimeOfDayField = Annotated[
    TimeOfDay,
    BeforeValidator(TimeOfDay.parse),
    PlainSerializer(lambda t: t.source),
    WithJsonSchema({"type": "string"}),
]
