"""The `people:` config section: the people of the house, as the persona knows them."""

from __future__ import annotations

from pydantic import Field, RootModel

from samantha.config import Section


class Person(Section):
    """One person of the house. The key in `people:` is their name."""

    aliases: list[str] = Field(default_factory=list,
                               description="Other names they go by, e.g. [mum, annie].")
    voice: str | None = Field(None, description="Voice profile file (from `samantha people "
                              "enroll`); relative to the config file.")
    persona: str | None = Field(None, description="The persona this person prefers.")
    rooms: list[str] = Field(default_factory=list, description="Rooms they are usually in. "
                             "Where exactly one person is usual, they are assumed to be speaking "
                             "when the voice does not say otherwise.")
    presence: list[str] = Field(
        default_factory=list, description="Devices that say whether they are home: `person` "
        "devices (Home Assistant person entities, virtual or MQTT), by id or name. Default: a "
        "person device named like them (their name or an alias).")


class PeopleSection(RootModel[dict[str, Person]]):
    """name -> person."""

    root: dict[str, Person] = Field(default_factory=dict)
