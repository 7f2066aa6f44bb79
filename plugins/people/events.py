"""Events the people plugin publishes on the house's bus: someone came home, someone left."""

from __future__ import annotations

from typing import Literal

from samantha.events import BaseEvent


class PersonArrived(BaseEvent):
    """A person the house knew to be away is home again (their tracker says so, or their voice
    was heard). `room` is where they were placed, when the evidence says."""

    type: Literal["person_arrived"] = "person_arrived"
    person: str
    room: str | None = None
    source: str


class PersonLeft(BaseEvent):
    """A person the house knew to be home has left (their tracker says "not_home" or a zone;
    `zone` is that zone's name, or None for plain "not_home")."""

    type: Literal["person_left"] = "person_left"
    person: str
    zone: str | None = None
    source: str
