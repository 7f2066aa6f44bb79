"""Sentence triggers become custom intents (winning over built-in ones) whose handler fires the
automation with the sentence's slots."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from samantha.house import BEST_METADATA
from samantha.intent_handling import IntentHandler, IntentRequest, Outcome
from samantha.plugins.automations.compiler import iter_specs
from samantha.plugins.automations.expr import ExprError
from samantha.plugins.automations.triggers import SentenceTrigger

if TYPE_CHECKING:
    from samantha.house import House
    from samantha.plugins.automations.models import Automation

PREFIX = "Automation:"
_CORE_LISTS = {"area", "name", "floor"}


def intent_name(automation: str, path: str) -> str:
    return f"{PREFIX}{automation}:{path}"


class Sentences:
    def __init__(self, house: House) -> None:
        self.house = house
        self._listening: dict[str, tuple[SentenceTrigger, Callable[..., None]]] = {}

    def listen(self, automation: str, path: str, spec: SentenceTrigger,
               fire: Callable[..., None]) -> Callable[[], None]:
        name = intent_name(automation, path)
        self._listening[name] = (spec, fire)
        return lambda: self._listening.pop(name, None) and None

    def data(self, automations: list[Automation], language: str) -> dict[str, Any] | None:
        """hassil data for every sentence trigger; unknown {slots} become wildcards."""
        intents: dict[str, Any] = {}
        slots: set[str] = set()
        for automation in automations:
            if not automation.enabled:
                continue
            for spec, path in iter_specs(automation):
                if isinstance(spec, SentenceTrigger):
                    intents[intent_name(automation.id, path)] = {"data": [{
                        "sentences": spec.sentences, "metadata": {BEST_METADATA: True}}]}
                    slots |= spec.slot_names()
        if not intents:
            return None
        data: dict[str, Any] = {"language": language, "intents": intents}
        wildcards = slots - self._known_lists(language)
        if wildcards:
            data["lists"] = {name: {"wildcard": True} for name in sorted(wildcards)}
        return data

    def _known_lists(self, language: str) -> set[str]:
        from home_assistant_intents import get_intents

        known = set(_CORE_LISTS) | set((get_intents(language) or {}).get("lists", {}))
        custom = self.house.section("lists")
        if custom is not None:
            known |= set(custom.root)
        return known

    def handlers(self, automations: list[Automation]) -> dict[str, IntentHandler]:
        names = [intent_name(a.id, path) for a in automations for spec, path in iter_specs(a)
                 if isinstance(spec, SentenceTrigger)]
        return {name: self._handler(name) for name in names}

    def _handler(self, name: str) -> IntentHandler:
        async def handle(request: IntentRequest) -> Outcome:
            listening = self._listening.get(name)
            if listening is None:
                return request.outcome("")
            spec, fire = listening
            data = {"platform": "sentence", "sentence": request.text,
                    "slots": dict(request.slots), "room": request.room.id}
            fire(data, request.room.id)
            reply = ""
            if spec.reply is not None:
                try:
                    reply = str(spec.reply.render({"trigger": data}))
                except ExprError as err:
                    reply = f"Sorry, my reply template failed: {err}"
            outcome = request.outcome(reply)
            outcome.source = "automation"
            return outcome

        return handle
