"""Ties the house's rooms to their MQTT entities: last heard, last reply, microphone muted.

The house's bus drives the sensors; the muted switch is two-way: a switch flipped in Home
Assistant really mutes the room (`house.set_muted`), and a room muted any other way (a button,
a voice command) shows up on the switch.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from samantha.events import ReplySpoken, RoomActivityChanged, UtteranceHeard
from samantha.plugins.mqtt.announce import RoomAnnouncer
from samantha.plugins.mqtt.client import MqttClient, MqttError
from samantha.plugins.mqtt.settings import MqttSettings

if TYPE_CHECKING:
    from samantha.house import House

log = logging.getLogger(__name__)


class RoomBridge:
    def __init__(self, house: House, client: MqttClient, settings: MqttSettings) -> None:
        self.house = house
        # The announcer speaks room names (they become HA device names and areas).
        self.names = {room.id: room.name for room in house.home.rooms.values()}
        self.announcer = RoomAnnouncer(client, settings, list(self.names.values()), self._mute)
        for room_id, name in self.names.items():
            self.announcer.muted[name] = room_id in house.muted
        self._unsubscribe: list[Callable[[], None]] = []

    async def start(self) -> None:
        bus = self.house.bus
        self._unsubscribe = [
            bus.subscribe(UtteranceHeard, self._heard),
            bus.subscribe(ReplySpoken, self._replied),
            bus.subscribe(RoomActivityChanged, self._activity),
        ]
        await self.announcer.start()

    def stop(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []

    async def _mute(self, room: str, muted: bool) -> None:
        await self.house.set_muted(room, muted)

    async def _heard(self, event: UtteranceHeard) -> None:
        name = self.names.get(event.room)
        if name is not None:
            await self._safely(self.announcer.set_last_heard(name, event.text))

    async def _replied(self, event: ReplySpoken) -> None:
        name = self.names.get(event.room)
        if name is not None:
            await self._safely(self.announcer.set_last_reply(name, event.text))

    async def _activity(self, event: RoomActivityChanged) -> None:
        name = self.names.get(event.room)
        if name is not None and self.announcer.muted.get(name) != event.muted:
            await self._safely(self.announcer.set_muted(name, event.muted))

    async def _safely(self, publishing: Awaitable[None]) -> None:
        try:
            await publishing
        except MqttError as exc:
            # The announcer republishes everything on reconnect; nothing is lost by skipping.
            log.debug("MQTT room update not sent: %s", exc)
