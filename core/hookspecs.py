"""Every hook a Samantha plugin can implement, grouped by lifecycle phase.

Hooks are plain functions decorated with `samantha.hookimpl`. Any hook may be `async def`; the
host awaits it. A hook that raises or times out is reported with the plugin's name and skipped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from pydantic import BaseModel

    from samantha.checks import Check
    from samantha.config import CoreConfig
    from samantha.events import BaseEvent
    from samantha.home import Device
    from samantha.house import House
    from samantha.intent_handling import IntentHandler, Outcome
    from samantha.providers import Command, DeviceProvider
    from samantha.references import References

hookspec = pluggy.HookspecMarker("samantha")

# --- Configuration: before the house exists ---------------------------------------------------


@hookspec
def samantha_config_sections() -> dict[str, type[BaseModel]]:
    """Return pydantic models for the top-level config sections this plugin owns."""


@hookspec
def samantha_config_references(config: CoreConfig) -> References | None:
    """Return the rooms, people, personas and devices this plugin's sections declare and name."""


@hookspec
def samantha_cli_commands(cli: click.Group) -> None:
    """Deprecated: add subcommands by loading every plugin; declare `samantha.commands` instead."""


# --- Diagnosis: `samantha doctor`, on a house that is prepared but not started -------------------


@hookspec
def samantha_checks(house: House) -> list[Check]:
    """Return checks for `samantha doctor`; each reports ok, warn or fail with a fix."""


# --- Startup: building the home ---------------------------------------------------------------


@hookspec
def samantha_device_providers(house: House) -> list[DeviceProvider]:
    """Return device providers that add devices to the home and carry out their commands."""


@hookspec
def samantha_speech_engines() -> dict[str, dict[str, Any]]:
    """Return speech engine factories: {"wake"|"stt"|"tts": {name: factory(settings, language)}}."""


@hookspec
def samantha_automation_types(house: House) -> dict[str, dict[str, Any]]:
    """Return automation step types: {"triggers"|"conditions"|"actions": {name: Spec model}}."""


@hookspec
def samantha_startup(house: House) -> None:
    """Start background work once the home is populated and the house is ready."""


# --- Understanding: sentences and intents ------------------------------------------------------


@hookspec
def samantha_sentences(house: House, language: str) -> dict[str, Any] | None:
    """Return extra sentences in hassil's YAML format (intents, lists, expansion rules)."""


@hookspec
def samantha_slot_lists(house: House) -> dict[str, Any] | None:
    """Return extra hassil slot lists (name -> SlotList) for sentence templates."""


@hookspec
def samantha_intent_handlers(house: House) -> dict[str, IntentHandler] | None:
    """Return intent handlers keyed by intent name; later plugins override earlier ones."""


@hookspec(firstresult=True)
def samantha_before_intent(house: House, room: str, text: str) -> Any:
    """Take a sentence before intent matching (stop, cancel); return an Outcome to end it there."""


@hookspec(firstresult=True)
def samantha_referents(house: House, room: str, word: str) -> list[str] | None:
    """The ids of the devices a pronoun ("it", "them") said in a room means, or None if unknown."""


@hookspec(firstresult=True)
def samantha_unrecognized(house: House, room: str, text: str) -> Any:
    """Answer a sentence no intent matched (the persona does); return an Outcome or None."""


@hookspec
def samantha_outcome(house: House, outcome: Outcome) -> Outcome | None:
    """Reword or annotate an outcome before it is spoken; return a replacement or None."""


@hookspec
def samantha_command(house: House, device: Device, command: Command) -> Command | None:
    """Complete a command just before it goes to its device; return a replacement or None."""


# --- Running: events and room activity ---------------------------------------------------------


@hookspec
def samantha_event(house: House, event: BaseEvent) -> None:
    """Observe every event published on the house's bus."""


@hookspec
def samantha_room_activity(house: House, room: str, activity: str) -> None:
    """React to a room's activity: idle, listening, thinking, speaking, muted or unavailable."""


@hookspec(firstresult=True)
def samantha_phrase(house: House, room: str | None, message: str) -> str | None:
    """Phrase a message in the house's voice; return text or None."""


@hookspec(firstresult=True)
def samantha_remember(house: House, fact: str, person: str | None) -> bool | None:
    """Store a fact (about a person) in long-term memory; return True when stored."""


# --- Shutdown ---------------------------------------------------------------------------------


@hookspec
def samantha_shutdown(house: House) -> None:
    """Stop background work and release resources; the house is going away."""
