"""Fixtures: real Mosquitto brokers and simulated devices that are real paho clients."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.mosquitto import Mosquitto
from samantha.plugins.mqtt.client import MqttClient

# isort: split
# pytest puts this directory on sys.path for the test modules only after loading this
# conftest; add it now so that both import the one `mqtt_sims` module.
sys.path.insert(0, str(Path(__file__).parent))
from mqtt_sims import Cover, SimDevice, TasmotaSwitch, Z2MBulb, settings_for


@pytest.fixture
async def samantha(broker: Mosquitto, tmp_path: Path) -> Any:
    client = MqttClient(settings_for(broker, tmp_path))
    await client.start()
    try:
        yield client
    finally:
        await client.stop()

@pytest.fixture
def devices(broker: Mosquitto) -> Iterator[dict[str, SimDevice]]:
    sims: dict[str, SimDevice] = {
        "bulb": Z2MBulb(broker).start(),
        "plug": TasmotaSwitch(broker).start(),
        "cover": Cover(broker).start(),
    }
    for sim in sims.values():
        sim.announce()  # type: ignore[attr-defined]
    try:
        yield sims
    finally:
        for sim in sims.values():
            sim.stop()
