"""The `persona:` config section: which personas exist, where they speak, the model, memory."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from pydantic import Field, SecretStr, field_validator

from samantha import redact
from samantha.config import Section
from samantha.references import References

from .profile import DEFAULT_PERSONA, PersonaProfile

DEFAULT_MODEL = "gpt-4o-mini"


class ModelSettings(Section):
    """Any OpenAI-compatible Chat Completions endpoint (OpenAI, Ollama, llama.cpp, vLLM)."""

    base_url: str | None = Field(None, description="e.g. http://localhost:11434/v1 (Ollama); "
                                 "defaults to OPENAI_BASE_URL.")
    model: str | None = Field(None, description=f"Model name; default {DEFAULT_MODEL!r}.")
    api_key: SecretStr | None = Field(None, description="Use !secret; defaults to OPENAI_API_KEY.")
    enabled: bool = Field(True, description="false: always answer with the offline self.")
    timeout: float = Field(6.0, gt=0, le=9.0,
                           description="Seconds for a whole turn before the offline self answers.")
    first_sentence_timeout: float = Field(
        3.0, gt=0, description="Seconds to wait for the first sentence before giving up.")
    temperature: float = Field(
        0.7, ge=0, le=2, description="Sampling temperature of the model's replies.")
    max_tokens: int = Field(300, gt=0, description="Longest reply, in tokens.")
    max_tool_calls: int = Field(4, ge=0, le=16, description="Tool calls allowed in one turn.")
    history_turns: int = Field(6, ge=0, le=40, description="Recent exchanges kept per room.")
    history_minutes: float = Field(15, gt=0, description="Older exchanges are forgotten.")


class MemorySettings(Section):
    path: str | None = Field(None, description="SQLite file; relative to the config file. "
                             "Default: $SAMANTHA_DATA_DIR or ~/.local/share/samantha, memory.db.")
    in_prompt: int = Field(5, ge=0, le=30, description="Most relevant memories in a prompt.")
    by_meaning: bool = Field(True, description="Find memories by meaning with a small offline "
                             "sentence model (all-MiniLM-L6-v2); false or not installed: by "
                             "shared words.")


class ScheduleSettings(Section):
    """Timers, reminders and scheduled actions kept across restarts."""

    late_grace_minutes: float = Field(
        30, ge=0, description="A timer or reminder that fell due while Samantha was down is "
        "still said (with an apology) if it is at most this late; older ones are dropped. "
        "Late device actions are never carried out.")


class QuietHours(Section):
    start: str = Field(
        "22:00", pattern=r"^\d{1,2}:\d{2}$", description="When quiet hours begin (HH:MM); only "
        "urgent news is spoken.")
    end: str = Field(
        "07:00", pattern=r"^\d{1,2}:\d{2}$", description="When quiet hours end (HH:MM).")


class FeelingSettings(Section):
    """How the house reads how people seem (docs/persona.md, "How the person seems")."""

    enabled: bool = Field(True, description="false: no per-person valence, energy or "
                          "terseness, and no tone guidance in the prompt.")
    half_life_hours: float = Field(
        8, gt=0, description="How fast a person's low (or cheerful) spell fades toward neutral "
        "when they say nothing new.")
    ask_model: bool = Field(
        False, description="Also ask the language model, in the background after each "
        "conversational turn, how the person seems (one short extra request per turn); its "
        "judgement is blended with the offline reading. Off: the offline reading (VADER) and "
        "the mood word of each condensed conversation.")


class PersonSettings(Section):
    persona: str | None = Field(None, description="The persona this person prefers.")
    rooms: list[str] = Field(default_factory=list,
                             description="Rooms where this person is assumed to be speaking.")


class Trigger(Section):
    """Speak when a device reaches a state, e.g. the front door unlocked."""

    device: str = Field(description="Device id or name.")
    state: dict[str, Any] = Field(description="State values that fire it, e.g. {locked: false}.")
    say: str = Field(description="The news, worded in character by the persona.")
    room: str | None = Field(None, description="Where to say it; default the device's room.")
    urgent: bool = Field(False, description="Also during quiet hours.")


class PersonaSection(Section):
    """The persona: character files, where each speaks, the language model, memory, mood."""

    personas: list[PersonaProfile] = Field(
        default_factory=list, description="Persona definitions, e.g. - !include personas/x.yaml")
    default: str | None = Field(None, description="Persona name used when nothing else applies.")
    rooms: dict[str, str] = Field(default_factory=dict, description="Room -> preferred persona.")
    people: dict[str, PersonSettings] = Field(
        default_factory=dict, description="Older form of the top-level people: person -> "
        "preferred persona and usual rooms.")
    llm: ModelSettings = Field(default_factory=ModelSettings)
    memory: MemorySettings = Field(
        default_factory=MemorySettings, description="Where and how the house remembers what it is"
        " told.")
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
    quiet_hours: QuietHours | None = Field(
        None, description="Hours when only urgent news is spoken.")
    mood_half_life_minutes: float = Field(
        30, gt=0, description="How fast the mood drifts back to neutral.")
    feelings: FeelingSettings = Field(
        default_factory=FeelingSettings, description="How the house reads how people seem.")
    exclude_devices: list[str] = Field(default_factory=list,
                                       description="Device ids or names the model may not see.")
    act_tools: bool = Field(True, description="false: the model may only read, never act.")
    confirm_seconds: float = Field(30, gt=0, description="How long a 'yes' is awaited.")
    heating_limits: tuple[float, float] = Field(
        (16.0, 24.0), description="Setting a thermostat outside these needs confirmation.")
    triggers: list[Trigger] = Field(default_factory=list)

    @field_validator("personas")
    @classmethod
    def _unique(cls, personas: list[PersonaProfile]) -> list[PersonaProfile]:
        names = [p.key() for p in personas]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"two personas are called {name!r}")
        return personas

    def references(self) -> References:
        """Personas declared here; rooms, devices and personas named here. The keys of
        `persona.people` declare people, as `people:` does (older configs have only these)."""
        found = References()
        found.declares_kind("persona")
        for profile in [*self.personas, DEFAULT_PERSONA]:
            found.declare("persona", profile.name)
        found.refer("persona", self.default, ("persona", "default"))
        for room, persona in self.rooms.items():
            found.refer("room", room, ("persona", "rooms", room))
            found.refer("persona", persona, ("persona", "rooms", room))
        for name, person in self.people.items():
            at = ("persona", "people", name)
            found.declare("person", name)
            found.refer("persona", person.persona, (*at, "persona"))
            found.refer_all("room", person.rooms, (*at, "rooms"))
        for index, trigger in enumerate(self.triggers):
            found.refer("device", trigger.device, ("persona", "triggers", index, "device"))
            found.refer("room", trigger.room, ("persona", "triggers", index, "room"))
        found.refer_all("device", self.exclude_devices, ("persona", "exclude_devices"))
        return found


@dataclass(frozen=True)
class Endpoint:
    """Where the model lives, resolved from config and the SDK's environment variables."""

    base_url: str | None
    api_key: str
    model: str

    def describe(self) -> dict[str, str]:
        # A base URL may carry credentials (http://user:pw@host, ?key=...): never shown.
        return {"base_url": redact.redact(self.base_url or "https://api.openai.com/v1"),
                "model": self.model}


def resolve_endpoint(settings: ModelSettings) -> Endpoint | None:
    """The model to use, or None for the offline self.

    Like the openai SDK: OPENAI_BASE_URL and OPENAI_API_KEY fill in what the config leaves out.
    Neither set anywhere means no model is configured.
    """
    if not settings.enabled:
        return None
    base_url = settings.base_url or os.environ.get("OPENAI_BASE_URL") or None
    key = settings.api_key.get_secret_value() if settings.api_key else None
    key = key or os.environ.get("OPENAI_API_KEY") or None
    if base_url is None and key is None:
        return None
    redact.register(key)  # from the environment, not the config: the loader has not seen it
    if base_url:
        redact.register_url(base_url)
    # Local servers (Ollama, llama.cpp) ignore the key, but the SDK insists on one.
    return Endpoint(base_url=base_url, api_key=key or "not-needed",
                    model=settings.model or DEFAULT_MODEL)
