"""LED feedback: the activity states a room shows, and the LED ring interface.

The core broadcasts activity through the ``samantha_room_activity(room, activity)``
plugin hook; a plugin that owns an LED ring maps it to :meth:`LedRing.show`.
"""

from __future__ import annotations

import logging
from enum import Enum
from typing import Protocol, runtime_checkable

log = logging.getLogger(__name__)


class RoomActivity(str, Enum):
    IDLE = "idle"
    LISTENING = "listening"
    THINKING = "thinking"
    SPEAKING = "speaking"
    MUTED = "muted"
    UNAVAILABLE = "unavailable"  # the room's satellite is gone


@runtime_checkable
class LedRing(Protocol):
    def show(self, activity: RoomActivity) -> None: ...


class LoggingLedRing:
    """Reference ring: drives no hardware, logs and remembers the states shown."""

    def __init__(self, room: str) -> None:
        self.room = room
        self.history: list[RoomActivity] = []

    def show(self, activity: RoomActivity | str) -> None:
        state = RoomActivity(activity)
        self.history.append(state)
        log.info("room %s LED: %s", self.room, state.value)

    @property
    def current(self) -> RoomActivity:
        return self.history[-1] if self.history else RoomActivity.IDLE
