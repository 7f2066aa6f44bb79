"""`samantha doctor`'s speech checks: the engines load, and the model knows the home's words."""

from __future__ import annotations

from pathlib import Path

from samantha.doctor import Finding, run_checks
from samantha.house import House
from samantha.plugins.speech.checks import speech_checks

HOUSE = """\
rooms: [{{name: Kitchen}}, {{name: Office, aliases: [study]}}]
devices:
  - {{name: Desk Lamp, room: Office, kind: light}}
  - {{name: {lamp}, room: Kitchen, kind: light}}
speech:
  stt: {stt}
"""


async def models_finding(tmp_path: Path, lamp: str = "Counter Lamp",
                         stt: str = "{engine: pocketsphinx}") -> Finding:
    cfg = tmp_path / "samantha.yaml"
    cfg.write_text(HOUSE.format(lamp=lamp, stt=stt))
    house = House.prepare(cfg)
    checks = speech_checks(house, house.section("speech"))
    [found] = await run_checks([("speech", c) for c in checks if c.name == "speech models"])
    return found


async def test_engines_load_and_know_every_name(tmp_path: Path) -> None:
    found = await models_finding(tmp_path)
    assert found.status == "ok", found
    assert "pocketsphinx recognizer" in found.detail and "every word" in found.detail


async def test_a_name_the_model_cannot_hear_is_a_warning(tmp_path: Path) -> None:
    found = await models_finding(tmp_path, lamp="Zorblax Lamp")
    assert found.status == "warn", found
    assert "lacks 1 word(s)" in found.detail and "zorblax" in found.detail
    assert "aliases" in found.fix


async def test_a_missing_vosk_model_says_how_to_get_one(tmp_path: Path) -> None:
    found = await models_finding(tmp_path, stt=f"{{engine: vosk, model: {tmp_path / 'nope'}}}")
    assert found.status == "fail", found
    assert "stt engine 'vosk' cannot start" in found.detail
    assert "samantha models download" in found.fix
