"""A persona that grows: the relationship with each person, changed by their feedback.

Per known person (never a guest), in the persona's SQLite file:

- `relationship`: one JSON row per person: familiarity (grows with every conversation and each
  new day they talk), preferred reply length, humour, what they asked the house not to do, and
  replies they laughed at (shared references, running jokes);
- `relationship_events`: every change with its reason ("said 'you talk too much'"), shown by
  `samantha persona status --person P`.

What is stored is what people asked for; the persona file's `growth:` bounds (profile.py) are
applied whenever it is used, so an owner who tightens them is obeyed at once, and the stored
wish comes back if they loosen them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from samantha.plugins.people import clock
from samantha.plugins.people.tables import Tables

from .feedback import Feedback
from .profile import VERBOSITIES, VERBOSITY_WORDS, PersonaProfile, Verbosity

if TYPE_CHECKING:
    from .memory import MemoryStore
    from .writebehind import WriteBehind

SCHEMA = """
CREATE TABLE IF NOT EXISTS relationship (
    person TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS relationship_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person TEXT NOT NULL,
    at REAL NOT NULL,
    what TEXT NOT NULL,
    before TEXT,
    after TEXT,
    reason TEXT NOT NULL
);
"""

# The reply length limit (max_tokens) once a person has asked for a length.
TOKENS: dict[Verbosity, int] = {"terse": 60, "brief": 120, "normal": 200, "chatty": 300}
PER_TURN = 0.01  # familiarity from one conversational exchange
PER_DAY = 0.04  # ... and from each new day they talk to the house
HUMOUR_STEP = 0.1
KEEP = 8  # dislikes and shared references kept (oldest go first)
BANDS = [(0.15, "new to each other"), (0.4, "getting to know each other"),
         (0.7, "know each other well"), (1.01, "close")]


class Stored(BaseModel):
    """What people asked for, before the owner's bounds."""

    familiarity: float = 0.0
    length: int | None = None  # index into VERBOSITIES; None: the persona's own
    humour: float | None = None  # None: the persona's own
    shorter_asks: int = 0
    longer_asks: int = 0
    laughs: int = 0
    no_joke_asks: int = 0
    dislikes: list[str] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)
    last_day: str | None = None
    turns: int = 0


@dataclass(frozen=True)
class Relationship:
    """The relationship as it applies now, with the persona's bounds.
    Read with `care.relationship(house, person)`."""

    person: str
    familiarity: float
    verbosity: Verbosity
    humour: float
    shorter_asks: int
    longer_asks: int
    laughs: int
    no_joke_asks: int
    dislikes: tuple[str, ...]
    references: tuple[str, ...]
    length_set: bool  # they asked for a length (the reply limit follows it)
    turns: int

    def band(self) -> str:
        return next(name for limit, name in BANDS if self.familiarity < limit)

    def max_tokens(self, ceiling: int) -> int:
        return min(ceiling, TOKENS[self.verbosity]) if self.length_set else ceiling

    def system_lines(self, name: str) -> list[str]:
        """Our own words for the system prompt (numbers and fixed phrases only: what people
        said, their dislikes and shared jokes, go in HOUSE DATA)."""
        who = name.title()
        lines = [f"With {who} ({self.band()}, familiarity {self.familiarity:.2f}):"]
        asks = []
        if self.shorter_asks:
            asks.append(f"asked for shorter replies {_times(self.shorter_asks)}")
        if self.longer_asks:
            asks.append(f"asked for more {_times(self.longer_asks)}")
        if asks:
            lines.append(f"- {who} {' and '.join(asks)}: keep to "
                         f"{VERBOSITY_WORDS[self.verbosity]}.")
        if self.humour <= 0.1:
            why = f" ({who} asked you to stop joking)" if self.no_joke_asks else ""
            lines.append(f"- No jokes with {who}{why}.")
        elif self.humour >= 0.6:
            lines.append(f"- {who} enjoys your humour (laughed {_times(self.laughs)}): a light "
                         "joke is welcome when the moment allows.")
        else:
            lines.append(f"- Humour with {who}: {self.humour:.1f} of 1; only a light touch.")
        if self.familiarity >= 0.4:
            lines.append(f"- You know {who}: be informal and refer back to shared moments "
                         "(HOUSE DATA relationship) when it fits.")
        else:
            lines.append(f"- You are still getting to know {who}: friendly, not overfamiliar.")
        if self.dislikes:
            lines.append(f"- {who} asked you not to do some things: see HOUSE DATA "
                         "relationship.asked_you_not_to, and respect them.")
        return lines

    def as_data(self) -> dict[str, Any]:
        """For HOUSE DATA: the untrusted parts (their words, the replies they laughed at)."""
        return {"familiarity": round(self.familiarity, 2), "reply_length": self.verbosity,
                "humour": round(self.humour, 2), "asked_you_not_to": list(self.dislikes),
                "shared_references": list(self.references)}


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


@dataclass
class Change:
    what: str
    before: str | None
    after: str | None
    reason: str


class Relationships(Tables):
    """The store. `feedback` and `spoke` change it (logging each change), `get` reads it."""

    schema = SCHEMA

    def __init__(self, store: MemoryStore, writer: WriteBehind | None = None) -> None:
        super().__init__(store)
        self.writer = writer  # None: every change is written at once
        self._cache: dict[str, Stored] = {}

    def _row(self, person: str) -> Stored | None:
        if person in self._cache:
            return self._cache[person].model_copy(deep=True)
        row = self.db.execute("SELECT data FROM relationship WHERE person = ?",
                              (person,)).fetchone()
        return Stored.model_validate_json(row[0]) if row else None

    def _load(self, person: str) -> Stored:
        return self._row(person) or Stored()

    def _save(self, person: str, stored: Stored, changes: list[Change]) -> None:
        self.db  # noqa: B018 - creates the tables before any write
        now = clock.now()
        writes: list[tuple[str, tuple[Any, ...]]] = [(
            "INSERT INTO relationship (person, data, updated) VALUES (?, ?, ?) "
            "ON CONFLICT(person) DO UPDATE SET data = excluded.data, "
            "updated = excluded.updated", (person, stored.model_dump_json(), now))]
        writes += [("INSERT INTO relationship_events (person, at, what, before, after, reason) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (person, now, c.what, c.before, c.after, c.reason)) for c in changes]
        if self.writer is None:
            with self.store.transaction() as db:
                for sql, args in writes:
                    db.execute(sql, args)
            return
        self._cache[person] = stored.model_copy(deep=True)
        for sql, args in writes:
            self.writer.write(sql, args)

    def get(self, person: str, persona: PersonaProfile) -> Relationship:
        return bounded(person, self._load(person), persona)

    def spoke(self, person: str, persona: PersonaProfile) -> None:
        """One conversational exchange: they get to know each other a little better."""
        stored = self._load(person)
        before = bounded(person, stored, persona).band()
        today = datetime.fromtimestamp(clock.now()).strftime("%Y-%m-%d")
        gain = PER_TURN + (PER_DAY if stored.last_day != today else 0.0)
        stored.familiarity = min(1.0, stored.familiarity + gain)
        stored.last_day, stored.turns = today, stored.turns + 1
        after = bounded(person, stored, persona).band()
        changes = [Change("familiarity", before, after,
                          f"talked with the house {_times(stored.turns)}")
                   ] if after != before else []
        self._save(person, stored, changes)

    def feedback(self, person: str, persona: PersonaProfile, said: list[Feedback],
                 last_reply: str | None) -> list[Change]:
        """Apply what they said about how the house talks; returns the changes made."""
        growth = persona.growth
        if not said or not growth.enabled:
            return []
        stored = self._load(person)
        was = bounded(person, stored, persona)
        changes: list[Change] = []
        for item in said:
            changes += self._apply(stored, persona, item, last_reply)
        now = bounded(person, stored, persona)
        for change in changes:  # say when the owner's bounds held it back
            if change.what == "reply length" and now.verbosity == was.verbosity and \
                    change.before != change.after:
                change.reason += f" (held at the owner's limit: {growth.shortest}.." \
                                 f"{growth.longest})"
            if change.what == "humour" and round(now.humour, 2) == round(was.humour, 2):
                change.reason += f" (held at the owner's limit: {growth.humour_min:g}.." \
                                 f"{growth.humour_max:g})"
        self._save(person, stored, changes)
        return changes

    @staticmethod
    def _apply(stored: Stored, persona: PersonaProfile, item: Feedback,
               last_reply: str | None) -> list[Change]:
        growth = persona.growth
        own = VERBOSITIES.index(persona.verbosity)
        if item.kind in {"shorter", "longer"}:
            before = stored.length if stored.length is not None else own
            step = -1 if item.kind == "shorter" else 1
            stored.length = max(0, min(len(VERBOSITIES) - 1, before + step))
            if item.kind == "shorter":
                stored.shorter_asks += 1
            else:
                stored.longer_asks += 1
            same = " (already as far as it goes)" if stored.length == before else ""
            return [Change("reply length", VERBOSITIES[before], VERBOSITIES[stored.length],
                           item.reason + same)]
        if item.kind in {"funny", "no_jokes"}:
            before_h = stored.humour if stored.humour is not None else persona.humour
            if item.kind == "funny":
                stored.humour = min(1.0, before_h + HUMOUR_STEP)
                stored.laughs += 1
            else:
                stored.humour = 0.0
                stored.no_joke_asks += 1
            changes = [Change("humour", f"{before_h:.1f}", f"{stored.humour:.1f}", item.reason)]
            if item.kind == "funny" and last_reply and growth.shared_references:
                reference = " ".join(last_reply.split())[:160]
                if reference not in stored.references:
                    stored.references = [*stored.references, reference][-KEEP:]
                    changes.append(Change("shared reference", None, reference,
                                          f"{item.reason} after it"))
            return changes
        if item.kind == "dislike" and growth.remember_dislikes and item.what:
            if item.what in stored.dislikes:
                return []
            stored.dislikes = [*stored.dislikes, item.what][-KEEP:]
            return [Change("dislike", None, item.what, item.reason)]
        return []

    def events(self, person: str, limit: int = 50) -> list[dict[str, Any]]:
        if self.writer is not None:
            self.writer.flush()  # queued events are part of the story
        rows = self.db.execute("SELECT at, what, before, after, reason FROM relationship_events "
                               "WHERE person = ? ORDER BY id DESC LIMIT ?", (person, limit))
        return [{"at": r[0], "what": r[1], "before": r[2], "after": r[3], "reason": r[4]}
                for r in rows][::-1]

    def people(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT person FROM relationship ORDER BY person")]

    def forget(self, person: str) -> int:
        self.db  # noqa: B018 - creates the tables before the write transaction
        if self.writer is not None:
            self.writer.flush()  # a queued write must not bring them back afterwards
        self._cache.pop(person, None)
        with self.store.transaction() as db:
            return sum(db.execute(f"DELETE FROM {table} WHERE person = ?", (person,)).rowcount
                       for table in ("relationship", "relationship_events"))

    def export(self, person: str) -> dict[str, Any]:
        stored = self._row(person)
        return {"relationship": stored.model_dump() if stored is not None else None,
                "relationship_events": self.events(person, limit=10_000)}


def bounded(person: str, stored: Stored, persona: PersonaProfile) -> Relationship:
    """What they asked for, within the persona's `growth` bounds."""
    growth = persona.growth
    own = VERBOSITIES.index(persona.verbosity)
    if not growth.enabled:
        length, humour, familiarity = own, persona.humour, 0.0
    else:
        low, high = VERBOSITIES.index(growth.shortest), VERBOSITIES.index(growth.longest)
        wanted = stored.length if stored.length is not None else own
        length = max(min(low, high), min(max(low, high), wanted))
        wanted_h = stored.humour if stored.humour is not None else persona.humour
        humour = max(growth.humour_min, min(growth.humour_max, wanted_h))
        familiarity = min(growth.max_familiarity, stored.familiarity)
    return Relationship(
        person=person, familiarity=familiarity, verbosity=VERBOSITIES[length], humour=humour,
        shorter_asks=stored.shorter_asks, longer_asks=stored.longer_asks, laughs=stored.laughs,
        no_joke_asks=stored.no_joke_asks, dislikes=tuple(stored.dislikes),
        references=tuple(stored.references),
        length_set=growth.enabled and stored.length is not None, turns=stored.turns)
