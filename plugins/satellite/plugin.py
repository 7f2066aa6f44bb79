"""The satellite plugin: the `satellite:` section, `samantha satellite`, and the hub in `run`."""

from __future__ import annotations

import logging
import weakref
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from samantha import hookimpl
from samantha.plugins.satellite.settings import SatelliteSettings
from samantha.references import References

if TYPE_CHECKING:

    from samantha.house import House
    from samantha.plugins.mqtt.client import MqttClient
    from samantha.plugins.satellite.hub import SatelliteHub

log = logging.getLogger(__name__)

# Per house: the hub, and the MQTT client it opened itself (None when it borrowed the house's).
_hubs: weakref.WeakKeyDictionary[House, tuple[SatelliteHub, MqttClient | None]] = (
    weakref.WeakKeyDictionary())


@hookimpl
def samantha_config_sections() -> dict[str, type[BaseModel]]:
    return {"satellite": SatelliteSettings}


@hookimpl
def samantha_config_references(config: Any) -> References | None:
    """Each satellite of a hub's config serves a declared room. A satellite's own config
    (no `rooms:`, as in examples/satellite_kitchen.yaml) names the room it serves."""
    settings: SatelliteSettings | None = getattr(config, "satellite", None)
    if settings is None or not config.rooms:
        return None
    found = References()
    for room in settings.rooms:
        found.refer("room", room, ("satellite", "rooms", room))
    return found


async def _client_for(house: House) -> tuple[MqttClient, MqttClient | None] | None:
    """The house's broker connection when the MQTT provider has one, else our own."""
    from samantha.plugins.mqtt.client import MqttClient
    from samantha.plugins.mqtt.provider import MqttProvider, resolve_paths

    provider = house.providers.get(MqttProvider.name)
    if isinstance(provider, MqttProvider) and provider.client is not None:
        return provider.client, None
    settings = house.section("mqtt")
    if settings is None:
        return None
    base = house.config_path.resolve().parent if house.config_path else None
    settings = resolve_paths(settings, base)
    own = MqttClient(settings.model_copy(update={
        "client_id": f"{settings.client_id}-hub",
        "outbox_path": settings.outbox_path.with_name("satellite-hub-outbox.sqlite3")}))
    # The broker may be down now; the client keeps trying and subscribes once it is up.
    await own.start(wait=False)
    return own, own


@hookimpl
async def samantha_startup(house: House) -> None:
    settings: SatelliteSettings | None = house.section("satellite")
    if settings is None or not settings.hub.enabled:
        return
    clients = await _client_for(house)
    if clients is None:
        log.error("the satellite hub needs the mqtt: section (the broker satellites use)")
        return
    from samantha.plugins.satellite.hub import SatelliteHub

    hub = SatelliteHub(house, settings, clients[0], house.section("speech"))
    await hub.start()
    _hubs[house] = (hub, clients[1])


@hookimpl
async def samantha_room_activity(house: House, room: str, activity: str) -> None:
    entry = _hubs.get(house)
    if entry is not None:
        await entry[0].room_muted(room, house.is_muted(room))


@hookimpl
async def samantha_shutdown(house: House) -> None:
    entry = _hubs.pop(house, None)
    if entry is None:
        return
    hub, own = entry
    await hub.stop()
    if own is not None:
        await own.stop()


def hub_of(house: House) -> SatelliteHub | None:
    """The running hub of a house (tests, benchmarks, other plugins)."""
    entry = _hubs.get(house)
    return entry[0] if entry else None
