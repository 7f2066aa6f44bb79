"""How each person seems: running estimates from what they say, kept across restarts.

Per known person (never a guest), in the persona's SQLite file (table `person_state`, one JSON
row per person):

- valence and energy: a running average of each conversational sentence's reading
  (feelings.py), fading toward neutral with `persona.feelings.half_life_hours`;
- terseness: how much shorter than their usual their recent sentences are (two running
  averages of words per sentence, a quick one against a slow one);
- when they last spoke, and at which hours they usually do (a 24-hour histogram).

The API for other parts of the persona (the proactive scheduler, benchmarks) is in care.py:
`person_state(house, person) -> PersonState | None`, and the bus event `PersonSeemsLow`
(events.py) published once when someone starts seeming low.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from samantha.plugins.people import clock
from samantha.plugins.people.tables import Tables

from .feelings import Reading, clamp

if TYPE_CHECKING:
    from .memory import MemoryStore
    from .writebehind import WriteBehind

SCHEMA = """
CREATE TABLE IF NOT EXISTS person_state (
    person TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    updated REAL NOT NULL
);
"""

QUICK = 0.4  # weight of a new sentence in the running valence/energy and recent length
SLOW = 0.08  # weight of a new sentence in the person's usual length
USUAL_WORDS = 7.0  # what "usual" is before we know them
LOW_VALENCE = -0.25
TERSE = 0.35  # terseness from which someone is "terse"
MIN_FOR_TERSE = 3  # sentences before terseness means anything
MIN_FOR_HOURS = 20  # sentences before "an unusual hour" means anything
UNUSUAL_SHARE = 0.05
LONG_SILENCE_S = 2 * 86400


class Tracked(BaseModel):
    """What is stored per person (the `data` column)."""

    valence: float = 0.0
    energy: float = 0.0
    words_recent: float = USUAL_WORDS
    words_usual: float = USUAL_WORDS
    readings: int = 0
    last_spoke: float | None = None
    previous_spoke: float | None = None  # the time before last: the silence they broke
    hours: list[int] = Field(default_factory=lambda: [0] * 24)
    low: bool = False
    updated: float = 0.0


@dataclass(frozen=True)
class PersonState:
    """How a person seems now. Read with `person_state(house, person)`."""

    person: str
    valence: float  # -1 unhappy .. 1 happy, faded toward 0 since they last spoke
    energy: float  # -1 drained .. 1 wound up
    terseness: float  # 0 as usual .. 1 far shorter than usual
    last_spoke: float | None  # epoch seconds
    silence_before_s: float | None  # the gap their latest sentence broke
    unusual_hour: bool  # speaking at an hour they rarely do
    readings: int
    low: bool

    def words(self) -> list[str]:
        """Plain words for how they seem: ["low", "terse"], ["cheerful"], []."""
        out = []
        if self.valence <= LOW_VALENCE:
            out.append("low")
        elif self.valence >= 0.35:
            out.append("cheerful")
        if self.energy <= -0.3:
            out.append("tired")
        elif self.energy >= 0.4:
            out.append("tense" if self.valence < 0 else "excited")
        if self.terseness >= TERSE and self.readings >= MIN_FOR_TERSE:
            out.append("terse")
        return out

    def guidance(self, name: str, now: float | None = None) -> str | None:
        """One sentence on how to speak to them, e.g. "Anna seems low and terse tonight: be
        gentle, one soft question, no jokes." None when nothing stands out."""
        seems = self.words()
        extra = []
        if self.unusual_hour:
            extra.append("is up at an hour they rarely talk to the house")
        if self.silence_before_s is not None and self.silence_before_s >= LONG_SILENCE_S:
            extra.append(f"has not spoken for {self.silence_before_s / 86400:.0f} days")
        if not seems and not extra:
            return None
        if "low" in seems or "tense" in seems:
            how = "be gentle, one soft question, no jokes"
        elif "tired" in seems:
            how = "keep it short and calm"
        elif "terse" in seems:
            how = "keep replies short and don't push"
        elif seems:
            how = "match their lightness; a light touch of humour is welcome"
        else:
            how = "be warm and unhurried"
        parts = []
        if seems:
            parts.append(f"seems {_and(seems)} {part_of_day(now)}")
        parts += extra
        return f"{name.title()} {_and(parts)}: {how}."

    def as_data(self, name: str, now: float | None = None) -> dict[str, Any]:
        """For HOUSE DATA."""
        now = clock.now() if now is None else now
        return {
            "valence": round(self.valence, 2), "energy": round(self.energy, 2),
            "terseness": round(self.terseness, 2), "seems": self.words(),
            "minutes_since_they_last_spoke": (None if self.silence_before_s is None
                                       else round(self.silence_before_s / 60)),
            "unusual_hour": self.unusual_hour,
            "tone_guidance": self.guidance(name, now),
        }


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def part_of_day(now: float | None = None) -> str:
    hour = datetime.fromtimestamp(clock.now() if now is None else now).hour
    if 5 <= hour < 12:
        return "this morning"
    if 12 <= hour < 17:
        return "this afternoon"
    if 17 <= hour < 21:
        return "this evening"
    return "tonight"


def _fade(value: float, since: float, half_life_s: float) -> float:
    return value * math.pow(0.5, max(0.0, since) / half_life_s)


class PersonStates(Tables):
    """The store: `observe` a sentence, read `state`. Opens its table on first use."""

    schema = SCHEMA

    def __init__(self, store: MemoryStore, half_life_hours: float = 8.0,
                 writer: WriteBehind | None = None) -> None:
        super().__init__(store)
        self.half_life_s = half_life_hours * 3600
        self.writer = writer  # None: every change is written at once
        self._cache: dict[str, Tracked] = {}

    def _row(self, person: str) -> Tracked | None:
        if person in self._cache:
            return self._cache[person].model_copy(deep=True)
        row = self.db.execute("SELECT data FROM person_state WHERE person = ?",
                              (person,)).fetchone()
        return Tracked.model_validate_json(row[0]) if row else None

    def _load(self, person: str) -> Tracked:
        return self._row(person) or Tracked()

    def _save(self, person: str, tracked: Tracked) -> None:
        self.db  # noqa: B018 - creates the table before any write
        sql = ("INSERT INTO person_state (person, data, updated) VALUES (?, ?, ?) "
               "ON CONFLICT(person) DO UPDATE SET data = excluded.data, "
               "updated = excluded.updated")
        args = (person, tracked.model_dump_json(), tracked.updated)
        if self.writer is None:
            with self.store.transaction() as db:
                db.execute(sql, args)
            return
        self._cache[person] = tracked.model_copy(deep=True)
        self.writer.write(sql, args)

    def _faded(self, tracked: Tracked, now: float) -> Tracked:
        since = now - tracked.updated if tracked.updated else 0.0
        faded = tracked.model_copy()
        faded.valence = _fade(tracked.valence, since, self.half_life_s)
        faded.energy = _fade(tracked.energy, since, self.half_life_s)
        # the recent length drifts back to their usual as the evening's mood fades
        gap = tracked.words_recent - tracked.words_usual
        faded.words_recent = tracked.words_usual + _fade(gap, since, self.half_life_s)
        return faded

    def observe(self, person: str, reading: Reading | None, *,
                now: float | None = None) -> tuple[PersonState, bool]:
        """Take in one sentence (or, with `reading` None, only that they spoke, e.g. a device
        command). Returns the new state and whether they have just started seeming low."""
        now = clock.now() if now is None else now
        tracked = self._faded(self._load(person), now)
        hour = datetime.fromtimestamp(now).hour
        tracked.hours[hour] += 1
        tracked.previous_spoke, tracked.last_spoke = tracked.last_spoke, now
        if reading is not None:
            self._take(tracked, reading)
        tracked.updated = now
        state = self._state(person, tracked, now)
        became_low = state.low and not tracked.low
        tracked.low = state.low
        self._save(person, tracked)
        return state, became_low

    @staticmethod
    def _take(tracked: Tracked, reading: Reading) -> None:
        weight = QUICK if reading.source != "model" else QUICK / 2
        tracked.valence = clamp((1 - weight) * tracked.valence + weight * reading.valence)
        tracked.energy = clamp((1 - weight) * tracked.energy + weight * reading.energy)
        if reading.words > 0:  # a model's judgement says nothing about length
            tracked.words_recent = (1 - QUICK) * tracked.words_recent + QUICK * reading.words
            tracked.words_usual = (1 - SLOW) * tracked.words_usual + SLOW * reading.words
            tracked.readings += 1

    def judge(self, person: str, reading: Reading, *, now: float | None = None) -> None:
        """The model's own judgement (an episode's mood word) blended in, at half weight."""
        now = clock.now() if now is None else now
        tracked = self._faded(self._load(person), now)
        self._take(tracked, reading)
        tracked.updated = now
        tracked.low = self._state(person, tracked, now).low
        self._save(person, tracked)

    def state(self, person: str, now: float | None = None) -> PersonState | None:
        """How they seem now; None if they have never spoken to the house."""
        now = clock.now() if now is None else now
        tracked = self._row(person)
        if tracked is None:
            return None
        return self._state(person, self._faded(tracked, now), now)

    @staticmethod
    def _state(person: str, tracked: Tracked, now: float) -> PersonState:
        usual = max(tracked.words_usual, 1.0)
        terseness = clamp(1.0 - tracked.words_recent / usual, 0.0, 1.0)
        total = sum(tracked.hours)
        hour = datetime.fromtimestamp(now).hour
        near = sum(tracked.hours[(hour + d) % 24] for d in (-1, 0, 1))
        unusual = total >= MIN_FOR_HOURS and near / total < UNUSUAL_SHARE
        silence = (tracked.last_spoke - tracked.previous_spoke
                   if tracked.last_spoke is not None and tracked.previous_spoke is not None
                   else None)
        enough = tracked.readings >= 2
        low = enough and (tracked.valence <= LOW_VALENCE or (
            tracked.valence <= -0.1 and terseness >= TERSE
            and tracked.readings >= MIN_FOR_TERSE))
        return PersonState(person=person, valence=tracked.valence, energy=tracked.energy,
                           terseness=terseness, last_spoke=tracked.last_spoke,
                           silence_before_s=silence, unusual_hour=unusual,
                           readings=tracked.readings, low=low)

    def forget(self, person: str) -> int:
        self.db  # noqa: B018 - creates the table before the write transaction
        if self.writer is not None:
            self.writer.flush()  # a queued write must not bring them back afterwards
        self._cache.pop(person, None)
        with self.store.transaction() as db:
            return db.execute("DELETE FROM person_state WHERE person = ?", (person,)).rowcount

    def export(self, person: str) -> dict[str, Any] | None:
        tracked = self._row(person)
        return json.loads(tracked.model_dump_json()) if tracked is not None else None

