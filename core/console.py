"""The interactive console: type as if speaking in a room and see what the house does."""

from __future__ import annotations

import asyncio

from rich.console import Console

from samantha.events import DeviceStateChanged
from samantha.house import House, UnknownRoom

HELP = """Type a sentence to say it in the current room, e.g. [bold]turn on the lights[/].
  [bold]bedroom: turn on the lamp[/]   say it in another room
  [bold]/room office[/]                move to another room
  [bold]/rooms[/], [bold]/devices[/]              what the home has
  [bold]/quit[/]                       leave (or Ctrl-D)"""


def _changes(event: DeviceStateChanged) -> str:
    changed = {k: v for k, v in event.new.items() if event.old.get(k) != v}
    return ", ".join(f"{k}={v}" for k, v in changed.items())


async def run_console(house: House, console: Console | None = None) -> None:
    console = console or Console()
    rooms = list(house.home.rooms.values())
    if not rooms:
        console.print("[red]This home has no rooms; add some under rooms: in the config.[/]")
        return
    room = rooms[0]
    console.print(f"[bold]{house.config.name}[/]: {len(house.home.devices)} devices in "
                  f"{len(rooms)} rooms ({', '.join(r.name for r in rooms)}).")
    console.print(HELP)
    changes: list[DeviceStateChanged] = []
    house.bus.subscribe(DeviceStateChanged, changes.append)
    while True:
        try:
            line = await asyncio.to_thread(input, f"{room.id}> ")
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        line = line.strip()
        if not line:
            continue
        if line in {"/quit", "/exit"}:
            return
        if line == "/rooms":
            for r in rooms:
                console.print(f"  {r.id:<14} {r.name}" + (f" ({r.floor})" if r.floor else ""))
            continue
        if line == "/devices":
            for d in house.home.devices.values():
                console.print(f"  {d.id:<34} {d.kind.value:<8} {d.state}", highlight=False)
            continue
        if line.startswith("/room"):
            try:
                room = house.room(line.removeprefix("/room").strip())
            except UnknownRoom as err:
                console.print(f"[red]{err}[/]")
            continue
        where = room
        head, sep, rest = line.partition(":")
        if sep and house.home.find_room(head.strip()):
            where, line = house.room(head.strip()), rest.strip()
        changes.clear()
        outcome = await house.handle_text(line, where.id)
        await house.bus.drain()
        label = outcome.intent or (
            "(not understood)" if outcome.source == "intent" else outcome.source
        )
        console.print(f"[bold magenta]{house.config.name}[/] [dim]{label}[/]: {outcome.reply}")
        for event in changes:
            device = house.home.devices.get(event.device)
            console.print(f"  [green]changed[/] {device.name if device else event.device}: "
                          f"{_changes(event)}", highlight=False)
