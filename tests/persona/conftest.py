"""Persona tests: a small house, a scripted OpenAI-compatible server, memory in tmp_path."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from harness.openai_server import ScriptedOpenAI
from samantha.house import House
from samantha.plugins.people.recall import embedder

SECRET = "sk-test-very-secret-4242"

HOUSE = """\
name: Test House
rooms:
  - {name: Kitchen}
  - {name: Hallway}
  - {name: Living Room}
  - {name: Office}
devices:
  - {name: Kitchen Light, room: Kitchen, kind: light}
  - {name: Front Door, room: Hallway, kind: lock}
  - {name: Desk Lamp, room: Office, kind: light}
  - {name: Safe Light, room: Office, kind: light}
  - {name: Thermostat, room: Living Room, kind: climate}
{extra_devices}
persona:
  personas:
    - name: Samantha
      traits: [warm, curious]
      style: Speaks softly.
    - name: Ada
      traits: [precise]
      replies: {HassTurnOn: "Done. {detail}"}
  rooms: {office: Ada}
  people:
    anna: {rooms: [Living Room]}
  exclude_devices: [Safe Light]
  memory: {path: memory.db}
{llm}
{extra}
"""


def llm_block(base_url: str, **options: object) -> str:
    lines = ["  llm:", f"    base_url: {base_url}", "    model: scripted",
             "    api_key: !secret llm_key"]
    lines += [f"    {k}: {v}" for k, v in options.items()]
    return "\n".join(lines)


@pytest.fixture(autouse=True, scope="session")
def sentence_model_loaded() -> None:
    """Load the recall model once, before any house: every test then finds memories by
    meaning from its first turn (no race with the background load)."""
    embedder()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SAMANTHA_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def server() -> Iterator[ScriptedOpenAI]:
    with ScriptedOpenAI() as running:
        yield running


WriteConfig = Callable[..., Path]


@pytest.fixture
def write_config(tmp_path: Path) -> WriteConfig:
    def write(llm: str = "", extra: str = "", extra_devices: str = "") -> Path:
        (tmp_path / "secrets.yaml").write_text(f"llm_key: {SECRET}\n")
        cfg = tmp_path / "samantha.yaml"
        cfg.write_text(HOUSE.replace("{llm}", llm).replace("{extra}", extra)
                       .replace("{extra_devices}", extra_devices))
        return cfg

    return write


@pytest.fixture
async def house(server: ScriptedOpenAI, write_config: WriteConfig) -> AsyncIterator[House]:
    """The test house talking to the scripted server (fast deadlines)."""
    cfg = write_config(llm_block(server.base_url, timeout=3, first_sentence_timeout=1.5))
    built = House.prepare(cfg)
    async with built:
        yield built
