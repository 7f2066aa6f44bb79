"""The home model: rooms and devices, populated by device plugins and read by the intent layer."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel, Field

from samantha.kinds import Kind


def slugify(text: str) -> str:
    """A stable id from a human name: 'Living Room' -> 'living_room'."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", norm.lower()).strip("_") or "x"


def normalize_name(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


class Floor(BaseModel):
    """A floor (storey) of the home: a place in its own right ("the lights on the first floor").

    `level` counts storeys from the ground floor (0): 1 is the floor above, -1 a basement. It
    gives "upstairs" (above ground) and "downstairs" (ground and below) their meaning unless a
    floor is called that itself.
    """

    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    level: int | None = None

    def names(self) -> list[str]:
        return [self.name, *self.aliases]


# Spoken floor words with a meaning from the levels, when no floor is called that.
RELATIVE_FLOORS: dict[str, Callable[[int], bool]] = {
    "upstairs": lambda level: level > 0,
    "downstairs": lambda level: level <= 0,
}


class Room(BaseModel):
    """A room (an area) of the home."""

    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    floor: str | None = None  # the name of its floor (Floor.name)

    def names(self) -> list[str]:
        return [self.name, *self.aliases]


class Device(BaseModel):
    """A device in the home as every plugin sees it, whatever backs it."""

    id: str
    name: str
    kind: Kind
    room: str | None = None
    aliases: list[str] = Field(default_factory=list)
    device_class: str | None = None
    capabilities: list[str] = Field(default_factory=list)
    state: dict[str, Any] = Field(default_factory=dict)
    provider: str = "virtual"
    available: bool = True
    sensitive: bool = False

    def names(self) -> list[str]:
        return [self.name, *self.aliases]


StateListener = Callable[[Device, dict[str, Any]], None]


class Home:
    """Rooms and devices keyed by id; notifies listeners when a device's state changes."""

    def __init__(self) -> None:
        self.rooms: dict[str, Room] = {}
        self.floors: dict[str, Floor] = {}
        self.devices: dict[str, Device] = {}
        self._listeners: list[StateListener] = []
        self.revision = 0

    def add_floor(self, floor: Floor) -> Floor:
        self.floors[floor.id] = floor
        self.revision += 1
        return floor

    def find_floor(self, name: str) -> Floor | None:
        """The floor called `name` (by id, name or alias)."""
        if name in self.floors:
            return self.floors[name]
        key = normalize_name(name)
        for floor in self.floors.values():
            if key in {normalize_name(n) for n in floor.names()}:
                return floor
        return None

    def add_room(self, room: Room) -> Room:
        """Add a room; its `floor` may name a floor, which is created if the home has none."""
        if room.floor is not None:
            floor = self.find_floor(room.floor) or self.add_floor(
                Floor(id=slugify(room.floor), name=room.floor))
            if room.floor != floor.name:
                room = room.model_copy(update={"floor": floor.name})
        self.rooms[room.id] = room
        self.revision += 1
        return room

    def ensure_room(self, name: str) -> Room:
        """The room called `name` (by id, name or alias), created if the home has none."""
        found = self.find_room(name)
        return found or self.add_room(Room(id=slugify(name), name=name))

    def add_device(self, device: Device) -> Device:
        if device.room is not None and device.room not in self.rooms:
            raise ValueError(f"device {device.id!r} is in unknown room {device.room!r}")
        self.devices[device.id] = device
        self.revision += 1
        return device

    def remove_device(self, device_id: str) -> None:
        if self.devices.pop(device_id, None) is not None:
            self.revision += 1

    def find_room(self, name: str) -> Room | None:
        key = normalize_name(name)
        for room in self.rooms.values():
            if room.id == name or key in {normalize_name(n) for n in room.names()}:
                return room
        return None

    def devices_in(self, room_id: str) -> list[Device]:
        return [d for d in self.devices.values() if d.room == room_id]

    def find_devices(self, name: str, room_id: str | None = None) -> list[Device]:
        key = normalize_name(name)
        return [
            d
            for d in self.devices.values()
            if key in {normalize_name(n) for n in d.names()}
            and (room_id is None or d.room == room_id)
        ]

    def on_state_change(self, listener: StateListener) -> None:
        self._listeners.append(listener)

    def update_state(self, device_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Merge `changes` into the device's state; listeners hear the old state."""
        device = self.devices[device_id]
        old = dict(device.state)
        device.state = {**old, **changes}
        if device.state != old:
            for listener in list(self._listeners):
                listener(device, old)
        return device.state

    def floors_called(self, name: str) -> list[Floor]:
        """The floors `name` means: one floor by name or alias, or "upstairs"/"downstairs"
        from the levels."""
        found = self.find_floor(name)
        if found is not None:
            return [found]
        relative = RELATIVE_FLOORS.get(normalize_name(name))
        if relative is None:
            return []
        return [f for f in self.floors.values() if f.level is not None and relative(f.level)]

    def rooms_on_floor(self, name: Any) -> list[Room]:
        """The rooms on the floor(s) called `name` (a floor slot's value, or a list of them)."""
        names = name if isinstance(name, (list, tuple, set)) else [name]
        called = {f.name for n in names if isinstance(n, str) for f in self.floors_called(n)}
        return [r for r in self.rooms.values() if r.floor in called]

    def floor_names(self) -> list[tuple[str, str]]:
        """(spoken text, slot value) for every floor name and alias, and for "upstairs" and
        "downstairs" when levels give them a meaning; the value is the floor's name."""
        said = [(n, f.name) for f in self.floors.values() for n in f.names()]
        taken = {normalize_name(n) for n, _ in said}
        for word in RELATIVE_FLOORS:
            if word not in taken and self.floors_called(word):
                said.append((word, word))
        return said

    def zone_names(self) -> list[tuple[str, str]]:
        """(spoken text, HA person state) for "is anyone home", "is Jane at work": home and
        away, and the zones the people of the home are in. A fixed list, not a wildcard: "is
        anyone busy on fridays" is no question about a zone."""
        zones = [("home", "home"), ("away", "not_home"), ("out", "not_home"),
                 ("not home", "not_home")]
        for device in self.devices.values():
            state = device.state.get("state") if device.kind is Kind.PERSON else None
            if isinstance(state, str) and state not in ("home", "not_home") and state.strip():
                zones.append((state.replace("_", " "), state))
        return zones

    def summary(self) -> Iterable[dict[str, Any]]:
        for d in self.devices.values():
            yield {"id": d.id, "name": d.name, "room": d.room, "kind": d.kind.value,
                   "state": d.state, "provider": d.provider, "available": d.available}
