"""`HomeAssistantProvider`: HA's exposed entities as devices of Samantha's home."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from samantha.home import Device
from samantha.kinds import SENSITIVE_KINDS, CommandError, Kind, apply, default_state
from samantha.providers import Command, DeviceProvider, DeviceUnavailable

from .client import HomeAssistantLink
from .details import DETAIL_KEYS, Details
from .errors import (
    HomeAssistantAuthError,
    HomeAssistantError,
    HomeAssistantNotReadyError,
    HomeAssistantUnreachableError,
)
from .models import Entity, EntityState, Snapshot, StateChange
from .rooms import apply_areas
from .settings import HomeAssistantSettings, is_sensitive
from .translate import core_state, exact_item, kind_of, service_call

if TYPE_CHECKING:
    from samantha.house import House

log = logging.getLogger(__name__)

# Failures of the connection itself, as opposed to HA refusing one particular action.
OUTAGES = (HomeAssistantUnreachableError, HomeAssistantAuthError, HomeAssistantNotReadyError)


def reason(err: HomeAssistantError) -> str:
    # The core appends its own full stop ("I couldn't do that. <device>: <reason>.").
    return err.spoken.rstrip(".")


async def reachable(url: str, budget: float) -> None:
    """Raise HomeAssistantUnreachableError unless `url`'s host takes a connection in time."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = parts.port or (443 if parts.scheme in {"https", "wss"} else 80)
    try:
        _reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), budget)
    except asyncio.TimeoutError:
        raise HomeAssistantUnreachableError(
            f"Home Assistant at {url} did not answer within {budget:g} s") from None
    except OSError as err:
        raise HomeAssistantUnreachableError(
            f"Home Assistant at {url} is unreachable: {err.strerror or err}") from None
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()


class HomeAssistantProvider(DeviceProvider):
    name = "homeassistant"

    def __init__(self, settings: HomeAssistantSettings) -> None:
        self.settings = settings
        self.link = HomeAssistantLink(settings)
        self.house: House | None = None
        # Why HA is not usable right now (None: it is); the plugin words replies with it.
        self.outage: HomeAssistantError | None = None
        self._temperature_unit: str | None = None
        self._resync: asyncio.Task[None] | None = None
        self.details: Details | None = None

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self, house: House) -> None:
        self.house = house
        self.details = Details(self.link, house.home)
        budget = house.connect_budget
        try:
            if budget is not None:
                # A one-shot command: wait for HA to take the connection no longer than the
                # budget; once it has, the sync gets the configured timeout like any other.
                self.link.outage_level = logging.INFO
                await reachable(self.settings.url, budget)
            snapshot = await self.link.sync()
        except HomeAssistantAuthError as err:
            # Retrying cannot fix a refused token; fail so the house reports this provider.
            self.outage = err
            await self.link.close()
            raise
        except HomeAssistantError as err:
            # HA may simply boot slower than Samantha: keep going, the watcher adds the
            # devices as soon as HA answers.
            self.outage = err
            if budget is not None:
                # A one-shot command ends before a retry could help: say so once, don't watch.
                house.skip_service(f"{err}: its devices are left out")
                return
            log.error("%s; Samantha will keep trying and add its devices when it answers", err)
        else:
            self._apply_snapshot(snapshot)
        self.link.watch(self._on_change, on_resync=self._on_resync,
                        on_availability=self._on_availability)

    async def stop(self) -> None:
        if self.details is not None:
            await self.details.close()
        if self._resync is not None:
            self._resync.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._resync
        await self.link.close()

    # -- acting ----------------------------------------------------------------------------
    async def execute(self, device: Device, command: Command) -> None:
        # The core's rules first (safe temperature range, 0-100 %...), exactly as for any
        # other provider; HA's own limits are checked by HA.
        apply(device.kind, device.state, command.action, command.params)
        if device.kind is Kind.TODO:
            command = exact_item(device.state, command)
        try:
            call = service_call(device.id, command)
        except (ValueError, KeyError, TypeError) as err:
            raise CommandError(str(err)) from err
        if not device.available and self.link.available:
            raise DeviceUnavailable("Home Assistant says it is unavailable")
        try:
            states = await self.link.execute(call)
        except OUTAGES as err:
            raise DeviceUnavailable(reason(err)) from err
        except HomeAssistantError as err:
            raise CommandError(reason(err)) from err
        # HA answers with the states the call changed: the model is current before the
        # websocket event arrives, so an immediate "is it on?" is answered truthfully.
        for state in states:
            self._apply_state(state)
        if device.kind is Kind.TODO and self.details is not None:
            # The list's items are not in its state: read them before the next question.
            await self.details.refresh(device.id, device.kind)

    # -- following HA ----------------------------------------------------------------------
    def _apply_snapshot(self, snapshot: Snapshot) -> None:
        assert self.house is not None
        home = self.house.home
        self._temperature_unit = snapshot.temperature_unit
        rooms = apply_areas(home, snapshot, self.settings.rooms)
        seen: set[str] = set()
        for entity in snapshot.exposed_entities():
            device = self._device(entity, rooms.get(entity.area_id or ""))
            if device is None:
                continue
            existing = home.devices.get(device.id)
            if existing is not None and existing.provider != self.name:
                log.warning("Home Assistant entity %s clashes with a %s device of the same id; "
                            "keeping that one", device.id, existing.provider)
                continue
            seen.add(device.id)
            if self.details is not None:
                self.details.follow(device.id, device.kind)
            if existing is None:
                home.add_device(device)
                continue
            if _identity(existing) != _identity(device):
                # Renamed or moved in HA: replace the device, keeping its state so the state
                # update below still tells listeners what changed.
                home.add_device(device.model_copy(update={"state": existing.state}))
            home.devices[device.id].available = device.available
            # Items and forecasts are read separately (details.py); the snapshot's defaults for
            # them ([]) must not wipe what was read.
            home.update_state(device.id, {k: v for k, v in device.state.items()
                                          if k not in DETAIL_KEYS})
        for gone in [d.id for d in home.devices.values()
                     if d.provider == self.name and d.id not in seen]:
            home.remove_device(gone)
        self.outage = None

    def _device(self, entity: Entity, room: str | None) -> Device | None:
        kind = kind_of(entity.entity_id)
        if kind is None:
            return None
        normalised = entity.state.normalised(self._temperature_unit)
        return Device(
            id=entity.entity_id, name=entity.name, kind=kind, room=room,
            aliases=list(entity.aliases), device_class=entity.device_class,
            state={**default_state(kind), **core_state(kind, normalised)},
            provider=self.name, available=normalised["available"],
            sensitive=kind in SENSITIVE_KINDS or is_sensitive(entity.domain, entity.device_class),
        )

    def _apply_state(self, state: EntityState) -> None:
        assert self.house is not None
        device = self.house.home.devices.get(state.entity_id)
        if device is None or device.provider != self.name:
            return
        normalised = state.normalised(self._temperature_unit)
        device.available = normalised["available"]
        if device.available:
            # An unavailable entity reports no real values; keep the last known ones.
            self.house.home.update_state(device.id, core_state(device.kind, normalised))
            if self.details is not None:
                self.details.follow(device.id, device.kind)

    def _on_change(self, change: StateChange) -> None:
        assert self.house is not None
        home = self.house.home
        if change.new_state is None:
            device = home.devices.get(change.entity_id)
            if device is not None and device.provider == self.name:
                home.remove_device(change.entity_id)
            return
        if change.entity_id in home.devices:
            self._apply_state(change.new_state)
        elif change.old_state is None and kind_of(change.entity_id) is not None:
            # A new entity: only a sync tells its area, aliases and exposure by area.
            self._schedule_resync()

    def _on_resync(self, snapshot: Snapshot) -> None:
        self._apply_snapshot(snapshot)
        log.info("Home Assistant at %s: home model resynced", self.settings.url)

    def _on_availability(self, available: bool) -> None:
        if available or self.house is None:
            return
        # Devices keep HA's own availability: marking them unavailable here would make the core
        # refuse commands with a vaguer reason than "I can't reach Home Assistant", and a
        # command still gets through if HA is back before the listener notices.
        self.outage = HomeAssistantUnreachableError(f"Home Assistant at {self.settings.url} "
                                                    "is unreachable")

    def _schedule_resync(self) -> None:
        if self._resync is not None and not self._resync.done():
            return

        async def resync() -> None:
            try:
                self._apply_snapshot(await self.link.sync())
            except HomeAssistantError as err:
                log.warning("Home Assistant: could not learn about a new entity: %s", err)

        self._resync = asyncio.get_running_loop().create_task(resync(), name="homeassistant-sync")


def _identity(device: Device) -> tuple[object, ...]:
    return (device.name, tuple(device.aliases), device.room, device.kind, device.device_class,
            device.sensitive)
