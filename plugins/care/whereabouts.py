"""Where a person is now, behind one function, so better presence can be added in one place.

In order: the room they were heard in within `present_minutes` (a recognised voice, or the
room's one usual person - the same rule the persona uses for who is speaking), then the people
plugin's presence (voices, motion and occupancy sensors, trackers; only while it is sure enough
of the room), else unknown: the house does not speak into a room it merely guesses at.
"""

from __future__ import annotations

from samantha.plugins.automations.spec import find_device, primary_attribute
from samantha.plugins.people.presence import presence_of

from .state import Care


def where_is(care: Care, person: str) -> str | None:
    heard = care.store.last_heard(person)
    if heard is not None and care.ts() - heard[1] <= care.section.speak_first.present_minutes * 60:
        return heard[0]
    return presence_of(care.house).where(person).room


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
