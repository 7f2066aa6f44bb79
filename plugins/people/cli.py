"""`samantha people list`: who the house knows."""

from __future__ import annotations

import json
from pathlib import Path

import click

from samantha.cli import config_option, prepare


@click.group("people")
def people_group() -> None:
    """The people of the house."""


@people_group.command("list")
@config_option
@click.option("--json", "as_json", is_flag=True)
def people_list(config_path: Path | None, as_json: bool) -> None:
    """List the configured people, their aliases, usual rooms and preferred persona."""
    house = prepare(config_path)
    section = house.section("people")
    people = {name: p.model_dump() for name, p in (section.root if section else {}).items()}
    if as_json:
        click.echo(json.dumps({"people": people}, indent=2))
        return
    if not people:
        click.echo("no people configured (add a `people:` section)")
    for name, person in people.items():
        extra = f" aka {', '.join(person['aliases'])}" if person["aliases"] else ""
        rooms = ", ".join(person["rooms"]) or "-"
        click.echo(f"{name}{extra}: rooms {rooms}; persona {person['persona'] or '-'}")


def add_commands(cli: click.Group) -> None:
    cli.add_command(people_group)
