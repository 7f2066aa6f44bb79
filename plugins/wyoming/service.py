"""The running Wyoming service of one house: agent, server and optional advertisement."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from .agent import Agent, agent_name
from .server import WyomingServer
from .zeroconf import Advertisement, wanted

if TYPE_CHECKING:
    from samantha.house import House

    from .settings import ServerSettings

log = logging.getLogger(__name__)


class WyomingService:
    def __init__(self, house: House, settings: ServerSettings) -> None:
        self.agent = Agent(house, settings)
        self.server = WyomingServer(settings, self.agent.info_event, self.agent.answer)
        self.settings = settings
        self.name = agent_name(house, settings)
        self._advert: Advertisement | None = None

    @property
    def port(self) -> int:
        return self.server.bound_port

    @property
    def uri(self) -> str:
        return f"tcp://{self.server.host}:{self.port}"

    async def start(self) -> None:
        await self.server.start()
        if wanted(self.settings.zeroconf, self.server.host):
            self._advert = Advertisement(self.name, self.server.host, self.port)
            try:
                await self._advert.start()
            except Exception as err:
                # Discovery is a convenience: the server works without it.
                log.warning("wyoming: zeroconf advertisement failed: %s", err)
                self._advert = None

    async def stop(self) -> None:
        if self._advert is not None:
            try:
                await self._advert.stop()
            except Exception as err:
                log.warning("wyoming: withdrawing the zeroconf advertisement failed: %s", err)
        await self.server.stop()
