"""Device providers: the plugins that own devices, add them to the home and carry out commands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from samantha.home import Device
    from samantha.house import House


class Command(BaseModel):
    """One action on one device, as the intent layer, automations or the model issue it."""

    model_config = ConfigDict(frozen=True)

    device: str
    action: str
    params: dict[str, Any] = Field(default_factory=dict)


class CommandResult(BaseModel):
    command: Command
    ok: bool
    error: str | None = None
    # Not done but waiting to be sent (e.g. in the MQTT outbox while the broker is away).
    queued: bool = False

    @property
    def status(self) -> str:
        return "done" if self.ok else "queued" if self.queued else "failed"


class DeviceUnavailable(Exception):
    """The device (or the system behind it) cannot be reached right now."""


class CommandQueued(DeviceUnavailable):
    """Not done yet: the command waits to be delivered (the message says when)."""


class DeviceProvider:
    """Base class for a source of devices. Subclasses set `name` and implement `execute`."""

    name: str = "provider"

    async def start(self, house: House) -> None:
        """Add this provider's devices to `house.home` and start following their state."""

    async def execute(self, device: Device, command: Command) -> None:
        """Carry out `command`; raise CommandError or DeviceUnavailable with a clear reason."""
        raise NotImplementedError

    async def stop(self) -> None:
        """Release connections; called once when the house stops."""
