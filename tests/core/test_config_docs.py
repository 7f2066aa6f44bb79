"""docs/configuration.md is generated from the configuration's JSON Schema and must match it;
its examples are real configuration that loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.cli import samantha_cli
from samantha.config_docs import config_schema, main, render, undescribed
from samantha.config_examples import CORE_KEYS, EXAMPLES
from samantha.house import House

ROOT = Path(__file__).parents[2]
PAGE = ROOT / "docs" / "configuration.md"
# Fields shown without a description. Only ever lower this: describe new fields as you add them.
MAX_UNDESCRIBED = 0


@pytest.fixture(scope="module")
def schema() -> dict:
    return config_schema()


def test_the_page_is_up_to_date(schema: dict) -> None:
    assert PAGE.read_text(encoding="utf-8") == render(schema), (
        "docs/configuration.md is out of date; run: "
        ".venv/bin/python -m samantha.config_docs --write docs/configuration.md")


def test_every_section_has_an_example_and_a_description(schema: dict) -> None:
    sections = [k for k in schema["properties"] if k not in CORE_KEYS]
    assert sorted(EXAMPLES) == sorted(["core", *sections])
    page = render(schema)
    for section in sections:
        assert f"## {section}\n\n" in page
        assert schema["properties"][section].get("description"), section


def test_fields_have_descriptions(schema: dict) -> None:
    missing = undescribed(schema)
    assert len(missing) <= MAX_UNDESCRIBED, missing


def test_the_examples_together_are_a_valid_house(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MQTT_PASSWORD", "example-password")
    monkeypatch.setenv("HA_TOKEN", "example-token")
    monkeypatch.setenv("ALARM_CODE", "example-code")
    path = tmp_path / "samantha.yaml"
    path.write_text("".join(EXAMPLES[k] for k in ["core", *sorted(set(EXAMPLES) - {"core"})]),
                    encoding="utf-8")
    house = House.prepare(path)
    assert {r.name for r in house.config.rooms} == {"Kitchen", "Living Room", "Office"}
    for section in set(EXAMPLES) - {"core"}:
        assert house.section(section) is not None, section


def test_check_mode_reports_a_stale_page(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    stale = tmp_path / "configuration.md"
    stale.write_text("old\n", encoding="utf-8")
    assert main(["--check", str(stale)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main(["--write", str(stale)]) == 0
    assert main(["--check", str(stale)]) == 0


def test_the_starter_config_points_to_what_exists() -> None:
    from samantha.starter import STARTER

    named = re.findall(r"docs/[\w-]+\.md", STARTER)
    assert "docs/configuration.md" in named
    for doc in named:
        assert (ROOT / doc).is_file(), doc
    assert "samantha config docs" in STARTER


def test_config_docs_prints_the_reference_for_installed_users() -> None:
    out = samantha_cli("config", "docs")
    assert out.returncode == 0, out.stderr
    assert out.stdout == PAGE.read_text(encoding="utf-8")
