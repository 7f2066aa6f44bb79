"""The small API other parts read to care for people (the proactive scheduler, benchmarks).

    person_state(house, "anna") -> PersonState | None   # valence, energy, terseness, last spoke
    relationship(house, "anna") -> Relationship          # familiarity, reply length, humour, ...

and the bus event `PersonSeemsLow` (events.py), published once when someone starts seeming low.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .person_state import PersonState
from .relationship import Relationship
from .runtime import runtime_of

if TYPE_CHECKING:
    from samantha.house import House


def person_state(house: House, person: str) -> PersonState | None:
    """How `person` seems now (None if they have never spoken to this house)."""
    return runtime_of(house).person_states.state(person)


def relationship(house: House, person: str, room: str | None = None) -> Relationship:
    """The relationship with `person` as it applies now, within the bounds of the persona
    that speaks with them (their preferred one, else the room's, else the default)."""
    rt = runtime_of(house)
    return rt.relationships.get(person, rt.persona_for(room or "", person))
