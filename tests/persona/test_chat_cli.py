"""`samantha chat` works without --room: the only room, or the first one (said on stderr)."""

from __future__ import annotations

from pathlib import Path

from harness.cli import samantha_cli


def test_chat_in_a_one_room_house_needs_no_room(tmp_path: Path) -> None:
    cfg = tmp_path / "samantha.yaml"
    cfg.write_text("rooms: [{name: Studio}]\ndevices: [{name: Lamp, room: Studio, kind: light}]"
                   "\n")
    out = samantha_cli("chat", "-c", str(cfg), stdin="turn on the lamp\n", timeout=60)
    assert out.returncode == 0, out.stderr
    assert "Okay, the Lamp is on." in out.stdout
    assert "talking in" not in out.stderr  # no choice was made for the user


def test_chat_in_the_demo_house_talks_in_the_first_room() -> None:
    out = samantha_cli("chat", stdin="turn on the lights\n", timeout=60)
    assert out.returncode == 0, out.stderr
    assert "talking in Kitchen (--room to choose: kitchen, " in out.stderr
    assert "Kitchen Ceiling Light" in out.stdout
