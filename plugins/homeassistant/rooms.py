"""Home Assistant areas (and their floors) as rooms of Samantha's home."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from samantha.home import Floor, Home, Room, normalize_name, slugify

from .models import Area, Snapshot

log = logging.getLogger(__name__)


def _room_for(home: Home, names: list[str]) -> Room | None:
    for name in names:
        found = home.find_room(name)
        if found is not None:
            return found
    return None


def _merge(home: Home, room: Room, area: Area, floor: str | None) -> Room:
    """Add HA's aliases and floor to a room without overriding what the config said."""
    known = {normalize_name(n) for n in room.names()}
    extra = [a for a in [area.name, *area.aliases] if normalize_name(a) not in known]
    if not extra and (room.floor or not floor):
        return room
    # Only rewriting the room when something is new keeps the home's revision (and so the
    # compiled recognizer) stable across resyncs that change nothing.
    updated = room.model_copy(update={"aliases": [*room.aliases, *extra],
                                      "floor": room.floor or floor})
    return home.add_room(updated)


def apply_areas(
    home: Home, snapshot: Snapshot, explicit: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Make sure every HA area has a room; return HA area id -> Samantha room id.

    An area belongs to the room the `rooms:` mapping ties it to, else to the room with its name
    or one of its aliases, else to a new room whose id is the slug of the area's name (so HA's
    "Living Room" is `living_room`).
    """
    floors = {f.id: f.name for f in snapshot.floors}
    for floor_row in snapshot.floors:  # with their levels, for "upstairs" and "downstairs"
        if home.find_floor(floor_row.name) is None:
            home.add_floor(Floor(id=slugify(floor_row.name), name=floor_row.name,
                                 aliases=list(floor_row.aliases), level=floor_row.level))
    mapped: dict[str, str] = {}
    for room_name, target in (explicit or {}).items():
        area = snapshot.area_for_room(target)
        if area is None:
            log.warning("homeassistant.rooms: %r -> %r: Home Assistant has no such area; "
                        "areas are %s", room_name, target,
                        ", ".join(sorted(a.name for a in snapshot.areas)) or "none")
            continue
        mapped[area.id] = room_name
    result: dict[str, str] = {}
    for area in snapshot.areas:
        floor = floors.get(area.floor_id or "")
        if area.id in mapped:
            name = mapped[area.id]
            room = home.find_room(name) or home.add_room(Room(id=slugify(name), name=name))
        else:
            room = _room_for(home, [area.name, *area.aliases]) or home.add_room(
                Room(id=slugify(area.name), name=area.name, aliases=list(area.aliases),
                     floor=floor))
        result[area.id] = _merge(home, room, area, floor).id
    return result
