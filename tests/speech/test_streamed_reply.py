"""A streamed persona reply is spoken sentence by sentence, in order, and not twice."""

from __future__ import annotations

from pathlib import Path

from harness.openai_server import Reply, ScriptedOpenAI
from samantha.hardware.sinks import NullSink
from samantha.house import House
from samantha.plugins.speech.messages import ReplyStarted
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


async def test_streamed_sentences_are_spoken_in_order_once(tmp_path: Path) -> None:
    with ScriptedOpenAI(token_interval=0.01) as server:
        server.script(Reply(text="Octopuses have three hearts. Two pump blood to the gills. "
                                 "Isn't that lovely?"))
        cfg = tmp_path / "samantha.yaml"
        cfg.write_text(CONFIG.format(url=server.base_url))
        spoken: list[str] = []
        house = House.prepare(cfg)
        async with house:
            service = SpeechService(house, house.section("speech"),
                                    report=lambda m: spoken.append(m.text)
                                    if isinstance(m, ReplyStarted) else None)
            room = await service.add_room("kitchen", sink=NullSink(realtime=True))
            try:
                outcome = await house.handle_text("tell me something about octopuses", "kitchen")
                await house.bus.drain()
                while room.speech_tasks:
                    await next(iter(room.speech_tasks))
            finally:
                await service.stop()
    assert outcome.source == "llm"
    assert spoken == ["Octopuses have three hearts.", "Two pump blood to the gills.",
                      "Isn't that lovely?"]
