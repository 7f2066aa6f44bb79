"""Samantha's own rooms as Home Assistant MQTT devices.

Per room: sensor "Last heard", sensor "Last reply" and switch "Microphone muted", all
available through `<base>/status`. Topics (room ids are slugs):

- `<base>/room/<room>/last_heard`, `<base>/room/<room>/last_reply` (retained state)
- `<base>/room/<room>/mic_muted` (retained "ON"/"OFF"), `<base>/room/<room>/mic_muted/set`
- `<prefix>/sensor/<base>_<room>/last_heard/config`, `.../last_reply/config`,
  `<prefix>/switch/<base>_<room>/mic_muted/config` (retained discovery)
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Awaitable, Callable

from pydantic import BaseModel, ConfigDict, Field

from samantha.plugins.mqtt.client import Message, MqttClient, MqttDisconnectedError
from samantha.plugins.mqtt.settings import MqttSettings

log = logging.getLogger(__name__)

MuteHandler = Callable[[str, bool], Awaitable[bool | None] | bool | None]
_STATE_MAX = 255  # HA rejects sensor states longer than this


class AnnouncedDevice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    identifiers: list[str]
    name: str
    manufacturer: str = "Samantha"
    model: str = "Room"
    suggested_area: str | None = None


class AnnouncedAvailability(BaseModel):
    model_config = ConfigDict(extra="forbid")

    topic: str
    payload_available: str = "online"
    payload_not_available: str = "offline"


class AnnouncedEntity(BaseModel):
    """A discovery payload Samantha publishes (full option names, no abbreviations)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    unique_id: str
    object_id: str
    state_topic: str
    command_topic: str | None = None
    payload_on: str | None = None
    payload_off: str | None = None
    icon: str | None = None
    device: AnnouncedDevice
    availability: list[AnnouncedAvailability] = Field(default_factory=list)
    qos: int = 1


def room_slug(room: str) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "_", room.casefold()).strip("_")
    return slug or "room"


def room_discovery(settings: MqttSettings, room: str) -> dict[str, AnnouncedEntity]:
    """Discovery config topic -> payload for one room."""
    slug = room_slug(room)
    base, node = settings.base_topic, f"{settings.base_topic}_{slug}"
    root = f"{base}/room/{slug}"
    device = AnnouncedDevice(identifiers=[node], name=f"Samantha {room}", suggested_area=room)
    avail = [AnnouncedAvailability(topic=settings.status_topic)]
    prefix = settings.discovery_prefix

    def entity(object_id: str, name: str, icon: str, **extra: str) -> AnnouncedEntity:
        return AnnouncedEntity(
            name=name,
            unique_id=f"{node}_{object_id}",
            object_id=f"{node}_{object_id}",
            state_topic=f"{root}/{object_id}",
            icon=icon,
            device=device,
            availability=avail,
            **extra,
        )

    return {
        f"{prefix}/sensor/{node}/last_heard/config": entity(
            "last_heard", "Last heard", "mdi:ear-hearing"
        ),
        f"{prefix}/sensor/{node}/last_reply/config": entity(
            "last_reply", "Last reply", "mdi:message-reply-text"
        ),
        f"{prefix}/switch/{node}/mic_muted/config": entity(
            "mic_muted",
            "Microphone muted",
            "mdi:microphone-off",
            command_topic=f"{root}/mic_muted/set",
            payload_on="ON",
            payload_off="OFF",
        ),
    }


class RoomAnnouncer:
    """Publishes the rooms' discovery and states; obeys the mute switches.

    `on_mute(room, muted)` must really mute/unmute the room's microphone; it may return
    False to refuse, and the switch state is published only after it succeeded.
    """

    def __init__(
        self, client: MqttClient, settings: MqttSettings, rooms: list[str], on_mute: MuteHandler
    ) -> None:
        self.client = client
        self.settings = settings
        self.rooms = list(rooms)
        self.on_mute = on_mute
        self.muted: dict[str, bool] = dict.fromkeys(self.rooms, False)
        self._texts: dict[tuple[str, str], str] = {}

    def _root(self, room: str) -> str:
        return f"{self.settings.base_topic}/room/{room_slug(room)}"

    async def start(self) -> None:
        for room in self.rooms:
            await self.client.subscribe(f"{self._root(room)}/mic_muted/set", self._on_set)
        self.client.add_connect_listener(self.publish_all)
        if self.client.connected:
            await self.publish_all()

    async def publish_all(self) -> None:
        """(Re)publish discovery and current states; runs after every reconnect."""
        try:
            for room in self.rooms:
                for topic, payload in room_discovery(self.settings, room).items():
                    await self.client.publish(
                        topic, payload.model_dump_json(exclude_none=True), retain=True
                    )
                await self._publish_muted(room)
                for (r, what), text in self._texts.items():
                    if r == room:
                        await self.client.publish(f"{self._root(room)}/{what}", text, retain=True)
        except MqttDisconnectedError:
            pass  # the next connection runs this again

    async def set_last_heard(self, room: str, text: str) -> None:
        await self._text(room, "last_heard", text)

    async def set_last_reply(self, room: str, text: str) -> None:
        await self._text(room, "last_reply", text)

    async def set_muted(self, room: str, muted: bool) -> None:
        """Report a mute change made elsewhere (voice command, button)."""
        self.muted[room] = muted
        await self._publish_muted(room)

    async def remove(self) -> None:
        """Withdraw the rooms from Home Assistant (empty retained configs)."""
        for room in self.rooms:
            for topic in room_discovery(self.settings, room):
                await self.client.publish(topic, b"", retain=True)

    async def _text(self, room: str, what: str, text: str) -> None:
        text = text if len(text) <= _STATE_MAX else text[: _STATE_MAX - 1] + "…"
        self._texts[(room, what)] = text
        if self.client.connected:
            await self.client.publish(f"{self._root(room)}/{what}", text, retain=True)

    async def _publish_muted(self, room: str) -> None:
        if self.client.connected:
            payload = "ON" if self.muted.get(room) else "OFF"
            await self.client.publish(f"{self._root(room)}/mic_muted", payload, retain=True)

    async def _on_set(self, message: Message) -> None:
        room = next(
            (r for r in self.rooms if message.topic == f"{self._root(r)}/mic_muted/set"), None
        )
        if room is None:
            return
        text = message.text.strip().upper()
        if text not in ("ON", "OFF"):
            log.warning("MQTT ignored mute command %r (topic %s)", text[:20], message.topic)
            return
        muted = text == "ON"
        result = self.on_mute(room, muted)
        if inspect.isawaitable(result):
            result = await result
        if result is False:
            log.warning("room %s refused to %s its microphone", room, "mute" if muted else "unmute")
        else:
            self.muted[room] = muted
        await self._publish_muted(room)
