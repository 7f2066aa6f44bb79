"""Hermes MQTT messages (the protocol of Rhasspy 2.5 and Snips), as typed pydantic models.

Only the messages Samantha speaks are modelled. JSON field names are Hermes' camelCase; Python
uses snake_case. Audio messages carry WAV bytes as the raw MQTT payload, not JSON. The site id is
the room id. Unknown JSON fields are ignored so newer Hermes peers stay compatible.
"""

from __future__ import annotations

import io
import wave
from typing import Any, ClassVar, TypeVar

import numpy as np
from paho.mqtt.client import topic_matches_sub
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

M = TypeVar("M", bound="HermesMessage")


class HermesMessage(BaseModel):
    """Base: camelCase JSON, a topic template, JSON (de)serialisation."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    TOPIC: ClassVar[str] = ""

    @classmethod
    def topic(cls, **parts: str) -> str:
        """The concrete topic, e.g. `HotwordDetected.topic(wakeword_id="samantha")`."""
        return cls.TOPIC.format(**parts)

    @classmethod
    def subscription(cls) -> str:
        """An MQTT subscription pattern matching every topic of this message."""
        out = []
        for part in cls.TOPIC.split("/"):
            out.append("+" if part.startswith("{") else part)
        return "/".join(out)

    @classmethod
    def is_topic(cls, topic: str) -> bool:
        return topic_matches_sub(cls.subscription(), topic)

    @classmethod
    def topic_part(cls, topic: str, name: str) -> str:
        """The value of `{name}` in a concrete topic."""
        for template, value in zip(cls.TOPIC.split("/"), topic.split("/"), strict=False):
            if template == "{" + name + "}":
                return value
        raise KeyError(f"{cls.__name__} topics have no {{{name}}}")

    def payload(self) -> bytes:
        return self.model_dump_json(by_alias=True, exclude_none=True).encode()

    @classmethod
    def from_payload(cls: type[M], payload: bytes | str) -> M:
        return cls.model_validate_json(payload)


# --- wake ------------------------------------------------------------------------------------


class HotwordDetected(HermesMessage):
    """A satellite heard its wake word. Samantha adds the signal level for arbitration."""

    TOPIC: ClassVar[str] = "hermes/hotword/{wakeword_id}/detected"

    model_id: str
    model_version: str = ""
    model_type: str = "personal"
    current_sensitivity: float = 1.0
    site_id: str = "default"
    session_id: str | None = None
    send_audio_captured: bool | None = None
    lang: str | None = None
    # Samantha extensions (ignored by other Hermes peers): loudness in dBFS of the wake word,
    # and the satellite's monotonic-free wall clock time of detection.
    level_db: float | None = None
    detected_at: float | None = None


class HotwordToggleOn(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/hotword/toggleOn"

    site_id: str = "default"
    reason: str = ""


class HotwordToggleOff(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/hotword/toggleOff"

    site_id: str = "default"
    reason: str = ""


# --- audio -------------------------------------------------------------------------------------


class AudioPlayFinished(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/audioServer/{site_id}/playFinished"

    id: str | None = None
    session_id: str | None = None


def audio_frame_topic(site_id: str) -> str:
    return f"hermes/audioServer/{site_id}/audioFrame"


def play_bytes_topic(site_id: str, request_id: str) -> str:
    return f"hermes/audioServer/{site_id}/playBytes/{request_id}"


AUDIO_FRAME_SUBSCRIPTION = "hermes/audioServer/+/audioFrame"
PLAY_BYTES_SUBSCRIPTION = "hermes/audioServer/+/playBytes/+"


def wav_bytes(samples: np.ndarray, sample_rate: int = 16000) -> bytes:
    """Mono or multi-channel int16 samples as a WAV file (Hermes audio payloads are WAV)."""
    data = np.asarray(samples)
    if data.dtype != np.int16:
        raise ValueError(f"WAV payloads carry int16 samples, not {data.dtype}")
    channels = 1 if data.ndim == 1 else data.shape[1]
    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(data.astype("<i2").tobytes())
    return buf.getvalue()


def read_wav_bytes(payload: bytes) -> tuple[np.ndarray, int]:
    """(samples shaped (n, channels) int16, sample rate) from a WAV payload."""
    try:
        with wave.open(io.BytesIO(payload), "rb") as wav:
            if wav.getsampwidth() != 2:
                raise ValueError(f"{wav.getsampwidth() * 8}-bit audio; Hermes frames are 16-bit")
            frames = wav.readframes(wav.getnframes())
            channels, rate = wav.getnchannels(), wav.getframerate()
    except (wave.Error, EOFError) as err:
        raise ValueError(f"not a WAV payload: {err}") from err
    samples = np.frombuffer(frames, dtype="<i2").astype(np.int16).reshape(-1, channels)
    return samples, rate


# --- speech recognition ------------------------------------------------------------------------


class AsrStartListening(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/asr/startListening"

    site_id: str = "default"
    session_id: str | None = None
    lang: str | None = None
    stop_on_silence: bool = True
    send_audio_captured: bool = False
    wakeword_id: str | None = None


class AsrStopListening(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/asr/stopListening"

    site_id: str = "default"
    session_id: str | None = None


class AsrTextCaptured(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/asr/textCaptured"

    text: str
    likelihood: float = 1.0
    seconds: float = 0.0
    site_id: str = "default"
    session_id: str | None = None
    wakeword_id: str | None = None
    lang: str | None = None


# --- understanding -----------------------------------------------------------------------------


class NluQuery(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/nlu/query"

    input: str
    site_id: str = "default"
    id: str | None = None
    session_id: str | None = None
    lang: str | None = None


class Intent(HermesMessage):
    intent_name: str
    confidence_score: float = 1.0


class SlotValue(HermesMessage):
    kind: str = "Unknown"
    value: Any = None


class Slot(HermesMessage):
    entity: str
    slot_name: str
    raw_value: str
    value: SlotValue
    confidence: float = 1.0


class NluIntent(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/intent/{intent_name}"

    input: str
    intent: Intent
    site_id: str = "default"
    id: str | None = None
    slots: list[Slot] = Field(default_factory=list)
    session_id: str | None = None
    raw_input: str | None = None
    lang: str | None = None


class NluIntentNotRecognized(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/nlu/intentNotRecognized"

    input: str
    site_id: str = "default"
    id: str | None = None
    session_id: str | None = None


# --- dialogue ------------------------------------------------------------------------------------


class DialogueSessionStarted(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/dialogueManager/sessionStarted"

    session_id: str
    site_id: str = "default"
    custom_data: str | None = None
    lang: str | None = None


class SessionTermination(HermesMessage):
    reason: str = "nominal"


class DialogueSessionEnded(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/dialogueManager/sessionEnded"

    termination: SessionTermination
    session_id: str
    site_id: str = "default"
    custom_data: str | None = None


class DialogueContinueSession(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/dialogueManager/continueSession"

    session_id: str
    text: str | None = None
    custom_data: str | None = None


class DialogueEndSession(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/dialogueManager/endSession"

    session_id: str
    text: str | None = None
    custom_data: str | None = None


# --- speech output -------------------------------------------------------------------------------


class TtsSay(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/tts/say"

    text: str
    site_id: str = "default"
    lang: str | None = None
    id: str | None = None
    session_id: str | None = None


class TtsSayFinished(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/tts/sayFinished"

    site_id: str = "default"
    id: str | None = None
    session_id: str | None = None


# --- errors --------------------------------------------------------------------------------------


class HermesError(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/error/{component}"

    error: str
    site_id: str = "default"
    context: str | None = None
    session_id: str | None = None


JSON_MESSAGES: tuple[type[HermesMessage], ...] = (
    HotwordDetected, HotwordToggleOn, HotwordToggleOff, AudioPlayFinished, AsrStartListening,
    AsrStopListening, AsrTextCaptured, NluQuery, NluIntent, NluIntentNotRecognized,
    DialogueSessionStarted, DialogueSessionEnded, DialogueContinueSession, DialogueEndSession,
    TtsSay, TtsSayFinished, HermesError,
)
