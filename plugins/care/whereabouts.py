"""Where a person is now, behind one function, so better presence can be added in one place.

In order: the room they were heard in within `present_minutes` (a recognised voice, or the
room's one usual person - the same rule the persona uses for who is speaking), then any
presence source another plugin registers (`SOURCES.append(fn)`, fn(house, person) -> room or
None), else unknown: the house does not speak into a room it merely guesses at.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from samantha.plugins.automations.spec import find_device, primary_attribute

from .state import Care

if TYPE_CHECKING:
    from samantha.house import House

PresenceSource = Callable[["House", str], "str | None"]
SOURCES: list[PresenceSource] = []


def where_is(care: Care, person: str) -> str | None:
    heard = care.store.last_heard(person)
    if heard is not None and care.ts() - heard[1] <= care.section.speak_first.present_minutes * 60:
        return heard[0]
    for source in SOURCES:
        room = source(care.house, person)
        if room:
            return room
    return None


def is_home(care: Care, person: str) -> bool | None:
    """From the person's presence device; None when nothing says."""
    presence = care.section.speak_first.presence.get(person)
    if presence is None:
        return None
    device = find_device(care.house, presence.device)
    if device is None:
        return None
    value = device.state.get(primary_attribute(device))
    if isinstance(value, str):
        return value.strip().casefold() in {"home", "on", "true", "detected"}
    return bool(value)
