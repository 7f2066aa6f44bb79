"""`MqttProvider`: MQTT devices in the home model, and core commands sent over MQTT.

Start-up returns once the broker's retained discovery and states are in (see settle.py), so
a one-shot `samantha say` acts on the real device set. Devices discovered, changed or removed
later are mirrored into the home while the house runs.

A broker that is unreachable at start-up (the house often boots before it after a power cut)
does not stop the provider: after `connect_timeout` it starts with the devices declared in the
config only, keeps connecting with the client's backoff, and learns the discovered devices on
the first connection; the outbox is delivered then too. Refused credentials and TLS failures
still fail the start, since retrying cannot fix them.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samantha.home import Device
from samantha.kinds import CommandError, apply, default_state
from samantha.plugins.mqtt import codec
from samantha.plugins.mqtt.client import (
    MqttClient,
    MqttConnectError,
    MqttRefusedError,
    MqttUncertainError,
)
from samantha.plugins.mqtt.devices import MqttDevices
from samantha.plugins.mqtt.discovery import DiscoveredEntity
from samantha.plugins.mqtt.mapping import (
    KIND_OF,
    capabilities,
    codec_command,
    core_state,
    device_id,
    is_sensitive,
)
from samantha.plugins.mqtt.outbox import OutboxFullError
from samantha.plugins.mqtt.rooms import RoomBridge
from samantha.plugins.mqtt.settings import MqttSettings
from samantha.plugins.mqtt.settle import RetainedBarrier
from samantha.providers import Command, CommandQueued, DeviceProvider, DeviceUnavailable

if TYPE_CHECKING:
    from samantha.house import House

log = logging.getLogger(__name__)

QUEUED = ("the MQTT broker is unreachable; I've queued the command and will send it "
          "when the broker is back")
UNCONFIRMED = ("the MQTT broker did not confirm the command in time; it stays queued and "
               "will be sent when the broker answers")
_DRAIN_POLL_S = 0.01


def resolve_paths(settings: MqttSettings, base: Path | None) -> MqttSettings:
    """Relative file paths in the section are relative to the config file, not to the cwd."""
    if base is None:
        return settings

    def fix(path: Path | None) -> Path | None:
        return path if path is None or path.is_absolute() else base / path

    update: dict[str, Any] = {"outbox_path": fix(settings.outbox_path)}
    if settings.tls is not None:
        tls = settings.tls
        update["tls"] = tls.model_copy(update={"ca_certs": fix(tls.ca_certs),
                                               "certfile": fix(tls.certfile),
                                               "keyfile": fix(tls.keyfile)})
    return settings.model_copy(update=update)


class MqttProvider(DeviceProvider):
    name = "mqtt"

    def __init__(self, settings: MqttSettings) -> None:
        self.settings = settings
        self.house: House | None = None
        self.client: MqttClient | None = None
        self.devices: MqttDevices | None = None
        self.rooms: RoomBridge | None = None
        self._uids: dict[str, str] = {}  # core device id -> unique_id
        self._barrier: RetainedBarrier | None = None
        # True from a start without the broker until the first connection's devices are in:
        # until then the home lacks the discovered devices, and replies say why (plugin.py).
        self.waiting_for_broker = False
        self._learning = False

    # -- life cycle ------------------------------------------------------------------------

    async def start(self, house: House) -> None:
        self.house = house
        base = house.config_path.resolve().parent if house.config_path else None
        settings = self.settings = resolve_paths(self.settings, base)
        where = f"{settings.host}:{settings.port}"
        client = self.client = MqttClient(settings)
        try:
            # Waits at most connect_timeout, so a one-shot `samantha say` never hangs on a
            # broker that is down; refused credentials and TLS failures raise at once.
            budget = house.connect_budget
            timeout = min(settings.connect_timeout, budget) if budget else None
            await client.start(keep_trying=True, timeout=timeout)
        except ssl.SSLError as exc:
            raise MqttConnectError(f"TLS with the MQTT broker {where} failed: {exc}") from exc
        try:
            devices = self.devices = MqttDevices(client, settings)
            devices.on_added.append(self._put)
            devices.on_updated.append(self._put)
            devices.on_removed.append(self._removed)
            devices.on_state.append(self._state)
            devices.on_availability.append(self._availability)
            barrier = RetainedBarrier(client, f"{settings.base_topic}/sync/{settings.client_id}")
            self._barrier = barrier
            # Without a connection these only record the subscriptions (the client sends them
            # on connecting) and add the devices declared in the config.
            await barrier.start()
            await devices.start()
            # `connected` is checked here, not start()'s answer: the broker may have come up
            # meanwhile. No await between the check and the listener, so no connection is missed.
            if client.connected:
                await self._learn()
            else:
                self.waiting_for_broker = True
                if house.connect_budget is None:
                    log.warning("MQTT broker %s is unreachable; retrying in the background",
                                where)
                else:
                    house.skip_service(f"MQTT broker {where} is unreachable (waited "
                                       f"{timeout or settings.connect_timeout:g} s): its "
                                       "discovered devices are left out")
                client.add_connect_listener(self._broker_back)
        except BaseException:
            await client.stop()
            raise

    async def _broker_back(self) -> None:
        # Runs after every connection; only the first one after a start without the broker
        # has devices to learn (later ones keep their subscriptions and follow changes).
        if not self.waiting_for_broker or self._learning:
            return
        self._learning = True
        try:
            await self._learn()
        finally:
            self._learning = False

    async def _learn(self) -> None:
        """Wait for the retained discovery and states, then call the device set known."""
        assert self.devices is not None and self._barrier is not None
        await self._settle(self._barrier, self.devices)
        await self._barrier.stop()
        late = self.waiting_for_broker
        self.waiting_for_broker = False
        log.info("MQTT: %d devices from %s%s", len(self._uids),
                 f"{self.settings.host}:{self.settings.port}",
                 " (the broker is back)" if late else "")

    async def _settle(self, barrier: RetainedBarrier, devices: MqttDevices) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.discovery_timeout

        def left() -> float:
            return max(0.001, deadline - loop.time())

        # Retained discovery is in; its handling (state subscriptions) is done; the retained
        # states those subscriptions brought are in.
        if not await barrier.wait(left()):
            return
        try:
            await asyncio.wait_for(devices.idle.wait(), left())
        except (TimeoutError, asyncio.TimeoutError):
            log.warning("MQTT: discovery still being handled after %.1f s; devices that are "
                        "late will be added as they come", self.settings.discovery_timeout)
            return
        await barrier.wait(left())

    def health(self) -> dict[str, Any]:
        """The connection, refused subscriptions and unreachable devices, as plain data."""
        client = self.client.health() if self.client else {"connected": False}
        devices = self.devices.health() if self.devices else {}
        return {**client, "waiting_for_broker": self.waiting_for_broker, "devices": devices}

    async def announce_rooms(self) -> None:
        """Publish the rooms' entities; called once every provider has added its rooms."""
        if not self.settings.announce_rooms or self.client is None or self.house is None:
            return
        self.rooms = RoomBridge(self.house, self.client, self.settings)
        await self.rooms.start()

    async def stop(self) -> None:
        if self.rooms is not None:
            self.rooms.stop()
        client = self.client
        if client is None:
            return
        # Give commands still queued a moment to reach a connected broker before we go.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.stop_drain_timeout
        while client.connected and len(client.outbox) and loop.time() < deadline:
            await asyncio.sleep(_DRAIN_POLL_S)
        await client.stop()

    # -- commands ---------------------------------------------------------------------------

    async def execute(self, device: Device, command: Command) -> None:
        assert self.client is not None and self.devices is not None and self.house is not None
        unique_id = self._uids.get(device.id)
        entity = self.devices.entities.get(unique_id) if unique_id else None
        if unique_id is None or entity is None:
            raise DeviceUnavailable(f"{device.name} is no longer announced over MQTT")
        if not device.available:
            raise DeviceUnavailable(f"{device.name} is offline")
        wanted = codec_command(entity, device.state, command.action, command.params)
        try:
            futures = await self.devices.command(unique_id, wanted)
        except codec.CommandError as exc:
            raise CommandError(str(exc)) from exc
        except OutboxFullError as exc:
            raise DeviceUnavailable("too many commands are already waiting for the MQTT "
                                    "broker, so I did not queue this one") from exc
        except MqttRefusedError as exc:
            log.error("MQTT command to %s (%s) refused: %s", device.name, unique_id, exc)
            raise DeviceUnavailable(f"the command for {device.name} was refused: {exc}") from exc
        if not self.client.connected:
            raise CommandQueued(QUEUED)
        # asyncio.wait leaves the futures alone on timeout: the outbox still delivers them.
        done, pending = await asyncio.wait(futures, timeout=self.settings.command_timeout)
        for fut in done:
            if not fut.cancelled() and isinstance(fut.exception(), MqttUncertainError):
                # Sent once and not again (a press acts twice if repeated): say so plainly.
                raise DeviceUnavailable(f"I can't tell whether {device.name} got the command: "
                                        "the connection dropped as it was sent")
            if not fut.cancelled() and fut.exception() is not None:
                raise DeviceUnavailable(f"the command for {device.name} was refused: "
                                        f"{fut.exception()}")
        if pending or any(f.cancelled() for f in done):
            raise CommandQueued(UNCONFIRMED if self.client.connected else QUEUED)
        if not self.devices.state_topics.get(unique_id):
            # No state topic: like HA, assume the device did what it was told (optimistic).
            self.house.home.update_state(
                device.id, apply(device.kind, device.state, command.action, command.params))

    # -- the home model follows the MQTT layer ---------------------------------------------

    def _put(self, entity: DiscoveredEntity) -> None:
        assert self.house is not None and self.devices is not None
        home = self.house.home
        kind = KIND_OF[entity.component]
        did = device_id(entity)
        area = self.devices.room_for(entity)
        old = home.devices.get(did)
        known = core_state(entity, self.devices.states.get(entity.unique_id, {}))
        home.add_device(Device(
            id=did, name=entity.name, kind=kind,
            room=home.ensure_room(area).id if area else None,
            device_class=entity.capabilities.device_class,
            capabilities=capabilities(entity),
            state={**default_state(kind), **(old.state if old else {}), **known},
            provider=self.name,
            available=self.devices.available.get(entity.unique_id) is not False,
            sensitive=is_sensitive(entity),
        ))
        self._uids[did] = entity.unique_id

    def _removed(self, entity: DiscoveredEntity) -> None:
        assert self.house is not None
        did = device_id(entity)
        self._uids.pop(did, None)
        self.house.home.remove_device(did)

    def _state(self, entity: DiscoveredEntity, state: dict[str, Any]) -> None:
        assert self.house is not None
        did = device_id(entity)
        if did in self.house.home.devices:
            self.house.home.update_state(did, core_state(entity, state))

    def _availability(self, entity: DiscoveredEntity) -> None:
        assert self.house is not None and self.devices is not None
        device = self.house.home.devices.get(device_id(entity))
        if device is not None:
            device.available = self.devices.available.get(entity.unique_id) is not False

