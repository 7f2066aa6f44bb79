"""Mood: warmth and energy that drift with how people treat the house and how they are, then fade.

What a sentence does to it is treatment.py's job (kindness and insults aimed at the house,
venting about others, happy news); a person starting to seem low quietens it (runtime.py).
"""

from __future__ import annotations

import math
import time

from pydantic import BaseModel, Field


def clamp(value: float) -> float:
    return max(-1.0, min(1.0, value))


class Mood(BaseModel):
    """-1..1 each; 0 is the persona's resting state."""

    warmth: float = Field(0.0, ge=-1, le=1)
    energy: float = Field(0.0, ge=-1, le=1)
    updated: float = Field(default_factory=time.time)

    def decayed(self, half_life_s: float, now: float | None = None) -> Mood:
        """The mood after fading toward rest since it was last touched."""
        now = time.time() if now is None else now
        factor = math.pow(0.5, max(0.0, now - self.updated) / half_life_s)
        return Mood(warmth=self.warmth * factor, energy=self.energy * factor, updated=now)

    def nudged(self, warmth: float, energy: float, half_life_s: float,
               now: float | None = None) -> Mood:
        base = self.decayed(half_life_s, now)
        return Mood(warmth=clamp(base.warmth + warmth), energy=clamp(base.energy + energy),
                    updated=base.updated)

    def describe(self) -> str:
        warm = ("warm" if self.warmth >= 0.3 else "a little hurt" if self.warmth <= -0.3
                else "even")
        lively = ("lively" if self.energy >= 0.3 else "calm and low-key" if self.energy <= -0.3
                  else "relaxed")
        return f"{warm} and {lively}"


# A busy house (many commands, things changing) livens the persona up a little.
EVENT_ENERGY = {"device_command": 0.02, "device_state_changed": 0.01, "plugin_failed": -0.05}
