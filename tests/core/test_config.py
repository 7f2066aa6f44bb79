"""Bad configuration gets file:line, the field path, what was expected and a hint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import samantha_cli
from samantha.config import ConfigError
from samantha.house import House

GOOD = """\
name: Test Home
rooms:
  - name: Kitchen
devices:
  - {name: Lamp, room: Kitchen, kind: light}
"""


def write(tmp_path: Path, text: str, name: str = "samantha.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def issues(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        House.prepare(path)
    return [str(i) for i in info.value.issues]


def test_good_config_loads(tmp_path: Path) -> None:
    house = House.prepare(write(tmp_path, GOOD))
    assert house.config.name == "Test Home"
    assert house.section("devices").root[0].name == "Lamp"


def test_wrong_kind_names_file_line_path_and_suggests(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("kind: light", "kind: lihgt"))
    [issue] = issues(path)
    assert issue.startswith(f"{path}:5:")
    assert "devices[0].kind" in issue
    assert "'lihgt'" in issue
    assert "did you mean 'light'" in issue


def test_misspelled_key_gets_a_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("  - name: Kitchen", "  - name: Kitchen\n    flor: 1"))
    [issue] = issues(path)
    assert f"{path}:4:" in issue and "rooms[0].flor" in issue
    assert "did you mean 'floor'" in issue


def test_unknown_section_lists_known_ones(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "devcies: []\n")
    [issue] = issues(path)
    assert f"{path}:6:" in issue and "did you mean 'devices'" in issue


def test_yaml_syntax_error_has_position(tmp_path: Path) -> None:
    path = write(tmp_path, "name: [unclosed\nrooms: []\n")
    [issue] = issues(path)
    assert issue.startswith(f"{path}:")
    assert "YAML syntax error" in issue


def test_several_problems_are_all_reported(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("kind: light", "kind: lamp") + "language: 5\n")
    assert len(issues(path)) == 2


def test_secret_is_resolved_and_never_echoed(tmp_path: Path) -> None:
    write(tmp_path, "home_name: Very Secret Name\nbad: s3cr3t-value\n", "secrets.yaml")
    house = House.prepare(write(tmp_path, "name: !secret home_name\n"))
    assert house.config.name == "Very Secret Name"
    # a secret in a field of the wrong type must not appear in the error
    path = write(tmp_path, "name: Home\nrooms: !secret bad\n")
    [issue] = issues(path)
    assert "s3cr3t-value" not in issue
    assert "rooms" in issue


def test_missing_secret_says_where_to_put_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NOPE", raising=False)
    path = write(tmp_path, "name: !secret nope\n")
    [issue] = issues(path)
    assert f"{path}:1:" in issue and "secrets.yaml" in issue and "NOPE" in issue


def test_secret_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOUSE_NAME", "From Env")
    assert House.prepare(write(tmp_path, "name: !secret house_name\n")).config.name == "From Env"


def test_include_keeps_positions_of_the_included_file(tmp_path: Path) -> None:
    write(tmp_path, "- {name: Lamp, room: Kitchen, kind: lamp}\n", "devices.yaml")
    path = write(tmp_path, "rooms: [{name: Kitchen}]\ndevices: !include devices.yaml\n")
    [issue] = issues(path)
    assert issue.startswith(f"{tmp_path / 'devices.yaml'}:1:")


def test_include_loop_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "devices: !include samantha.yaml\n", "samantha.yaml")
    [issue] = issues(tmp_path / "samantha.yaml")
    assert "loop" in issue


def test_bad_custom_sentence_template(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "intents:\n  Broken:\n    sentences: ['turn (on']\n")
    [issue] = issues(path)
    assert "intents.Broken.sentences" in issue and f"{path}:8:" in issue


def test_config_check_cli_exit_codes(tmp_path: Path) -> None:
    ok = samantha_cli("config", "check", "-c", str(write(tmp_path, GOOD)))
    assert ok.returncode == 0, ok.stderr
    bad = samantha_cli("config", "check", "-c",
                       str(write(tmp_path, GOOD.replace("light", "lamp"), "bad.yaml")))
    assert bad.returncode != 0
    assert "bad.yaml:5:" in bad.stderr
    assert "Traceback" not in bad.stderr + bad.stdout


def test_schema_is_json_schema_with_plugin_sections() -> None:
    out = samantha_cli("config", "schema")
    assert out.returncode == 0, out.stderr
    schema = json.loads(out.stdout)
    assert {"rooms", "devices", "intents", "name"} <= set(schema["properties"])


def test_demo_config_checks() -> None:
    out = samantha_cli("config", "check")
    assert out.returncode == 0 and "OK" in out.stdout
