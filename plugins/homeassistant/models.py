"""Typed views of what Home Assistant knows: areas, floors, entities, state changes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .mapping import NormalisedState, normalise_state
from .mapping_kinds import normalise_more


def fold(text: str) -> str:
    """Case/spacing-insensitive key, so "living_room" matches "Living Room"."""
    return " ".join(text.replace("_", " ").casefold().split())


class Area(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    floor_id: str | None = None


class Floor(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    level: int | None = None


class EntityState(BaseModel):
    """One HA state object, as found in `state_changed` events and `get_state`."""

    entity_id: str
    state: str
    attributes: dict[str, Any] = Field(default_factory=dict)
    last_changed: datetime | None = None
    last_updated: datetime | None = None

    @property
    def domain(self) -> str:
        return self.entity_id.partition(".")[0]

    def normalised(self, temperature_unit: str | None = None) -> NormalisedState:
        out = normalise_state(
            self.entity_id, self.state, self.attributes, temperature_unit=temperature_unit
        )
        normalise_more(self.domain, self.state, self.attributes, out)
        return out


class Entity(BaseModel):
    entity_id: str
    domain: str
    name: str  # friendly name as HA shows it
    aliases: list[str] = Field(default_factory=list)
    area_id: str | None = None  # the entity's own area, else its device's
    device_id: str | None = None
    device_class: str | None = None
    exposed: bool = False
    state: EntityState


class StateChange(BaseModel):
    entity_id: str
    old_state: EntityState | None  # None: the entity was just added
    new_state: EntityState | None  # None: the entity was removed
    time_fired: datetime | None = None


class Snapshot(BaseModel):
    ha_version: str
    temperature_unit: str | None = None
    floors_supported: bool = False  # HA < 2024.4 has no floor registry
    areas: list[Area] = Field(default_factory=list)
    floors: list[Floor] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)

    def entity(self, entity_id: str) -> Entity | None:
        return next((e for e in self.entities if e.entity_id == entity_id), None)

    def area(self, area_id: str) -> Area | None:
        return next((a for a in self.areas if a.id == area_id), None)

    def exposed_entities(self) -> list[Entity]:
        return [e for e in self.entities if e.exposed]

    def entities_in_area(self, area_id: str, *, exposed_only: bool = True) -> list[Entity]:
        return [
            e for e in self.entities if e.area_id == area_id and (e.exposed or not exposed_only)
        ]

    def area_for_room(self, room: str, mapping: Mapping[str, str] | None = None) -> Area | None:
        """The HA area behind a Samantha room: explicit mapping first, then name or alias."""
        wanted = fold(room)
        for samantha_room, target in (mapping or {}).items():
            if fold(samantha_room) == wanted:
                wanted = fold(target)
                break
        for area in self.areas:
            if fold(area.id) == wanted or fold(area.name) == wanted:
                return area
        for area in self.areas:
            if wanted in (fold(a) for a in area.aliases):
                return area
        return None
