"""What Home Assistant keeps out of an entity's state: a to-do list's items, a weather
entity's forecast. Read over the websocket when such an entity appears or changes, one read
at a time per entity, and merged into the device's state (`items`, `forecast`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from samantha.kinds import Kind

from .errors import HomeAssistantError
from .mapping_kinds import forecast, todo_items

if TYPE_CHECKING:
    from samantha.home import Home

    from .client import HomeAssistantLink

log = logging.getLogger(__name__)

DETAILED = (Kind.TODO, Kind.WEATHER)
DETAIL_KEYS = frozenset({"items", "forecast"})  # the state keys only these reads fill in


class Details:
    def __init__(self, link: HomeAssistantLink, home: Home) -> None:
        self.link = link
        self.home = home
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()
        self._warned: set[str] = set()

    def follow(self, entity_id: str, kind: Kind) -> None:
        """Read the entity's details soon (again, if a read is already under way)."""
        if kind not in DETAILED:
            return
        running = self._tasks.get(entity_id)
        if running is not None and not running.done():
            self._again.add(entity_id)
            return
        with contextlib.suppress(RuntimeError):  # no loop: nothing is running yet
            self._tasks[entity_id] = asyncio.get_running_loop().create_task(
                self._keep_reading(entity_id, kind), name=f"homeassistant-details-{entity_id}")

    async def _keep_reading(self, entity_id: str, kind: Kind) -> None:
        while True:
            self._again.discard(entity_id)
            await self.refresh(entity_id, kind)
            if entity_id not in self._again:
                return

    async def refresh(self, entity_id: str, kind: Kind) -> None:
        """Read the details now; a failure is logged once per entity and changes nothing."""
        try:
            if kind is Kind.TODO:
                result = await self.link.ws_command(
                    f"reading the items of {entity_id}", "todo/item/list", about=entity_id,
                    entity_id=entity_id)
                changes = {"items": todo_items(result)}
            else:
                result = await self.link.ws_command(
                    f"reading the forecast of {entity_id}", "call_service", about=entity_id,
                    domain="weather", service="get_forecasts",
                    service_data={"type": "daily"}, target={"entity_id": entity_id},
                    return_response=True)
                changes = {"forecast": forecast(result, entity_id)}
        except HomeAssistantError as err:
            if entity_id not in self._warned:
                self._warned.add(entity_id)
                log.warning("Home Assistant: %s", err)
            return
        if entity_id in self.home.devices:
            self.home.update_state(entity_id, changes)

    async def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        for task in self._tasks.values():
            with contextlib.suppress(BaseException):
                await task
