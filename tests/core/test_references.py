"""A name one section uses that no section declares (a room, person, persona, device) is an
error with file:line and "did you mean ...?", whichever plugin's section it is in."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import samantha_cli
from samantha.config_issues import ConfigError
from samantha.house import House
from samantha.references import Catalog, Declared, References, check_references

BASE = """\
name: Typo House
rooms:
  - {name: Kitchen}
  - {name: Living Room, aliases: [lounge]}
  - {name: Office, id: study}
devices:
  - {name: Ceiling Light, room: Kitchen, kind: light}
  - {name: Desk Lamp, room: study, kind: light}
people:
  anna: {aliases: [annie], rooms: [Office]}
persona:
  personas: [{name: Ada}]
"""

# (what, fragment appended to BASE with the typo, typo, suggestion or None)
TYPOS = [
    ("device room", "devices:\n  - {name: Lamp, room: Kitchn, kind: light}\n", "Kitchn",
     "Kitchen"),
    ("automation trigger device",
     "automations:\n  - id: a\n    triggers: [{trigger: state, device: Desk Lamb, to: 'on'}]\n"
     "    actions: [{command: turn_off, device: Desk Lamp}]\n", "Desk Lamb", "Desk Lamp"),
    ("automation action room",
     "automations:\n  - id: a\n    triggers: [{trigger: state, device: Desk Lamp, to: 'on'}]\n"
     "    actions: [{command: turn_off, room: Livng Room, kind: light}]\n", "Livng Room",
     "Living Room"),
    ("automation person",
     "automations:\n  - id: a\n    triggers: [{trigger: state, device: Desk Lamp, to: 'on'}]\n"
     "    conditions: [{condition: person, person: ana}]\n"
     "    actions: [{command: turn_off, device: Desk Lamp}]\n", "ana", "anna"),
    ("persona room", "persona:\n  personas: [{name: Ada}]\n  rooms: {Ofice: Ada}\n", "Ofice",
     "Office"),
    ("persona default", "persona:\n  personas: [{name: Ada}]\n  default: Adda\n", "Adda", "Ada"),
    ("persona trigger device",
     "persona:\n  triggers: [{device: Celing Light, state: {on: true}, say: hi}]\n",
     "Celing Light", "Ceiling Light"),
    ("persona excluded device", "persona:\n  exclude_devices: [Desk Lam]\n", "Desk Lam",
     "Desk Lamp"),
    ("people rooms", "people:\n  ben: {rooms: [Kichen]}\n", "Kichen", "Kitchen"),
    ("people persona", "people:\n  ben: {persona: Adaa}\n", "Adaa", "Ada"),
    ("satellite room", "satellite:\n  rooms:\n    kitchn: {}\n", "kitchn", "Kitchen"),
    ("speech room", "speech:\n  rooms:\n    lounj: {}\n", "lounj", "lounge"),
    ("homeassistant room map",
     "homeassistant:\n  url: http://127.0.0.1:9\n  token: abcdefgh\n  rooms:\n    Studdy: Office\n",
     "Studdy", "study"),
    ("mqtt room map", "mqtt:\n  rooms:\n    zigbee_area: Livingroom\n", "Livingroom",
     "Living Room"),
    ("mqtt device room", "mqtt:\n  devices: [{name: Plug, room: Kitchenn}]\n", "Kitchenn",
     "Kitchen"),
    ("wyoming default room", "wyoming:\n  server: {default_room: Offise}\n", "Offise",
     "Office"),
    ("custom sentence room",
     "intents:\n  Night:\n    sentences: [good night]\n"
     "    actions: [{action: turn_off, kind: light, room: Garage}]\n", "Garage", None),
]


def _config(tmp_path: Path, fragment: str) -> Path:
    # A fragment's top-level key replaces BASE's section of the same name.
    key = fragment.split(":", 1)[0]
    kept, skipping = [], False
    for line in BASE.splitlines(keepends=True):
        if not line.startswith(" "):
            skipping = line.startswith(f"{key}:")
        if not skipping:
            kept.append(line)
    path = tmp_path / "samantha.yaml"
    path.write_text("".join(kept) + fragment, encoding="utf-8")
    return path


def _line_of(path: Path, typo: str) -> int:
    # The typo is in the fragment, at the end (BASE may hold a longer word starting with it).
    lines = path.read_text(encoding="utf-8").splitlines()
    return max(n for n, line in enumerate(lines, 1) if typo in line)


@pytest.mark.parametrize(("what", "fragment", "typo", "suggestion"), TYPOS,
                         ids=[t[0] for t in TYPOS])
def test_a_typo_is_an_error_with_its_line_and_a_suggestion(
    tmp_path: Path, what: str, fragment: str, typo: str, suggestion: str | None
) -> None:
    path = _config(tmp_path, fragment)
    with pytest.raises(ConfigError) as caught:
        House.prepare(path)
    issues = caught.value.issues
    assert len(issues) == 1, [str(i) for i in issues]
    issue = issues[0]
    assert f"called {typo!r}" in issue.message
    assert issue.position is not None
    assert (issue.position.file, issue.position.line) == (str(path), _line_of(path, typo))
    if suggestion:
        assert issue.hint == f"did you mean {suggestion!r}?"
    else:
        assert issue.hint == ("known rooms: Kitchen, Living Room, Office; or declare it under "
                              "rooms: ('all' also works here)")


def test_the_base_house_and_every_way_of_naming_a_room_pass(tmp_path: Path) -> None:
    fragment = (
        "automations:\n  - id: a\n    triggers: [{trigger: state, device: study.desk_lamp, "
        "to: 'on'}]\n    conditions: [{condition: person, person: annie}]\n"
        "    actions:\n      - {command: turn_off, room: all, kind: light}\n"
        "      - {command: turn_off, room: lounge, kind: light}\n"
        "      - {command: turn_off, room: '{{ trigger.room }}', kind: light}\n"
        "      - {command: turn_off, room: living_room, kind: light}\n"
        "      - {command: turn_off, room: LIVING ROOM, kind: light}\n"
    )
    house = House.prepare(_config(tmp_path, fragment))
    assert house.config.rooms


def test_devices_are_open_when_home_assistant_adds_them(tmp_path: Path) -> None:
    fragment = ("automations:\n  - id: a\n    triggers: [{trigger: state, "
                "device: light.from_home_assistant, to: 'on'}]\n"
                "    actions: [{command: turn_off, room: Kichen, kind: light}]\n"
                "homeassistant: {url: 'http://127.0.0.1:9', token: abcdefgh}\n")
    with pytest.raises(ConfigError) as caught:
        House.prepare(_config(tmp_path, fragment))
    # The HA device may exist at run time; the room must still be declared.
    assert [i.message for i in caught.value.issues] == ["no room called 'Kichen'"]


def test_every_typo_is_reported_at_once(tmp_path: Path) -> None:
    fragment = ("persona:\n  rooms: {Ofice: Adda}\n  exclude_devices: [Nothing Here]\n")
    with pytest.raises(ConfigError) as caught:
        House.prepare(_config(tmp_path, fragment))
    assert sorted(i.message for i in caught.value.issues) == [
        "no device called 'Nothing Here'", "no persona called 'Adda'",
        "no room called 'Ofice'"]


def test_a_house_without_rooms_says_where_to_declare_them(tmp_path: Path) -> None:
    path = tmp_path / "samantha.yaml"
    path.write_text("devices:\n  - {name: Lamp, room: Kitchen, kind: light}\n")
    with pytest.raises(ConfigError) as caught:
        House.prepare(path)
    assert caught.value.issues[0].hint == "no rooms are declared: add it under rooms:"


def test_catalog_finds_names_aliases_and_ids_in_any_spelling() -> None:
    catalog = Catalog("room", [Declared("room", "Living Room", ("lounge", "living_room"))])
    for word in ["Living Room", "living room", "living_room", "LIVING-ROOM", "Lounge"]:
        assert catalog.find(word) == "Living Room", word
    assert catalog.find("Garage") is None
    assert catalog.suggest("Livng Room") == "Living Room"
    assert catalog.suggest("lounj") == "lounge"
    assert catalog.suggest("Garage") is None
    korean = Catalog("room", [Declared("room", "거실"), Declared("room", "Küche")])
    assert korean.find("거실") == "거실"
    assert korean.find("부엌") is None  # both would slugify to "x"
    assert korean.find("kuche") == "Küche"


def test_open_and_undeclared_kinds_are_not_checked() -> None:
    found = References()
    found.declares_kind("device")
    found.refer("device", "light.x", ("a",))
    found.refer("person", "nobody", ("b",))  # no plugin declares people: nothing to check
    found.open_kind("device", "discovered at run time")
    assert check_references(found, None) == []


def test_config_check_prints_the_line_and_the_suggestion(tmp_path: Path) -> None:
    path = _config(tmp_path, "devices:\n  - {name: Lamp, room: Kitchn, kind: light}\n")
    out = samantha_cli("config", "check", "-c", str(path))
    assert out.returncode == 2, out.stdout
    line = _line_of(path, "Kitchn")
    assert f"{path}:{line}:" in out.stderr
    assert "devices[0].room: no room called 'Kitchn'" in out.stderr
    assert "did you mean 'Kitchen'?" in out.stderr
    assert "OK" not in out.stdout
