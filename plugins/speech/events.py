"""Events a room's speech pipeline publishes on the house's bus, for observers (the dashboard).

`SpeechStep` carries each step `samantha listen --json` reports (wake, transcript heard vs
snapped, intent, reply); `TurnAudio` carries the audio the room heard for one utterance. The
audio stays in the house: it is excluded from every serialised form of the event.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from samantha.events import BaseEvent


class SpeechStep(BaseEvent):
    type: Literal["speech_step"] = "speech_step"
    room: str
    step: dict[str, Any]

    @classmethod
    def of(cls, message: BaseModel) -> SpeechStep:
        data = message.model_dump()
        return cls(room=str(data.get("room", "")), step=data)


class TurnAudio(BaseEvent):
    type: Literal["turn_audio"] = "turn_audio"
    room: str
    pcm: bytes = Field(repr=False, exclude=True, description="16-bit mono PCM")
    sample_rate: int
