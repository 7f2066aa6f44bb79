"""The persona rewords the new intents' replies in its own voice and keeps the facts."""

from __future__ import annotations

from pathlib import Path

from samantha.house import House

PERSONA = """
persona:
  personas:
    - name: Ada
      replies:
        HassListAddItem: "Noted. {detail}"
        HassGetWeather: "Let me look outside. {reply}"
"""


async def test_persona_voice_keeps_the_facts(house_path: Path) -> None:
    house_path.write_text(house_path.read_text() + PERSONA)
    async with House.prepare(house_path) as house:
        added = await house.handle_text("add milk to my shopping list", "kitchen")
        assert added.reply == "Noted. I've added milk to the Shopping List."
        weather = await house.handle_text("what is the weather like", "kitchen")
        assert weather.reply == "Let me look outside. It's rainy and 11.5 degrees."
        assert weather.persona == "Ada"
