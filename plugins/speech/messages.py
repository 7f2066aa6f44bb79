"""What a room's speech pipeline reports, one typed message per step (`samantha listen --json`).

`t` is seconds of audio from the start of the room's stream; for steps after the end of an
utterance it adds the wall time spent since, so latencies read directly off the numbers.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    room: str
    t: float


class WakeHeard(_Message):
    event: Literal["wake"] = "wake"
    phrase: str
    confidence: float | None = None


class PartialHeard(_Message):
    event: Literal["partial"] = "partial"
    text: str


class TranscriptHeard(_Message):
    event: Literal["transcript"] = "transcript"
    text: str = Field(description="What the intent layer was given.")
    heard: str = Field(description="The recognizer's own words, before snapping.")
    confidence: float | None = None
    similarity: float | None = Field(None, description="To the nearest allowed sentence.")
    understood: bool = True
    free_form: bool = False
    end: str = Field("end", description="Why the utterance ended: end, early, cut.")
    reason: str | None = Field(None, description="Why nothing was understood, if nothing was.")
    choices: list[str] = Field(default_factory=list, description="Readings almost equally "
                               "likely that mean different things; the room asked which.")
    unfinished: bool = Field(False, description="The words stopped short of any sentence "
                             "(\"set the blinds to\"); the room asked for the rest.")
    speaker: str | None = Field(None, description="Who spoke, by voice; null: a guest or "
                                "nobody enrolled.")
    speaker_score: float | None = Field(None, description="Voice similarity to the closest "
                                        "enrolled person; null when no voice is enrolled.")


class IntentFound(_Message):
    event: Literal["intent"] = "intent"
    name: str
    slots: dict[str, Any] = Field(default_factory=dict)
    commands: list[dict[str, Any]] = Field(default_factory=list)


class ReplyStarted(_Message):
    event: Literal["reply"] = "reply"
    text: str


class ListenTimeout(_Message):
    event: Literal["timeout"] = "timeout"


class ListenSummary(_Message):
    """The last line of `samantha listen`: what came of the whole recording."""

    event: Literal["summary"] = "summary"
    audio_s: float
    wake_heard: bool
    wakes: int = 0
    heard: list[str] = Field(default_factory=list, description="Transcripts, as decoded.")
    intents: list[str] = Field(default_factory=list)
    commands: int = 0
    outcome: str = Field(description="What happened, or why nothing did.")


SpeechMessage = Annotated[
    WakeHeard | PartialHeard | TranscriptHeard | IntentFound | ReplyStarted | ListenTimeout
    | ListenSummary,
    Field(discriminator="event"),
]
_ADAPTER: TypeAdapter[SpeechMessage] = TypeAdapter(SpeechMessage)


def parse_message(data: str | bytes | dict[str, Any]) -> BaseModel:
    """Rebuild a message from its JSON text or dict."""
    if isinstance(data, dict):
        return _ADAPTER.validate_python(data)
    return _ADAPTER.validate_json(data)


def to_json(message: BaseModel) -> str:
    """One line of `samantha listen --json`, with `event` and `t` first."""
    data = message.model_dump()
    ordered = {"event": data.pop("event"), "t": round(data.pop("t"), 3), **data}
    import json

    return json.dumps(ordered, ensure_ascii=False)
