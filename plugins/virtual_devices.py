"""Virtual devices declared in YAML (`devices:`), behaving true to their kind.

The demo house is made of these; they are also handy for rehearsing automations before the real
hardware arrives.
"""

from __future__ import annotations

import hmac
from typing import Any

from pydantic import BaseModel, Field, RootModel, SecretStr, model_validator

from samantha import hookimpl
from samantha.config import Section
from samantha.home import Device, slugify
from samantha.house import House
from samantha.kinds import SENSITIVE_KINDS, CommandError, Kind, apply, default_state
from samantha.plugins.todo_store import TodoStore
from samantha.providers import Command, DeviceProvider
from samantha.references import References, room_id_of

# Kinds that serve the whole house rather than one room: their `room` may be left out.
HOUSE_WIDE = frozenset({Kind.WEATHER, Kind.TODO, Kind.PERSON, Kind.SCENE, Kind.SCRIPT,
                        Kind.VACUUM, Kind.LAWN_MOWER, Kind.ALARM_CONTROL_PANEL, Kind.BUTTON})


class VirtualDevice(Section):
    name: str = Field(description="What people call the device.")
    room: str | None = Field(None, description=(
        "The room it is in (name, alias or id). Optional for house-wide kinds: weather, todo, "
        "person, scene, script, vacuum, lawn_mower, alarm_control_panel, button."))
    kind: Kind = Field(description=(
        "light, switch, fan, cover, climate, lock, sensor, binary_sensor, media_player, scene, "
        "script, button, weather, todo, valve, vacuum, lawn_mower, alarm_control_panel, "
        "person"))
    id: str | None = Field(None, description="Stable id; derived from room and name if omitted.")
    aliases: list[str] = Field(default_factory=list, description="Other names for the device.")
    device_class: str | None = Field(None, description="e.g. blind, shade, garage, temperature.")
    state: dict[str, Any] = Field(default_factory=dict, description="Initial state.")
    sensitive: bool | None = Field(None, description="Needs spoken confirmation (locks do).")
    code: SecretStr | None = Field(None, description=(
        "alarm_control_panel only: the code it wants to arm and disarm (`!secret ...`)."))

    @model_validator(mode="after")
    def _fits_kind(self) -> VirtualDevice:
        if self.room is None and self.kind not in HOUSE_WIDE:
            raise ValueError(f"a {self.kind.value} needs a room (only "
                             f"{', '.join(sorted(k.value for k in HOUSE_WIDE))} may go without)")
        if self.code is not None and self.kind is not Kind.ALARM_CONTROL_PANEL:
            raise ValueError("only an alarm_control_panel has a code")
        return self


class VirtualDevices(RootModel[list[VirtualDevice]]):
    """Devices that exist only in Samantha: the demo house, rehearsals, tests."""

    @model_validator(mode="after")
    def _unique(self) -> VirtualDevices:
        seen: set[tuple[str, str]] = set()
        for spec in self.root:
            key = (slugify(spec.room or ""), spec.id or slugify(spec.name))
            if key in seen:
                raise ValueError(f"two devices called {spec.name!r} in {spec.room!r}; "
                                 "give one of them another name or an id")
            seen.add(key)
        return self


class VirtualProvider(DeviceProvider):
    name = "virtual"

    def __init__(self, section: VirtualDevices) -> None:
        self.section = section
        self.house: House | None = None
        self.codes: dict[str, str] = {}
        self.store: TodoStore | None = None

    async def start(self, house: House) -> None:
        self.house = house
        self.store = TodoStore(house.config.name)
        for spec in self.section.root:
            room = house.home.ensure_room(spec.room) if spec.room else None
            device_id = spec.id or (f"{room.id}.{slugify(spec.name)}" if room
                                    else slugify(spec.name))
            state = {**default_state(spec.kind), **spec.state}
            if spec.kind is Kind.TODO:
                saved = self.store.load(device_id)
                if saved is not None:  # what was on the list before the restart wins
                    state["items"] = saved
            if spec.code is not None:
                self.codes[device_id] = spec.code.get_secret_value()
            house.home.add_device(Device(
                id=device_id, name=spec.name, kind=spec.kind, room=room.id if room else None,
                aliases=spec.aliases, device_class=spec.device_class,
                state=state, provider=self.name,
                sensitive=spec.sensitive if spec.sensitive is not None
                else spec.kind in SENSITIVE_KINDS,
            ))

    async def execute(self, device: Device, command: Command) -> None:
        assert self.house is not None
        expected = self.codes.get(device.id)
        if expected is not None:
            given = command.params.get("code")
            # Compared in constant time; the code itself never goes into the error.
            if not isinstance(given, str) or not hmac.compare_digest(given, expected):
                raise CommandError("the alarm code is missing or wrong")
        new = apply(device.kind, device.state, command.action, command.params)
        self.house.home.update_state(device.id, new)
        if device.kind is Kind.TODO and self.store is not None:
            self.store.save(device.id, new["items"])

    async def stop(self) -> None:
        if self.store is not None:
            self.store.close()


@hookimpl
def samantha_config_sections() -> dict[str, type[BaseModel]]:
    return {"devices": VirtualDevices}


@hookimpl
def samantha_config_references(config: Any) -> References:
    """Each device's room must be declared; each device may be named by automations, ..."""
    found = References()
    found.declares_kind("device")
    section = getattr(config, "devices", None)
    for index, spec in enumerate(section.root if section else []):
        found.refer("room", spec.room, ("devices", index, "room"))
        if spec.room is None:
            found.declare("device", spec.name, spec.id or slugify(spec.name), *spec.aliases)
            continue
        room_id = room_id_of(config, spec.room) or slugify(spec.room)
        found.declare("device", spec.name, spec.id or f"{room_id}.{slugify(spec.name)}",
                      *spec.aliases)
    return found


@hookimpl
def samantha_device_providers(house: House) -> list[DeviceProvider]:
    section = house.section("devices")
    return [VirtualProvider(section)] if section and section.root else []
