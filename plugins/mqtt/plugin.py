"""The MQTT built-in plugin: the `mqtt:` config section and, when present, the MQTT provider."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from samantha.intent_handling import Outcome
from samantha.plugin_host import hookimpl
from samantha.plugins.mqtt.provider import MqttProvider
from samantha.plugins.mqtt.settings import MqttSettings
from samantha.providers import DeviceProvider
from samantha.references import References

if TYPE_CHECKING:
    from samantha.checks import Check
    from samantha.house import House

# Replies that mean "the home has no such thing"; while the broker has not been reached yet the
# thing may well be an MQTT device we have not heard of, and the reply should say so.
_NOT_FOUND = ("I don't know a ", "There are no ")
NOT_YET = ("The MQTT broker is unreachable, so I don't know its devices yet; I'll learn them "
           "as soon as it is back.")


@hookimpl
def samantha_config_sections() -> dict[str, type[BaseModel]]:
    return {"mqtt": MqttSettings}


@hookimpl
def samantha_config_references(config: Any) -> References | None:
    """Declared devices' rooms and the room map's targets must be declared rooms."""
    settings: MqttSettings | None = getattr(config, "mqtt", None)
    if settings is None:
        return None
    found = References()
    for index, device in enumerate(settings.devices):
        found.refer("room", device.room, ("mqtt", "devices", index, "room"))
        found.declare("device", device.name, device.resolved_unique_id)
    for key, room in settings.rooms.items():
        found.refer("room", room, ("mqtt", "rooms", key))
    if settings.discovery:
        found.open_kind("device", "MQTT discovery adds devices at run time")
    return found


@hookimpl
def samantha_device_providers(house: House) -> list[DeviceProvider]:
    settings = house.section("mqtt")
    return [MqttProvider(settings)] if settings is not None else []


@hookimpl
async def samantha_startup(house: House) -> None:
    # Rooms are announced only now: every provider has added the rooms its devices live in.
    provider = house.providers.get(MqttProvider.name)
    if isinstance(provider, MqttProvider):
        await provider.announce_rooms()


@hookimpl
def samantha_outcome(house: House, outcome: Outcome) -> Outcome | None:
    provider = house.providers.get(MqttProvider.name)
    if not isinstance(provider, MqttProvider) or not provider.waiting_for_broker:
        return None
    if outcome.commands or not outcome.reply.startswith(_NOT_FOUND):
        return None
    return outcome.model_copy(update={"reply": f"{outcome.reply} {NOT_YET}"})


@hookimpl
def samantha_checks(house: House) -> list[Check]:
    settings = house.section("mqtt")
    if settings is None:
        return []
    from .checks import broker_check

    base = house.config_path.resolve().parent if house.config_path else None
    return [broker_check(settings, base)]
