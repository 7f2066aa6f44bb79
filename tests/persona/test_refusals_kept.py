"""Persona templates keep the house's clear refusals: the unknown room is still named, and a
failure's reason is never replaced by a template that drops it."""

from __future__ import annotations

from pathlib import Path

from samantha.house import House

HOUSE = """\
name: Refusals
rooms: [{name: Kitchen}, {name: Office}]
devices:
  - {name: Kitchen Light, room: Kitchen, kind: light}
persona:
  personas:
    - name: Blunt
      replies:
        not_understood: "I didn't understand that."
        failed: "That didn't work."
        default: "Okay."
        HassTurnOn: "Done. {detail}"
    - name: Ada
      replies:
        refused: "Unable to comply. {reply}"
        failed: "Unable to comply. {reply}"
        HassTurnOn: "Done. {detail}"
  rooms: {office: Ada}
  memory: {path: memory.db}
"""


async def test_refusals_keep_their_reason_in_every_persona(tmp_path: Path) -> None:
    cfg = tmp_path / "samantha.yaml"
    cfg.write_text(HOUSE)
    async with House.prepare(cfg) as house:
        blunt = await house.handle_text("turn on the lights in the garage", "kitchen")
        ada = await house.handle_text("turn on the lights in the garage", "office")
        no_lights = await house.handle_text("turn on the lights", "office")
        done = await house.handle_text("turn on the light", "kitchen")
    assert blunt.persona == "Blunt" and blunt.reply == "I don't know a room called garage."
    assert ada.reply == "Unable to comply. I don't know a room called garage."
    # A failed command keeps its reason, and the success wording is never used for it.
    assert no_lights.reply.startswith("Unable to comply.") and "Done" not in no_lights.reply
    assert len(no_lights.reply) > len("Unable to comply. ")
    assert done.reply == "Done. The Kitchen Light is on." and done.commands


async def test_a_refusal_of_any_intent_never_takes_the_success_wording(tmp_path: Path) -> None:
    """Intents beyond on/off (media, vacuum, lists...) refuse with a reason too: "Okay." must
    not stand in for "I can't start the vacuum: no vacuum is set up"."""
    cfg = tmp_path / "samantha.yaml"
    cfg.write_text(HOUSE)
    async with House.prepare(cfg) as house:
        vacuum = await house.handle_text("start the vacuum", "kitchen")
        paused = await house.handle_text("pause the music", "office")
    assert vacuum.intent == "HassVacuumStart" and "vacuum" in vacuum.reply.lower()
    assert vacuum.reply != "Okay." and not vacuum.commands
    assert paused.reply.startswith("Unable to comply. ") and len(paused.reply) > 20
