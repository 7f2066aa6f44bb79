"""The people plugin: the `people:` config section and the `samantha people` commands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from samantha import hookimpl
from samantha.references import References

from .settings import PeopleSection

if TYPE_CHECKING:
    pass


@hookimpl
def samantha_config_sections() -> dict[str, type[BaseModel]]:
    return {"people": PeopleSection}


@hookimpl
def samantha_config_references(config: Any) -> References | None:
    """People are declared here; their usual rooms and preferred persona must exist."""
    section: PeopleSection | None = getattr(config, "people", None)
    if section is None:
        return None
    found = References()
    found.declares_kind("person")
    for name, person in section.root.items():
        found.declare("person", name, *person.aliases)
        found.refer("persona", person.persona, ("people", name, "persona"))
        found.refer_all("room", person.rooms, ("people", name, "rooms"))
    return found


