"""The interactive console: /commands are handled (never said to the house), help is aligned."""

from __future__ import annotations

import re

import pytest

from harness.cli import samantha_cli

CONFIG = """\
rooms: [{name: Kitchen}, {name: Office}]
devices: [{name: Lamp, room: Kitchen, kind: light}]
web: {enabled: false}
"""

SESSION = "/help\n/nope\n/room\n/room attic\n/room office\nkitchen: turn on the lamp\n/quit\n"


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> str:
    cfg = tmp_path_factory.mktemp("console") / "samantha.yaml"
    cfg.write_text(CONFIG)
    out = samantha_cli("run", "-c", str(cfg), stdin=SESSION, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_help_is_an_aligned_table_printed_on_request(session: str) -> None:
    rows = [ln for ln in session.splitlines() if re.match(r"^  (/|\w+:)", ln)]
    assert len(rows) == 12  # at start and for /help
    assert len({len(re.match(r"^  (.*?\S)   +", ln).group(0)) for ln in rows}) == 1, rows
    assert "kitchen> Type a sentence" in session  # /help answered at the prompt


def test_unknown_commands_are_reported_not_said(session: str) -> None:
    assert "unknown command /nope; the commands are /rooms, /devices, /help, /quit, " \
           "/room NAME (/help explains them)" in session
    assert "(not understood)" not in session


def test_room_commands(session: str) -> None:
    assert "you are in Kitchen; /room NAME moves to another of kitchen, office" in session
    assert "unknown room 'attic'" in session
    assert "office> " in session
    assert "HassTurnOn: Okay, the Lamp is on." in session
    assert "changed Lamp: on=True" in session
