"""Hermes MQTT messages (the protocol of Rhasspy 2.5 and Snips), as typed pydantic models.

Only the messages Samantha speaks are modelled. JSON field names are Hermes' camelCase; Python
uses snake_case. Audio messages carry WAV bytes as the raw MQTT payload, not JSON. The site id is
the room id. Unknown JSON fields are ignored so newer Hermes peers stay compatible.
"""

from __future__ import annotations

import io
import wave
from typing import Annotated, Any, ClassVar, TypeVar

import numpy as np
from paho.mqtt.client import topic_matches_sub
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel

from samantha.plugins.satellite.limits import (
    FRAME_LIMITS,
    MAX_ID_CHARS,
    MAX_LEAD_S,
    MAX_TEXT_CHARS,
    AudioLimits,
    parse_json,
    topic_level,
)
from samantha.plugins.satellite.wavcheck import wav_chunks

M = TypeVar("M", bound="HermesMessage")

# Strings from the network have lengths; a siteId is also a topic level.
Id = Annotated[str, StringConstraints(max_length=MAX_ID_CHARS)]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)]
SiteId = Annotated[str, AfterValidator(topic_level)]


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
        """Parse and validate a message from the network; InvalidMessage says what is wrong."""
        return parse_json(cls, payload)


# --- wake ------------------------------------------------------------------------------------


class HotwordDetected(HermesMessage):
    """A satellite heard its wake word. Samantha adds the signal level for arbitration."""

    TOPIC: ClassVar[str] = "hermes/hotword/{wakeword_id}/detected"

    model_id: Id
    model_version: Id = ""
    model_type: Id = "personal"
    current_sensitivity: float = 1.0
    site_id: SiteId = "default"
    session_id: Id | None = None
    send_audio_captured: bool | None = None
    lang: Id | None = None
    # Samantha extensions (ignored by other Hermes peers): loudness in dBFS of the wake word,
    # and the satellite's monotonic-free wall clock time of detection.
    level_db: float | None = None
    detected_at: float | None = None
    # Seconds of wake-phrase audio the satellite streams before the command: the hub
    # normalises its recognizer on them (this voice, this room) and does not decode them.
    lead_s: float | None = Field(default=None, ge=0.0, le=MAX_LEAD_S)
    # ... and seconds of the command's start the wake engine held, streamed right after: the
    # hub normalises on them too, then decodes them.
    trailing_s: float | None = Field(default=None, ge=0.0, le=MAX_LEAD_S)


class HotwordToggleOn(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/hotword/toggleOn"

    site_id: SiteId = "default"
    reason: Id = ""


class HotwordToggleOff(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/hotword/toggleOff"

    site_id: SiteId = "default"
    reason: Id = ""


# --- audio -------------------------------------------------------------------------------------


class AudioPlayFinished(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/audioServer/{site_id}/playFinished"

    id: Id | None = None
    session_id: Id | None = None


class AudioPlayStop(HermesMessage):
    """Samantha's addition (Hermes has no way to cut a reply off): stop what is playing and
    drop what waits to play. Per site, like the rest of the audio server's topics."""

    TOPIC: ClassVar[str] = "hermes/audioServer/{site_id}/stopPlaying"

    session_id: Id | None = None


def audio_frame_topic(site_id: str) -> str:
    return f"hermes/audioServer/{site_id}/audioFrame"


def play_bytes_topic(site_id: str, request_id: str) -> str:
    return f"hermes/audioServer/{site_id}/playBytes/{request_id}"


AUDIO_FRAME_SUBSCRIPTION = "hermes/audioServer/+/audioFrame"
PLAY_BYTES_SUBSCRIPTION = "hermes/audioServer/+/playBytes/+"


def likelihood_of(confidence: float | None, text: str) -> float:
    """Hermes' likelihood for a transcript: a sentence of the grammar is taken as it is (no
    confidence is computed for it), so it counts as certain; nothing heard is 0."""
    if confidence is None:
        return 1.0 if text else 0.0
    return confidence


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


def read_wav_bytes(payload: bytes, limits: AudioLimits = FRAME_LIMITS) -> tuple[np.ndarray, int]:
    """(samples shaped (n, channels) int16, sample rate) from a WAV payload.

    The header is checked against `limits` (size, rate, width, channels, length) before a
    sample is read, so a lying header costs nothing; InvalidMessage says what was wrong.
    """
    fmt, data = wav_chunks(payload, limits)
    channels, rate = fmt.channels, fmt.rate
    samples = np.frombuffer(data, dtype="<i2").astype(np.int16).reshape(-1, channels)
    return samples, rate


# --- speech recognition ------------------------------------------------------------------------


class AsrStartListening(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/asr/startListening"

    site_id: SiteId = "default"
    session_id: Id | None = None
    lang: Id | None = None
    stop_on_silence: bool = True
    send_audio_captured: bool = False
    wakeword_id: Id | None = None


class AsrStopListening(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/asr/stopListening"

    site_id: SiteId = "default"
    session_id: Id | None = None


class AsrTextCaptured(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/asr/textCaptured"

    text: Text
    likelihood: float = 1.0
    seconds: float = 0.0
    site_id: SiteId = "default"
    session_id: Id | None = None
    wakeword_id: Id | None = None
    lang: Id | None = None
    # Who spoke, by voice: set by the hub for Hermes tools; never read from the network (a
    # satellite could claim anyone).
    speaker: Id | None = None
    speaker_score: float | None = None


# --- understanding -----------------------------------------------------------------------------


class NluQuery(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/nlu/query"

    input: Text
    site_id: SiteId = "default"
    id: Id | None = None
    session_id: Id | None = None
    lang: Id | None = None


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
    site_id: SiteId = "default"
    id: Id | None = None
    slots: list[Slot] = Field(default_factory=list)
    session_id: Id | None = None
    raw_input: str | None = None
    lang: Id | None = None


class NluIntentNotRecognized(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/nlu/intentNotRecognized"

    input: str
    site_id: SiteId = "default"
    id: Id | None = None
    session_id: Id | None = None


# --- dialogue ------------------------------------------------------------------------------------


class DialogueSessionStarted(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/dialogueManager/sessionStarted"

    session_id: Id
    site_id: SiteId = "default"
    custom_data: Text | None = None
    lang: Id | None = None


class SessionTermination(HermesMessage):
    reason: Id = "nominal"


class DialogueSessionEnded(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/dialogueManager/sessionEnded"

    termination: SessionTermination
    session_id: Id
    site_id: SiteId = "default"
    custom_data: Text | None = None


class DialogueContinueSession(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/dialogueManager/continueSession"

    session_id: Id
    text: str | None = None
    custom_data: Text | None = None


class DialogueEndSession(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/dialogueManager/endSession"

    session_id: Id
    text: str | None = None
    custom_data: Text | None = None


# --- speech output -------------------------------------------------------------------------------


class TtsSay(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/tts/say"

    text: str
    site_id: SiteId = "default"
    lang: Id | None = None
    id: Id | None = None
    session_id: Id | None = None


class TtsSayFinished(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/tts/sayFinished"

    site_id: SiteId = "default"
    id: Id | None = None
    session_id: Id | None = None


# --- errors --------------------------------------------------------------------------------------


class HermesError(HermesMessage):
    TOPIC: ClassVar[str] = "hermes/error/{component}"

    error: str
    site_id: SiteId = "default"
    context: Text | None = None
    session_id: Id | None = None


JSON_MESSAGES: tuple[type[HermesMessage], ...] = (
    HotwordDetected, HotwordToggleOn, HotwordToggleOff, AudioPlayFinished, AsrStartListening,
    AsrStopListening, AsrTextCaptured, NluQuery, NluIntent, NluIntentNotRecognized,
    DialogueSessionStarted, DialogueSessionEnded, DialogueContinueSession, DialogueEndSession,
    TtsSay, TtsSayFinished, HermesError,
)
