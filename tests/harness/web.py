"""A real house with its dashboard on a free loopback port, for the web tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from samantha.house import House
from samantha.plugins.web.server import Dashboard

HOUSE = """\
name: Web Test House
rooms:
  - name: Kitchen
  - name: Hallway
devices:
  - {name: Kitchen Light, room: Kitchen, kind: light}
  - {name: Front Door, room: Hallway, kind: lock}
automations:
  - id: evening
    alias: Evening light
    triggers: [{trigger: state, device: Kitchen Light, to: "on"}]
    actions: [{command: lock, device: Front Door}]
persona:
  memory: {path: memory.db}
"""


def write_house(tmp_path: Path, web: str = "web: {port: 0}\n", extra: str = "",
                secrets: str = "") -> Path:
    path = tmp_path / "samantha.yaml"
    path.write_text(HOUSE + extra + web)
    (tmp_path / "secrets.yaml").write_text(secrets or "{}\n")
    return path


@contextlib.asynccontextmanager
async def running(config: Path) -> AsyncIterator[tuple[House, Dashboard, httpx.AsyncClient]]:
    house = House.prepare(config)
    await house.start()
    dash = Dashboard(house, house.section("web"))
    try:
        address = await dash.start()
        verify = not dash.settings.tls
        async with httpx.AsyncClient(base_url=address.rstrip("/"), timeout=10,
                                     verify=verify) as client:
            yield house, dash, client
    finally:
        await dash.stop()
        await house.stop()


def csrf_of(html: str) -> str:
    marker = 'name="csrf-token" content="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]
