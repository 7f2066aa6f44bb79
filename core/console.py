"""The interactive console: type as if speaking in a room and see what the house does."""

from __future__ import annotations

import asyncio

from rich.console import Console
from rich.markup import escape

from samantha.events import DeviceStateChanged
from samantha.house import House, UnknownRoom

# (command, what it does): the help table is built from these, so it stays aligned.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("bedroom: turn on the lamp", "say it in another room"),
    ("/room office", "move to another room"),
    ("/rooms", "the rooms of the home"),
    ("/devices", "its devices and their state"),
    ("/help", "this list"),
    ("/quit", "leave (or Ctrl-D)"),
)


def help_text() -> str:
    width = max(len(command) for command, _ in COMMANDS)
    rows = [f"  [bold]{escape(command)}[/]{' ' * (width - len(command))}   {escape(what)}"
            for command, what in COMMANDS]
    return ("Type a sentence to say it in the current room, e.g. [bold]turn on the "
            "lights[/].\n" + "\n".join(rows))


def _changes(event: DeviceStateChanged) -> str:
    changed = {k: v for k, v in event.new.items() if event.old.get(k) != v}
    return ", ".join(f"{k}={v}" for k, v in changed.items())


async def run_console(house: House, console: Console | None = None) -> None:
    console = console or Console(soft_wrap=True)
    rooms = list(house.home.rooms.values())
    if not rooms:
        console.print("[red]This home has no rooms; add some under rooms: in the config.[/]")
        return
    room = rooms[0]
    console.print(f"[bold]{house.config.name}[/]: {len(house.home.devices)} devices in "
                  f"{len(rooms)} rooms ({', '.join(r.name for r in rooms)}).")
    console.print(help_text())
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
        if line.startswith("/"):
            command, _, argument = line.partition(" ")
            if command in {"/quit", "/exit"}:
                return
            if command == "/help":
                console.print(help_text())
            elif command == "/rooms":
                for r in rooms:
                    console.print(f"  {r.id:<14} {r.name}" + (f" ({r.floor})" if r.floor else ""),
                                  highlight=False, markup=False)
            elif command == "/devices":
                for d in house.home.devices.values():
                    console.print(f"  {d.id:<34} {d.kind.value:<8} {d.state}", highlight=False,
                                  markup=False)
            elif command == "/room" and not argument.strip():
                console.print(f"you are in {room.name}; /room NAME moves to another of "
                              f"{', '.join(r.id for r in rooms)}", highlight=False, markup=False)
            elif command == "/room":
                try:
                    room = house.room(argument.strip())
                except UnknownRoom as err:
                    console.print(f"[red]{escape(str(err))}[/]")
            else:
                known = ", ".join(c for c, _ in COMMANDS if c.startswith("/") and " " not in c)
                console.print(f"[red]unknown command {escape(command)}[/]; the commands are "
                              f"{known}, /room NAME (/help explains them)", highlight=False)
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
        console.print(f"[bold magenta]{escape(house.config.name)}[/] [dim]{escape(label)}[/]: "
                      f"{escape(outcome.reply)}")
        for event in changes:
            device = house.home.devices.get(event.device)
            console.print(f"  [green]changed[/] {device.name if device else event.device}: "
                          f"{_changes(event)}", highlight=False)
