"""A streamed persona reply is spoken sentence by sentence, in order, and not twice."""

from __future__ import annotations

from pathlib import Path

from speech.persona_room import persona_kitchen

from harness.openai_server import Reply, ScriptedOpenAI


async def test_streamed_sentences_are_spoken_in_order_once(tmp_path: Path) -> None:
    with ScriptedOpenAI(token_interval=0.01) as server:
        server.script(Reply(text="Octopuses have three hearts. Two pump blood to the gills. "
                                 "Isn't that lovely?"))
        spoken: list[str] = []
        async with persona_kitchen(tmp_path, server, spoken.append) as (house, _room):
            outcome = await house.handle_text("tell me something about octopuses", "kitchen")
    assert outcome.source == "llm"
    assert spoken == ["Octopuses have three hearts.", "Two pump blood to the gills.",
                      "Isn't that lovely?"]
