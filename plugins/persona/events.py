"""Events the persona publishes on the house's bus."""

from __future__ import annotations

from typing import Literal

from samantha.events import BaseEvent


class PersonaSentence(BaseEvent):
    """One finished sentence of a streamed reply: speech plugins can start saying it at once.

    The full reply still arrives as the usual `reply` event when the turn is over; a speech
    plugin that plays these skips that reply's text for the same room and turn.
    """

    type: Literal["persona_sentence"] = "persona_sentence"
    room: str
    text: str
    persona: str
    turn: str
    index: int


class MoodChanged(BaseEvent):
    """The persona's mood moved into another band (e.g. from "even and relaxed" to "warm and
    lively"); automations can react with an `event: mood` trigger."""

    type: Literal["mood_changed"] = "mood_changed"
    mood: str
    warmth: float
    energy: float


class PersonSeemsLow(BaseEvent):
    """A known person has just started seeming low (sad, or short and a little down) from what
    they said. Published once per low spell; `reason` is the plain words ("low and terse")."""

    type: Literal["person_seems_low"] = "person_seems_low"
    person: str
    room: str
    valence: float
    energy: float
    terseness: float
    reason: str
