"""A kitchen whose house talks through a scripted language model and speaks with espeak-ng
into a sink that plays in real time: for tests of streamed persona replies."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from harness.openai_server import ScriptedOpenAI
from samantha.hardware.sinks import NullSink
from samantha.house import House
from samantha.plugins.speech.messages import ReplyStarted
from samantha.plugins.speech.room import RoomSpeech
from samantha.plugins.speech.service import SpeechService

CONFIG = """\
rooms: [{{name: Kitchen}}]
devices: [{{name: Lamp, room: Kitchen, kind: light}}]
persona:
  llm: {{base_url: "{url}", model: scripted, api_key: test}}
speech:
  wake: {{engine: pocketsphinx, phrases: [hey samantha]}}
  stt: {{engine: pocketsphinx, mode: grammar}}
  tts: {{engine: espeak, voice: en-us}}
"""


@asynccontextmanager
async def persona_kitchen(
        tmp_path: Path, server: ScriptedOpenAI, started: Callable[[str], None],
) -> AsyncIterator[tuple[House, RoomSpeech]]:
    """The running house and its kitchen; `started` gets each reply sentence as it starts.

    On leaving, every reply still being spoken is waited for before the room stops.
    """
    cfg = tmp_path / "samantha.yaml"
    cfg.write_text(CONFIG.format(url=server.base_url))
    house = House.prepare(cfg)
    async with house:
        service = SpeechService(house, house.section("speech"), report=lambda m: (
            started(m.text) if isinstance(m, ReplyStarted) else None))
        room = await service.add_room("kitchen", sink=NullSink(realtime=True))
        try:
            yield house, room
            await house.bus.drain()
            while room.speech_tasks:
                await next(iter(room.speech_tasks))
        finally:
            await service.stop()
