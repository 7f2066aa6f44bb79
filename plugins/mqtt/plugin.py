"""The MQTT built-in plugin: the `mqtt:` config section and, when present, the MQTT provider."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel

from samantha.plugin_host import hookimpl
from samantha.plugins.mqtt.provider import MqttProvider
from samantha.plugins.mqtt.settings import MqttSettings
from samantha.providers import DeviceProvider

if TYPE_CHECKING:
    from samantha.house import House


@hookimpl
def samantha_config_sections() -> dict[str, type[BaseModel]]:
    return {"mqtt": MqttSettings}


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
