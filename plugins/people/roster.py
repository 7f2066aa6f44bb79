"""The people of a house: the `people:` section plus the older `persona.people` entries it does
not name, and lookups by name or alias."""

from __future__ import annotations

from typing import TYPE_CHECKING

from samantha.home import normalize_name

from .settings import Person

if TYPE_CHECKING:
    from samantha.house import House


def people_of(house: House) -> dict[str, Person]:
    section = house.section("people")
    merged: dict[str, Person] = dict(section.root) if section is not None else {}
    persona = house.section("persona")
    for name, legacy in (persona.people.items() if persona is not None else ()):
        merged.setdefault(name, Person(persona=legacy.persona, rooms=legacy.rooms))
    return merged


def names_of(name: str, person: Person) -> set[str]:
    """Every normalised name a person goes by."""
    return {normalize_name(n) for n in (name, *person.aliases)} - {""}


def find_person(house: House, said: str) -> str | None:
    """The person called `said` (their name or an alias), or None."""
    key = normalize_name(said)
    for name, person in people_of(house).items():
        if key in names_of(name, person):
            return name
    return None


def usual_people(house: House, room_id: str) -> list[str]:
    """The people configured as usually being in a room."""
    out = []
    for name, person in people_of(house).items():
        for where in person.rooms:
            found = house.home.find_room(where)
            if (found.id if found is not None else normalize_name(where)) == room_id:
                out.append(name)
                break
    return out
