"""The Home Assistant plugin: the `homeassistant:` section, its device provider and its replies.

The provider (and with it homeassistant-api) is imported only when a config has the section, so
a house without Home Assistant does not need the optional package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from pydantic import BaseModel

from samantha.intent_handling import Outcome
from samantha.plugin_host import hookimpl
from samantha.providers import DeviceProvider
from samantha.references import References

from .settings import HomeAssistantSettings

if TYPE_CHECKING:
    from samantha.checks import Check
    from samantha.house import House

    from .provider import HomeAssistantProvider

# Replies that mean "the home has no such thing": while HA is away that is most likely because
# its devices are missing, and saying so is the honest answer.
_NOT_FOUND = ("I don't know a ", "There are no ")

_providers: WeakKeyDictionary[House, HomeAssistantProvider] = WeakKeyDictionary()


@hookimpl
def samantha_config_sections() -> dict[str, type[BaseModel]]:
    return {"homeassistant": HomeAssistantSettings}


@hookimpl
def samantha_config_references(config: Any) -> References | None:
    """The room map's keys are Samantha's rooms: declared ones, so a typo is not a new room."""
    settings: HomeAssistantSettings | None = getattr(config, "homeassistant", None)
    if settings is None:
        return None
    found = References()
    for room in settings.rooms:
        found.refer("room", room, ("homeassistant", "rooms", room))
    found.open_kind("device", "Home Assistant's exposed entities are devices")
    return found


@hookimpl
def samantha_device_providers(house: House) -> list[DeviceProvider]:
    settings = house.section("homeassistant")
    if settings is None:
        return []
    try:
        from .provider import HomeAssistantProvider
    except ImportError as err:
        raise ImportError(
            f"the homeassistant section needs the homeassistant-api package ({err}); "
            "install it with: pip install 'samantha[homeassistant]'"
        ) from err
    provider = HomeAssistantProvider(settings)
    _providers[house] = provider
    return [provider]


@hookimpl
def samantha_outcome(house: House, outcome: Outcome) -> Outcome | None:
    provider = _providers.get(house)
    if provider is None or provider.outage is None or outcome.commands:
        return None
    if not outcome.reply.startswith(_NOT_FOUND):
        return None
    # Changed in place as well as returned: the house hands every plugin the original outcome,
    # so a later rewording plugin (the persona) would otherwise bring the old reply back.
    outcome.reply = provider.outage.spoken
    return outcome


@hookimpl
def samantha_checks(house: House) -> list[Check]:
    settings = house.section("homeassistant")
    if settings is None:
        return []
    from .checks import home_assistant_check

    return [home_assistant_check(settings)]
