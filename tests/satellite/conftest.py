"""Satellite system fixtures: flite recordings, a real Mosquitto, hub and satellites as processes.

Every process is started in its own session and stopped by PID in a finalizer.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.mosquitto import Mosquitto

# isort: split
# Put this directory on sys.path now, so that conftest and the tests share one `sat_harness`.
sys.path.insert(0, str(Path(__file__).parent))
from sat_harness import Hub, Recorder, Recordings, hub_config, make_recordings


@pytest.fixture(scope="session")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> Recordings:
    return make_recordings(tmp_path_factory.mktemp("satellite-audio"))


@pytest.fixture(scope="module")
def sat_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mosquitto]:
    broker = Mosquitto(tmp_path_factory.mktemp("sat-broker")).start("plain")
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture(scope="module")
def hub(sat_broker: Mosquitto, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    work = tmp_path_factory.mktemp("hub")
    config = hub_config(work, sat_broker.port)
    running = Hub(config, work).start()
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


@pytest.fixture
def recorder(sat_broker: Mosquitto) -> Iterator[Recorder]:
    rec = Recorder(sat_broker.port).start()
    try:
        yield rec
    finally:
        rec.stop()
