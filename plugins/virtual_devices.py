"""Virtual devices declared in YAML (`devices:`), behaving true to their kind.

The demo house is made of these; they are also handy for rehearsing automations before the real
hardware arrives.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, RootModel, model_validator

from samantha import hookimpl
from samantha.config import Section
from samantha.home import Device, slugify
from samantha.house import House
from samantha.kinds import SENSITIVE_KINDS, Kind, apply, default_state
from samantha.providers import Command, DeviceProvider
from samantha.references import References, room_id_of


class VirtualDevice(Section):
    name: str = Field(description="What people call the device.")
    room: str = Field(description="The room it is in (name, alias or id).")
    kind: Kind = Field(description="light, switch, fan, cover, climate, lock, sensor, ...")
    id: str | None = Field(None, description="Stable id; derived from room and name if omitted.")
    aliases: list[str] = Field(default_factory=list, description="Other names for the device.")
    device_class: str | None = Field(None, description="e.g. blind, shade, garage, temperature.")
    state: dict[str, Any] = Field(default_factory=dict, description="Initial state.")
    sensitive: bool | None = Field(None, description="Needs spoken confirmation (locks do).")


class VirtualDevices(RootModel[list[VirtualDevice]]):
    """Devices that exist only in Samantha: the demo house, rehearsals, tests."""

    @model_validator(mode="after")
    def _unique(self) -> VirtualDevices:
        seen: set[tuple[str, str]] = set()
        for spec in self.root:
            key = (slugify(spec.room), spec.id or slugify(spec.name))
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

    async def start(self, house: House) -> None:
        self.house = house
        for spec in self.section.root:
            room = house.home.ensure_room(spec.room)
            device_id = spec.id or f"{room.id}.{slugify(spec.name)}"
            house.home.add_device(Device(
                id=device_id, name=spec.name, kind=spec.kind, room=room.id,
                aliases=spec.aliases, device_class=spec.device_class,
                state={**default_state(spec.kind), **spec.state}, provider=self.name,
                sensitive=spec.sensitive if spec.sensitive is not None
                else spec.kind in SENSITIVE_KINDS,
            ))

    async def execute(self, device: Device, command: Command) -> None:
        assert self.house is not None
        new = apply(device.kind, device.state, command.action, command.params)
        self.house.home.update_state(device.id, new)


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
        room_id = room_id_of(config, spec.room) or slugify(spec.room)
        found.declare("device", spec.name, spec.id or f"{room_id}.{slugify(spec.name)}",
                      *spec.aliases)
    return found


@hookimpl
def samantha_device_providers(house: House) -> list[DeviceProvider]:
    section = house.section("devices")
    return [VirtualProvider(section)] if section and section.root else []
