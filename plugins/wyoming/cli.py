"""`samantha wyoming serve`: the house as a Wyoming conversation agent, until SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING

import click

from samantha.cli import config_option, err_console, fail, with_house

from .settings import DEFAULT_URI, ServerSettings, parse_tcp_uri

if TYPE_CHECKING:
    from samantha.house import House


@click.group()
def wyoming() -> None:
    """Samantha in Home Assistant's voice world (the Wyoming protocol)."""


@wyoming.command()
@config_option
@click.option("--uri", default=None, help=f"Where to listen (default the config's "
              f"wyoming.server.uri, else {DEFAULT_URI}). Wyoming has no authentication: keep "
              "it on loopback or a trusted network.")
def serve(config_path: Path | None, uri: str | None) -> None:
    """Serve the house as a Wyoming `handle` program (a Home Assistant conversation agent)."""
    from . import plugin
    from .service import WyomingService

    if uri is not None:
        try:
            parse_tcp_uri(uri)
        except ValueError as err:
            fail(str(err))

    async def work(house: House) -> None:
        section = house.section("wyoming")
        configured = section.server if section is not None and section.server else None
        settings = configured or ServerSettings()
        if uri is not None:
            settings = settings.model_copy(update={"uri": uri})
        # Startup may already serve the configured address; this command owns the server.
        running = plugin.service_of(house)
        if running is not None:
            await running.stop()
        service = WyomingService(house, settings)
        try:
            await service.start()
        except OSError as err:
            fail(f"cannot serve on {settings.uri}: {err}")
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
        err_console.print(f"{house.config.name}: Wyoming agent {service.name!r} on "
                          f"{service.uri} (pid {os.getpid()})", highlight=False)
        try:
            await stopping.wait()
        finally:
            await service.stop()

    with_house(config_path, work)
