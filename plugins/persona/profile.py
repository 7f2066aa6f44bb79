"""A persona file: who the house is (name, voice, traits, style) and how it words its replies."""

from __future__ import annotations

import itertools
import string
from typing import Any, Literal

from pydantic import Field

from samantha.config import Section

Template = str | list[str]


class MoodTemplate(Section):
    """Variants chosen by mood: warm when warmth is high, cool when it is low."""

    warm: Template | None = Field(None, description="Used when the mood is warm; default neutral.")
    neutral: Template = Field(description="The usual wording (text or a list to choose from).")
    cool: Template | None = Field(None, description="Used when the mood is cool; default neutral.")


ReplyTemplate = Template | MoodTemplate


DEFAULT_NOTICE = "I can't think deeply right now, but I can still run the house."


Verbosity = Literal["terse", "brief", "normal", "chatty"]
VERBOSITIES: tuple[Verbosity, ...] = ("terse", "brief", "normal", "chatty")


class Growth(Section):
    """How far this persona may change with each person (docs/persona.md, "A persona that
    grows"). The relationship is kept per person; these bounds are applied whenever it is used,
    so tightening them takes effect at once."""

    enabled: bool = Field(True, description="false: the same persona with everyone, whatever "
                          "they say about length or jokes.")
    shortest: Verbosity = Field("terse", description="The shortest it may become when people "
                                "ask for shorter replies.")
    longest: Verbosity = Field("chatty", description="The longest it may become when people "
                               "ask for more.")
    humour_min: float = Field(0.0, ge=0, le=1, description="Humour never goes below this, "
                              "even after 'stop joking'.")
    humour_max: float = Field(0.8, ge=0, le=1, description="Humour never goes above this, "
                              "however much people laugh.")
    max_familiarity: float = Field(1.0, ge=0, le=1, description="How close it may become: 0 "
                                   "always formal, 1 may become close and informal.")
    remember_dislikes: bool = Field(True, description="Keep what people ask it not to do "
                                    "('please don't call me sweetie').")
    shared_references: bool = Field(True, description="Keep replies people laughed at as "
                                    "shared references and running jokes.")


class PersonaProfile(Section):
    """One persona, usually in its own YAML file included with `!include`."""

    name: str = Field(description="What the persona is called, e.g. 'Samantha'.")
    wake_phrases: list[str] = Field(default_factory=list, description="e.g. ['hey samantha'].")
    voice: dict[str, str] = Field(default_factory=dict,
                                  description="TTS engine -> voice id, e.g. {piper: en_US-amy}.")
    traits: list[str] = Field(default_factory=list, description="e.g. [curious, warm].")
    style: str = Field("", description="How it speaks, in a sentence or two (goes to the model).")
    verbosity: Verbosity = Field("brief", description="How much the persona says.")
    humour: float = Field(0.3, ge=0.0, le=1.0, description="0 = none, 1 = constant jokes.")
    language: str = Field("en", description="Language it speaks.")
    replies: dict[str, ReplyTemplate] = Field(
        default_factory=dict,
        description="Reply templates per intent outcome or small-talk topic; placeholders "
        "{reply} (the plain reply), {detail} (it without a leading 'Okay,'), {name}, {room}, "
        "{person}, {comma_name} (', Anna' for a known speaker), {memory_line}.")
    offline_notice: str = Field(DEFAULT_NOTICE,
                                description="Said when the model is missing or failing.")
    confirm_question: str = Field("Shall I {action} the {device}?",
                                  description="Asked before a sensitive action.")
    announcement: ReplyTemplate = Field(
        "{message}", description="How proactive speech is worded; {message} is the news.")
    growth: Growth = Field(default_factory=Growth,
                           description="How far it may change with each person (feedback).")

    def key(self) -> str:
        return self.name.casefold()


DEFAULT_PERSONA = PersonaProfile(
    name="Samantha",
    wake_phrases=["hey samantha", "samantha"],
    traits=["warm", "curious", "attentive", "honest"],
    style="Warm and attentive, speaks plainly in short sentences, never gushes.",
)

VERBOSITY_WORDS = {"terse": "one short sentence", "brief": "one or two short sentences",
                   "normal": "two or three sentences", "chatty": "a few relaxed sentences"}


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def fill(template: str, values: dict[str, Any]) -> str:
    """str.format that leaves unknown placeholders empty instead of raising."""
    try:
        text = string.Formatter().vformat(template, (), _Blank(values))
    except (ValueError, IndexError):
        return template  # a stray brace in an owner's template: say it as written
    return " ".join(text.split())


class TemplatePicker:
    """Chooses among template variants in turn, so repeated replies don't sound canned."""

    def __init__(self) -> None:
        self._turns: dict[str, itertools.count[int]] = {}

    def pick(self, key: str, template: ReplyTemplate, warmth: float) -> str:
        if isinstance(template, MoodTemplate):
            chosen: Template = template.neutral
            if warmth >= 0.3 and template.warm is not None:
                chosen = template.warm
            elif warmth <= -0.3 and template.cool is not None:
                chosen = template.cool
            template = chosen
        if isinstance(template, str):
            return template
        if not template:
            return "{reply}"
        turn = next(self._turns.setdefault(key, itertools.count()))
        return template[turn % len(template)]
