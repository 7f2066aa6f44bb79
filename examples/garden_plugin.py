"""A plugin as a user writes it: a garden sprinkler with its own sentences.

Load it from samantha.yaml with `plugins: [garden_plugin.py]`, then say
"water the garden for 10 minutes" or "stop watering". The valve here is simulated by a timer;
a real one would publish to MQTT or toggle a GPIO pin in `_open_valve`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import Field

from samantha import (
    Command,
    CommandError,
    Device,
    DeviceProvider,
    IntentRequest,
    Kind,
    Outcome,
    Section,
    hookimpl,
)
from samantha.references import References


class Garden(Section):
    """Settings for the garden plugin (the `garden:` section)."""

    room: str = Field("Garden", description="Where the sprinkler is.")
    max_minutes: int = Field(30, ge=1, le=120, description="Longest watering allowed.")


class Sprinkler(DeviceProvider):
    name = "garden"

    def __init__(self, settings: Garden) -> None:
        self.settings = settings
        self._timer: asyncio.Task[None] | None = None
        self.house: Any = None

    async def start(self, house: Any) -> None:
        self.house = house
        room = house.home.ensure_room(self.settings.room)
        house.home.add_device(Device(id="garden.sprinkler", name="Sprinkler", kind=Kind.SWITCH,
                                     room=room.id, aliases=["sprinklers", "watering"],
                                     state={"on": False}, provider=self.name))

    async def execute(self, device: Device, command: Command) -> None:
        if command.action == "turn_on":
            minutes = int(command.params.get("minutes", 10))
            if not 1 <= minutes <= self.settings.max_minutes:
                raise CommandError(f"I only water for up to {self.settings.max_minutes} minutes")
            self._cancel()
            self._timer = asyncio.create_task(self._close_after(device.id, minutes * 60))
            self.house.home.update_state(device.id, {"on": True, "minutes": minutes})
        elif command.action == "turn_off":
            self._cancel()
            self.house.home.update_state(device.id, {"on": False})
        else:
            raise CommandError(f"the sprinkler cannot {command.action.replace('_', ' ')}")

    async def _close_after(self, device_id: str, seconds: float) -> None:
        await asyncio.sleep(seconds)
        self.house.home.update_state(device_id, {"on": False})

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    async def stop(self) -> None:
        self._cancel()


@hookimpl
def samantha_config_sections() -> dict[str, type[Section]]:
    return {"garden": Garden}


@hookimpl
def samantha_config_references(config: Any) -> References | None:
    """The sprinkler's room must be one of the house's rooms: a typo is a config error."""
    garden = getattr(config, "garden", None)
    if garden is None:
        return None
    found = References()
    found.refer("room", garden.room, ("garden", "room"))
    return found


@hookimpl
def samantha_device_providers(house: Any) -> list[DeviceProvider]:
    return [Sprinkler(house.section("garden") or Garden())]


@hookimpl
def samantha_sentences(house: Any, language: str) -> dict[str, Any] | None:
    if language != "en":
        return None
    return {
        "language": "en",
        "intents": {
            "GardenWater": {"data": [{
                "sentences": ["water the (garden|lawn) [for {minutes} minute[s]]"],
                "metadata": {"samantha_custom": True},
            }]},
            "GardenStop": {"data": [{
                "sentences": ["stop watering [the (garden|lawn)]"],
                "metadata": {"samantha_custom": True},
            }]},
        },
        "lists": {"minutes": {"range": {"from": 1, "to": 120}}},
    }


async def water(request: IntentRequest) -> Outcome:
    minutes = int(request.slot("minutes", 10))
    results = await request.execute(
        [Command(device="garden.sprinkler", action="turn_on", params={"minutes": minutes})])
    if not results[0].ok:
        return request.outcome(f"I can't do that: {results[0].error}.", results)
    return request.outcome(f"Watering the garden for {minutes} minutes.", results)


async def stop_watering(request: IntentRequest) -> Outcome:
    results = await request.execute([Command(device="garden.sprinkler", action="turn_off")])
    return request.outcome("Okay, I've stopped the sprinkler.", results)


@hookimpl
def samantha_intent_handlers(house: Any) -> dict[str, Any]:
    return {"GardenWater": water, "GardenStop": stop_watering}
