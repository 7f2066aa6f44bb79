"""Which room a Wyoming request comes from.

Home Assistant sends no area with a transcript, at most a `satellite_id` / `device_id` in its
context (and only newer releases). In order: the `wyoming.server.rooms` map, Home Assistant's
device registry (through the Home Assistant plugin, when configured), the room an earlier turn
of the same `conversation_id` was placed in, then the assumed default room, which is logged
once per client and named in the reply's context.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from samantha.house import House

    from .settings import ServerSettings

log = logging.getLogger(__name__)

MAX_CONVERSATIONS = 1024
HA_DEVICES_TTL_S = 60.0
HA_MISS_REFRESH_S = 5.0
DEVICE_KEYS = ("satellite_id", "device_id")


@dataclass(frozen=True, slots=True)
class Placement:
    room: str
    source: str  # config, homeassistant, conversation, context, assumed
    key: str | None = None


class HaDeviceAreas:
    """device_id -> Samantha room id, read from HA's device registry via the HA plugin."""

    def __init__(self, house: House) -> None:
        self.house = house
        self._rooms: dict[str, str] = {}
        self._read_at = -HA_DEVICES_TTL_S
        self._lock = asyncio.Lock()

    def _provider(self) -> Any:
        return self.house.providers.get("homeassistant")

    async def room_of(self, device_id: str) -> str | None:
        provider = self._provider()
        if provider is None:
            return None
        async with self._lock:
            age = time.monotonic() - self._read_at
            # An unknown id may be a device added since the last read, but ids come from the
            # network: a client inventing them may not make us re-read the registry each time.
            if age > HA_DEVICES_TTL_S or (device_id not in self._rooms
                                          and age > HA_MISS_REFRESH_S):
                await self._refresh(provider)
        return self._rooms.get(device_id)

    async def _refresh(self, provider: Any) -> None:
        from samantha.plugins.homeassistant.rooms import apply_areas

        link = provider.link
        self._read_at = time.monotonic()
        try:
            # The HA plugin has no public call for the device registry; its raw websocket
            # command helper is the one it uses for the other registries.
            async with link._open_ws("reading the device registry") as ws:
                rows = await link._command(ws, "config/device_registry/list")
        except Exception as err:
            log.warning("wyoming: cannot read Home Assistant's device registry: %s", err)
            return
        snapshot = link.snapshot
        if snapshot is None:
            return
        area_rooms = apply_areas(self.house.home, snapshot, provider.settings.rooms)
        self._rooms = {row["id"]: area_rooms[row["area_id"]] for row in rows
                       if isinstance(row, dict) and row.get("area_id") in area_rooms}


class RoomResolver:
    def __init__(self, house: House, settings: ServerSettings) -> None:
        self.house = house
        self.settings = settings
        self.ha = HaDeviceAreas(house)
        self._conversations: OrderedDict[str, str] = OrderedDict()
        self._warned: set[str] = set()

    def default_room(self) -> str:
        if self.settings.default_room:
            return self.house.room(self.settings.default_room).id
        rooms = list(self.house.home.rooms.values())
        if not rooms:
            raise RuntimeError("this home has no rooms")
        return rooms[0].id

    def _known(self, name: object) -> str | None:
        if not isinstance(name, str) or not name:
            return None
        room = self.house.home.find_room(name)
        return room.id if room is not None else None

    async def place(self, context: dict[str, Any], conversation_id: str | None,
                    client: str) -> Placement:
        for key in DEVICE_KEYS:
            value = context.get(key)
            if not isinstance(value, str) or not value:
                continue
            mapped = self._known(self.settings.rooms.get(value))
            if mapped:
                return self.remember(conversation_id, Placement(mapped, "config", value))
            from_ha = await self.ha.room_of(value)
            if from_ha and self._known(from_ha):
                return self.remember(conversation_id, Placement(from_ha, "homeassistant", value))
        named = self._known(context.get("room"))
        if named:
            return self.remember(conversation_id, Placement(named, "context"))
        if conversation_id and conversation_id in self._conversations:
            self._conversations.move_to_end(conversation_id)
            return Placement(self._conversations[conversation_id], "conversation")
        room = self.default_room()
        if client not in self._warned:
            self._warned.add(client)
            log.warning("wyoming: %s says nothing that places it in a room (no satellite_id "
                        "or device_id that wyoming.server.rooms or Home Assistant knows); "
                        "assuming the %s", client, room)
        return self.remember(conversation_id, Placement(room, "assumed"))

    def remember(self, conversation_id: str | None, placement: Placement) -> Placement:
        if conversation_id:
            self._conversations[conversation_id] = placement.room
            self._conversations.move_to_end(conversation_id)
            while len(self._conversations) > MAX_CONVERSATIONS:
                self._conversations.popitem(last=False)
        return placement
