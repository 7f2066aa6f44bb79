"""Placing a Wyoming request by Home Assistant's device registry: a device's area is its room.

Uses the suite's Home Assistant 2024.3 (its demo devices have areas); Samantha reads the
registry through the Home Assistant plugin, as a real install with `homeassistant:` does.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.homeassistant import HomeAssistant
from samantha.house import House

from .conftest import ask, start_service

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ha(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HomeAssistant]:
    instance = HomeAssistant(tmp_path_factory.mktemp("ha-rooms"))
    instance.start()
    try:
        yield instance
    finally:
        instance.stop()


def _device_id(ha: HomeAssistant, entity_id: str) -> str:
    # /api/template answers text, which the harness's JSON helper does not read.
    request = {"template": f"{{{{ device_id('{entity_id}') }}}}"}
    req = urllib.request.Request(f"{ha.url}/api/template", data=json.dumps(request).encode(),
                                 method="POST", headers={"Authorization": f"Bearer {ha.token}",
                                                         "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.read().decode().strip()


async def test_a_device_is_placed_in_its_home_assistant_area(ha: HomeAssistant,
                                                             tmp_path: Path) -> None:
    bed_light_device = _device_id(ha, "light.bed_light")  # the harness put it in Bedroom
    assert bed_light_device and bed_light_device != "None"
    config = tmp_path / "samantha.yaml"
    config.write_text(f"name: HA Home\nhomeassistant: {{url: '{ha.url}', token: '{ha.token}'}}\n")
    house = House.prepare(config)
    async with house:
        service = await start_service(house, rooms={})
        try:
            [event] = await ask(service.port, "turn on the lights", device_id=bed_light_device)
            context = event.data["context"]
            assert context["room_source"] == "homeassistant", event
            assert context["room"] == "bedroom"
            assert event.type == "handled"
            # An id HA does not know falls through to the assumed room, said as such.
            [other] = await ask(service.port, "what time is it", device_id="no-such-device")
            assert other.data["context"]["room_assumed"] is True
        finally:
            await service.stop()
    assert ha.state("light.bed_light")["state"] == "on"
