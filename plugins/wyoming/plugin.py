"""The wyoming plugin: `wyoming:` config, `samantha wyoming serve`, the server under `samantha
run`, and speech engines named `wyoming` that talk to any Wyoming server."""

from __future__ import annotations

import logging
import weakref
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from samantha import hookimpl
from samantha.references import References

from .settings import WyomingSettings

if TYPE_CHECKING:

    from samantha.house import House

    from .service import WyomingService

log = logging.getLogger(__name__)

_running: weakref.WeakKeyDictionary[House, WyomingService] = weakref.WeakKeyDictionary()


@hookimpl
def samantha_config_sections() -> dict[str, type[BaseModel]]:
    return {"wyoming": WyomingSettings}


@hookimpl
def samantha_config_references(config: Any) -> References | None:
    """Rooms that Home Assistant's satellites are placed in are declared rooms."""
    settings: WyomingSettings | None = getattr(config, "wyoming", None)
    if settings is None or settings.server is None:
        return None
    found = References()
    for key, room in settings.server.rooms.items():
        found.refer("room", room, ("wyoming", "server", "rooms", key))
    found.refer("room", settings.server.default_room, ("wyoming", "server", "default_room"))
    return found


@hookimpl
def samantha_speech_engines() -> dict[str, dict[str, Any]]:
    from . import engines

    return {"wake": {"wyoming": engines.make_wake}, "stt": {"wyoming": engines.make_stt},
            "tts": {"wyoming": engines.make_tts}}


@hookimpl
def samantha_device_providers(house: House) -> list[Any]:
    # Engines are built from the speech section alone; tell them where this house's Wyoming
    # servers are before any pipeline is built.
    from . import engines

    engines.bind(house)
    return []


@hookimpl
async def samantha_startup(house: House) -> None:
    section: WyomingSettings | None = house.section("wyoming")
    if section is None or section.server is None or not section.server.enabled:
        return
    from .service import WyomingService

    service = WyomingService(house, section.server)
    try:
        await service.start()
    except OSError as err:
        # A taken port must not keep the rest of the house from running.
        log.error("wyoming: cannot serve on %s: %s", section.server.uri, err)
        return
    _running[house] = service


@hookimpl
async def samantha_shutdown(house: House) -> None:
    from . import engines

    engines.unbind(house)
    service = _running.pop(house, None)
    if service is not None:
        await service.stop()


def service_of(house: House) -> WyomingService | None:
    return _running.get(house)
