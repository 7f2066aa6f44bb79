"""The people plugin: the `people:` config section, presence, learning voices, episodes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from samantha import hookimpl
from samantha.references import References

from .settings import PeopleSection

if TYPE_CHECKING:
    from samantha.house import House
    from samantha.intent_handling import IntentHandler


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


@hookimpl
def samantha_startup(house: House) -> None:
    from .presence import presence_of

    presence_of(house).start()


@hookimpl
def samantha_shutdown(house: House) -> None:
    from .presence import forget_presence

    forget_presence(house)


@hookimpl
def samantha_sentences(house: House, language: str) -> dict[str, Any] | None:
    from . import recall_intents
    from .enrollment import sentences

    found = sentences(house, language)
    if found is not None:  # English only so far, as enrollment
        extra = recall_intents.sentences()
        found["intents"].update(extra["intents"])
        found["lists"].update(extra["lists"])
    return found


@hookimpl
def samantha_intent_handlers(house: House) -> dict[str, IntentHandler]:
    from . import enrollment, recall_intents

    return {**enrollment.HANDLERS, **recall_intents.HANDLERS}
