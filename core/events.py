"""Typed events carried on the bus and, serialised, over the wire.

Every event has a literal `type`, so `parse_event` can rebuild the right class from JSON.
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class BaseEvent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    timestamp: float = Field(default_factory=time.time)


class UtteranceHeard(BaseEvent):
    """Someone said (or typed) a sentence in a room."""

    type: Literal["utterance_heard"] = "utterance_heard"
    room: str
    text: str
    confidence: float | None = None


class IntentRecognized(BaseEvent):
    """The intent layer understood an utterance."""

    type: Literal["intent_recognized"] = "intent_recognized"
    room: str
    text: str
    intent: str
    slots: dict[str, Any] = Field(default_factory=dict)


class IntentNotRecognized(BaseEvent):
    """Nothing the house knows matched an utterance."""

    type: Literal["intent_not_recognized"] = "intent_not_recognized"
    room: str
    text: str


class DeviceCommand(BaseEvent):
    """A command sent to one device."""

    type: Literal["device_command"] = "device_command"
    device: str
    action: str
    params: dict[str, Any] = Field(default_factory=dict)
    room: str | None = None


class DeviceStateChanged(BaseEvent):
    """A device's state changed, whoever changed it."""

    type: Literal["device_state_changed"] = "device_state_changed"
    device: str
    old: dict[str, Any]
    new: dict[str, Any]


class ReplySpoken(BaseEvent):
    """The house answers in a room."""

    type: Literal["reply"] = "reply"
    room: str
    text: str


class Interrupted(BaseEvent):
    """Someone said "stop" (or "cancel", "never mind") in a room: what the house is saying there
    stops now, and a question it is waiting on an answer to is dropped."""

    type: Literal["interrupted"] = "interrupted"
    room: str


class RoomActivityChanged(BaseEvent):
    """A room started listening, thinking, speaking, went idle, was muted or unmuted, or lost
    its microphone (a satellite that vanished: "unavailable")."""

    type: Literal["room_activity"] = "room_activity"
    room: str
    activity: Literal["idle", "listening", "thinking", "speaking", "muted", "unavailable"]
    muted: bool = False


class PluginFailed(BaseEvent):
    """A plugin's hook raised or timed out; the plugin was isolated."""

    type: Literal["plugin_failed"] = "plugin_failed"
    plugin: str
    hook: str
    error: str


Event = Annotated[
    UtteranceHeard
    | IntentRecognized
    | IntentNotRecognized
    | DeviceCommand
    | DeviceStateChanged
    | ReplySpoken
    | Interrupted
    | RoomActivityChanged
    | PluginFailed,
    Field(discriminator="type"),
]

_EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def parse_event(data: str | bytes | dict[str, Any]) -> BaseEvent:
    """Rebuild an event from its JSON text or dict form."""
    if isinstance(data, dict):
        return _EVENT_ADAPTER.validate_python(data)
    return _EVENT_ADAPTER.validate_json(data)
