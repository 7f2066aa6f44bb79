"""A real Home Assistant 2024.12.5 adds Samantha through its Wyoming integration and talks to
her as a conversation agent. 2024.12 is the newest release on Python 3.12 (this machine's
newest usable Python for HA) and has the Wyoming conversation entity (HA 2024.9+)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.ha_voice import VoiceHomeAssistant
from samantha.house import House
from samantha.plugins.wyoming.service import WyomingService

from .conftest import start_service

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def voice_ha(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoiceHomeAssistant]:
    ha = VoiceHomeAssistant(tmp_path_factory.mktemp("ha-voice"))
    ha.start()
    try:
        yield ha
    finally:
        ha.stop()


@pytest.fixture
async def served(house: House) -> AsyncIterator[WyomingService]:
    service = await start_service(house, name="Samantha")
    try:
        yield service
    finally:
        await service.stop()


async def _api(ha: VoiceHomeAssistant, method: str, path: str, body: Any = None) -> Any:
    # HA's stdlib client blocks; Samantha's server runs on this loop, so call from a thread.
    status, result = await asyncio.to_thread(ha.api, method, path, body)
    assert status == 200, f"{method} {path}: HTTP {status}\n{ha.log_tail()}"
    return result


async def test_home_assistant_uses_samantha_as_its_conversation_agent(
        voice_ha: VoiceHomeAssistant, served: WyomingService, house: House,
        tmp_path: Path) -> None:
    flow = await _api(voice_ha, "POST", "/api/config/config_entries/flow",
                      {"handler": "wyoming", "show_advanced_options": False})
    assert flow["type"] == "form" and flow["step_id"] == "user", flow
    entry = await _api(voice_ha, "POST", f"/api/config/config_entries/flow/{flow['flow_id']}",
                       {"host": "127.0.0.1", "port": served.port})
    assert entry["type"] == "create_entry", entry
    assert entry["title"] == "Samantha"

    agent = None
    for _ in range(100):
        states = await _api(voice_ha, "GET", "/api/states")
        agent = next((s["entity_id"] for s in states
                      if s["entity_id"].startswith("conversation.")
                      and "samantha" in s["entity_id"]), None)
        if agent:
            break
        await asyncio.sleep(0.1)
    assert agent, f"no Samantha conversation entity in {[s['entity_id'] for s in states]}"

    light = house.home.devices["kitchen.counter_lights"]
    assert not light.state.get("on")
    result = await _api(voice_ha, "POST", "/api/conversation/process",
                        {"text": "turn on the lights", "agent_id": agent, "language": "en"})
    speech = result["response"]["speech"]["plain"]["speech"]
    assert result["response"]["response_type"] == "action_done", result
    assert "Counter Lights" in speech, result
    assert house.home.devices["kitchen.counter_lights"].state["on"] is True

    # A follow-up in the same conversation: HA passes its conversation_id back to Samantha.
    follow = await _api(voice_ha, "POST", "/api/conversation/process",
                        {"text": "turn off the lights", "agent_id": agent, "language": "en",
                         "conversation_id": result["conversation_id"]})
    assert follow["conversation_id"] == result["conversation_id"]
    assert house.home.devices["kitchen.counter_lights"].state["on"] is False

    # Something Samantha cannot do comes back as HA's error response, with her words.
    refused = await _api(voice_ha, "POST", "/api/conversation/process",
                         {"text": "turn on the lights in the garage", "agent_id": agent})
    assert refused["response"]["response_type"] == "error"
    assert "garage" in refused["response"]["speech"]["plain"]["speech"]
