"""The `care:` config section: speaking first and learning habits."""

from __future__ import annotations

from pydantic import Field, field_validator

from samantha.config import Section


def _clock(value: str) -> str:
    try:
        hour, minute = (int(p) for p in value.split(":"))
    except ValueError:
        raise ValueError(f"{value!r} is not a time of day (HH:MM)") from None
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ValueError(f"{value!r} is not a time of day (HH:MM)")
    return f"{hour:02d}:{minute:02d}"


class Presence(Section):
    """A device that says whether a person is home (a phone tracker, a presence sensor)."""

    device: str = Field(description="Device id or name; on/home means the person is home.")
    room: str = Field(description="Where they are when they arrive (welcome home is said there).")


class SpeakFirst(Section):
    """When the house starts a conversation, and how often."""

    enabled: bool = Field(True, description="false: the house never speaks first.")
    daily_budget: int = Field(3, ge=0, le=50,
                              description="Things the house raises per person per day.")
    snooze_minutes: float = Field(60, gt=0, description="How long 'not now' holds a kind back.")
    answer_seconds: float = Field(120, gt=0,
                                  description="How long a yes/no/not now answers what was said.")
    morning: tuple[str, str] = Field(("06:30", "11:00"),
                                     description="When a check-in after a low evening is said.")
    evening: tuple[str, str] = Field(("17:00", "03:00"),
                                     description="What counts as the evening before.")
    present_minutes: float = Field(30, gt=0,
                                   description="Heard in a room this recently: still there.")
    silence_hours: float = Field(24, gt=0, description="Not heard for this long while home.")
    presence: dict[str, Presence] = Field(default_factory=dict,
                                          description="Person -> the device saying they're home.")

    @field_validator("morning", "evening")
    @classmethod
    def _times(cls, value: tuple[str, str]) -> tuple[str, str]:
        return (_clock(value[0]), _clock(value[1]))


class Habits(Section):
    """Learning what people do at the same time every day, and offering to do it."""

    enabled: bool = Field(True, description="false: nothing is logged, learned or suggested.")
    keep_days: int = Field(28, ge=7, le=365, description="How long interactions are kept.")
    window_minutes: int = Field(30, ge=5, le=180,
                                description="How close in time counts as 'the same time'.")
    min_days: int = Field(4, ge=2, le=7, description="Days of a week it must happen on.")
    follow_seconds: int = Field(120, ge=10, le=3600,
                                description="'Always follows' means within this long.")
    night_check: str = Field("01:00", description="When devices left on are noted.")

    @field_validator("night_check")
    @classmethod
    def _night(cls, value: str) -> str:
        return _clock(value)


class CareSection(Section):
    """What the house does on its own: speaking first and learning habits (docs/care.md)."""

    speak_first: SpeakFirst = Field(default_factory=SpeakFirst,
                                    description="Check-ins, follow-ups, welcome home.")
    habits: Habits = Field(default_factory=Habits,
                           description="Routines noticed and offered as automations.")
