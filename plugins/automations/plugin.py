"""The automations built-in plugin: config sections, hooks, and one engine per house."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from pydantic import BaseModel

from samantha import hookimpl
from samantha.plugins.automations.actions import BUILTIN_ACTIONS
from samantha.plugins.automations.conditions import BUILTIN_CONDITIONS
from samantha.plugins.automations.engine import Engine
from samantha.plugins.automations.models import Automations, AutomationSettings
from samantha.plugins.automations.references import automation_references
from samantha.plugins.automations.suggested import suggested_path
from samantha.plugins.automations.triggers import BUILTIN_TRIGGERS
from samantha.references import References

if TYPE_CHECKING:

    from samantha.events import BaseEvent
    from samantha.house import House
    from samantha.intent_handling import IntentHandler
    from samantha.plugins.automations.clock import Clock
    from samantha.plugins.mqtt.client import MqttClient

_engines: WeakKeyDictionary[House, Engine] = WeakKeyDictionary()


def engine_for(house: House, *, clock: Clock | None = None,
               mqtt: MqttClient | None = None) -> Engine | None:
    """The house's engine, made on first use (None when the config has no automations).

    Tests call this before `house.start()` to hand in a fake clock or an MQTT client.
    """
    engine = _engines.get(house)
    if engine is None and (house.section("automations") is not None
                           or suggested_path(house).exists()):
        engine = _engines[house] = Engine(house, clock=clock, mqtt=mqtt)
    return engine


def running_engine(house: House) -> Engine | None:
    """The house's engine if it has started (it can then reload without a restart)."""
    engine = _engines.get(house)
    return engine if engine is not None and engine.started else None


@hookimpl
def samantha_config_sections() -> dict[str, type[BaseModel]]:
    return {"automations": Automations, "automation_settings": AutomationSettings}


@hookimpl
def samantha_config_references(config: Any) -> References:
    return automation_references(getattr(config, "automations", None))


@hookimpl
def samantha_automation_types(house: House) -> dict[str, dict[str, Any]]:
    return {"triggers": dict(BUILTIN_TRIGGERS), "conditions": dict(BUILTIN_CONDITIONS),
            "actions": dict(BUILTIN_ACTIONS)}


@hookimpl
def samantha_sentences(house: House, language: str) -> dict[str, Any] | None:
    engine = engine_for(house)
    return engine.sentences.data(engine.automations, language) if engine else None


@hookimpl
def samantha_intent_handlers(house: House) -> dict[str, IntentHandler] | None:
    engine = engine_for(house)
    return engine.sentences.handlers(engine.automations) if engine else None


@hookimpl
async def samantha_startup(house: House) -> None:
    engine = engine_for(house)
    if engine is not None:
        await engine.start()


@hookimpl
async def samantha_shutdown(house: House) -> None:
    engine = _engines.pop(house, None)
    if engine is not None:
        await engine.stop()


@hookimpl
def samantha_event(house: House, event: BaseEvent) -> None:
    engine = _engines.get(house)
    if engine is not None and engine.started:
        engine.publish(event)


