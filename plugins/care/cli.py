"""`samantha persona log` (what the house said on its own, and why) and `samantha habits`."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from samantha.cli import config_option
from samantha.plugins.persona.cli import _runtime

from .store import CareStore


def _when(stamp: float) -> str:
    return datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")


@click.command("log")
@config_option
@click.option("--person", default=None, help="Only what was raised with this person.")
@click.option("--limit", default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def log_command(config_path: Path | None, person: str | None, limit: int, as_json: bool) -> None:
    """What the house said first (or held back), to whom, where, why, and the answer."""
    rt = _runtime(config_path)
    try:
        rows = CareStore(rt.memory).log(limit, person.casefold() if person else None)
    finally:
        rt.memory.close()
    if as_json:
        click.echo(json.dumps([r.public() for r in rows], ensure_ascii=False))
        return
    if not rows:
        click.echo("The house has not spoken first yet.")
    for r in rows:
        where = f" in {r.room}" if r.room else ""
        answer = f" -> {r.answer}" if r.answer else ""
        click.echo(f"{_when(r.at)} {r.kind} to {r.person or 'anyone'}{where}: {r.status}"
                   f"{answer}\n    why: {r.reason}\n    said: {r.text}")


@click.command("habits")
@config_option
@click.option("--json", "as_json", is_flag=True)
def habits_command(config_path: Path | None, as_json: bool) -> None:
    """The answers given to habit suggestions (accepted ones name their automation)."""
    rt = _runtime(config_path)
    try:
        store = CareStore(rt.memory)
        rows = store.db.execute("SELECT key, person, decision, at, automation FROM "
                                "habit_decisions ORDER BY at").fetchall()
    finally:
        rt.memory.close()
    data = [{"habit": r[0], "person": r[1], "decision": r[2], "at": r[3], "automation": r[4]}
            for r in rows]
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    if not data:
        click.echo("No habit has been suggested and answered yet.")
    for d in data:
        auto = f" (automation {d['automation']})" if d["automation"] else ""
        click.echo(f"{_when(d['at'])} {d['person'] or 'someone'}: {d['decision']}{auto}\n"
                   f"    {d['habit']}")


