"""Samantha as a Wyoming `handle` program: `describe` -> `info`, `transcript` -> `handled`."""

from __future__ import annotations

import logging
import re
import uuid
from typing import TYPE_CHECKING, Any

from wyoming.asr import Transcript
from wyoming.event import Event
from wyoming.handle import Handled, HandledChunk, HandledStart, HandledStop, NotHandled
from wyoming.info import Attribution, HandleModel, HandleProgram, Info

from samantha import __version__

from .rooms import RoomResolver

if TYPE_CHECKING:
    from samantha.house import House
    from samantha.intent_handling import Outcome

    from .settings import ServerSettings

log = logging.getLogger(__name__)

ATTRIBUTION = Attribution(name="Samantha", url="https://github.com/samantha-home/samantha")
MAX_CONVERSATION_ID_CHARS = 128
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def agent_name(house: House, settings: ServerSettings) -> str:
    if settings.name:
        return settings.name
    persona = house.section("persona")
    default = getattr(persona, "default", None)
    return str(default) if default else "Samantha"


def languages(house: House) -> list[str]:
    language = str(house.config.language)
    # HA matches agents by language and by base language ("en" serves "en-US").
    return sorted({language, language.split("-")[0]})


def build_info(house: House, settings: ServerSettings) -> Info:
    name = agent_name(house, settings)
    model = HandleModel(name=name, attribution=ATTRIBUTION, installed=True,
                        description=f"{house.config.name}: {name}", version=__version__,
                        languages=languages(house))
    program = HandleProgram(name=name, attribution=ATTRIBUTION, installed=True,
                            description=f"{name}, the personality of {house.config.name}",
                            version=__version__, models=[model],
                            supports_handled_streaming=settings.streaming != "never",
                            supports_home_control=True)
    return Info(handle=[program])


def is_handled(outcome: Outcome) -> bool:
    # The house answers every sentence; only one nothing understood nor answered is a failure.
    return bool(outcome.reply) and not (outcome.intent is None and outcome.source == "intent")


def chunks(text: str) -> list[str]:
    """The reply in sentences, each ending with the space that followed it."""
    parts = _SENTENCE_END.split(text)
    return [p + (" " if i < len(parts) - 1 else "") for i, p in enumerate(parts) if p]


class Agent:
    def __init__(self, house: House, settings: ServerSettings) -> None:
        self.house = house
        self.settings = settings
        self.rooms = RoomResolver(house, settings)
        self.info_event = build_info(house, settings).event()

    def wants_streaming(self, context: dict[str, Any]) -> bool:
        if self.settings.streaming == "always":
            return True
        if self.settings.streaming == "never":
            return False
        return context.get("handled_streaming") is True

    async def answer(self, event: Event, client: str) -> list[Event]:
        """The events that answer one `transcript` (never raises for bad input)."""
        try:
            transcript = Transcript.from_event(event)
        except (KeyError, TypeError):
            return [NotHandled(text="The transcript has no text.").event()]
        context = transcript.context if isinstance(transcript.context, dict) else {}
        text = transcript.text if isinstance(transcript.text, str) else ""
        conversation_id = context.get("conversation_id")
        if not isinstance(conversation_id, str) or not conversation_id:
            conversation_id = uuid.uuid4().hex
        conversation_id = conversation_id[:MAX_CONVERSATION_ID_CHARS]
        placement = await self.rooms.place(context, conversation_id, client)
        reply_context: dict[str, Any] = {
            "conversation_id": conversation_id,
            "room": placement.room,
            "room_source": placement.source,
        }
        if placement.source == "assumed":
            reply_context["room_assumed"] = True
        try:
            outcome = await self.house.handle_text(text, placement.room)
        except Exception:
            log.exception("wyoming: handling %r from %s failed", text[:80], client)
            return [NotHandled(text="Sorry, something went wrong.",
                               context=reply_context).event()]
        reply_context["intent"] = outcome.intent
        if outcome.persona:
            reply_context["persona"] = outcome.persona
        if not is_handled(outcome):
            return [NotHandled(text=outcome.reply or None, context=reply_context).event()]
        if self.wants_streaming(context):
            return [HandledStart(context=reply_context).event(),
                    *(HandledChunk(text=part).event() for part in chunks(outcome.reply)),
                    HandledStop().event()]
        return [Handled(text=outcome.reply, context=reply_context).event()]
