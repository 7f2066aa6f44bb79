"""The audio tools and LED feedback, shipped as a built-in plugin.

Adds `samantha audio devices|analyze` to the CLI and shows each room's activity on its LED ring
(rings are attached by whatever opens the room's microphone, e.g. the speech pipeline).
"""

from __future__ import annotations

import logging
import weakref
from typing import Any

from samantha import hookimpl
from samantha.hardware.leds import LedRing, RoomActivity

log = logging.getLogger(__name__)

_RINGS: weakref.WeakKeyDictionary[Any, dict[str, LedRing]] = weakref.WeakKeyDictionary()


def attach_led_ring(house: Any, room: str, ring: LedRing) -> None:
    """Show `room`'s activity (listening, thinking, speaking, muted) on `ring`."""
    _RINGS.setdefault(house, {})[room] = ring


@hookimpl
def samantha_room_activity(house: Any, room: str, activity: str) -> None:
    ring = _RINGS.get(house, {}).get(room)
    if ring is None:
        return
    try:
        ring.show(RoomActivity(activity))
    except Exception as err:
        # A flaky LED driver must never interrupt listening or speaking.
        log.warning("LED ring of room %s failed: %s", room, err)
