"""The `samantha` command line."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from samantha.config import DEMO_CONFIG, ConfigError
from samantha.house import House, UnknownRoom
from samantha.plugin_host import PluginHost, PluginLoadError

T = TypeVar("T")
err_console = Console(stderr=True)

config_option = click.option(
    "-c", "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
    envvar="SAMANTHA_CONFIG", help="samantha.yaml to use (default: the demo house).")


def fail(message: str, code: int = 2) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    sys.exit(code)


def prepare(config_path: Path | None) -> House:
    try:
        return House.prepare(config_path)
    except ConfigError as err:
        err_console.print(f"[bold red]The configuration has {len(err.issues)} "
                          f"problem{'s' if len(err.issues) != 1 else ''}:[/]")
        for issue in err.issues:
            err_console.print(str(issue), highlight=False, markup=False)
        sys.exit(2)
    except PluginLoadError as err:
        fail(str(err))
    raise AssertionError("unreachable")


def with_house(config_path: Path | None, work: Callable[[House], Awaitable[T]]) -> T:
    """Start the house, run `work`, stop the house; errors become clear messages."""
    house = prepare(config_path)

    async def go() -> T:
        async with house:
            return await work(house)

    try:
        return asyncio.run(go())
    except UnknownRoom as err:
        fail(str(err))
    except ConfigError as err:
        fail(str(err))
    raise AssertionError("unreachable")


@click.group()
@click.option("-v", "--verbose", count=True, help="More logging (-vv for debug).")
def cli(verbose: int) -> None:
    """Samantha: the personality layer of a smart home."""
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


@cli.command()
@config_option
@click.option("--headless", is_flag=True, help="No console: serve satellites, automations and "
              "devices until SIGTERM or SIGINT (for services and tests).")
def run(config_path: Path | None, headless: bool) -> None:
    """Run the house with an interactive console (the demo house without -c)."""
    from samantha.console import run_console

    async def serve(house: House) -> None:
        import signal

        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
        err_console.print(f"{house.config.name}: running headless (pid {os.getpid()})")
        await stopping.wait()

    with_house(config_path, serve if headless else run_console)


async def stdin_lines() -> AsyncIterator[str]:
    """Lines of standard input, read off the event loop.

    A blocking read on the loop would freeze the house between lines: no keepalive, no
    reconnect after a broker restart, so every later command would only be queued. A daemon
    thread reads (so Ctrl-C is not held up by a pending read) at most 64 lines ahead.
    """
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | BaseException | None] = asyncio.Queue(maxsize=64)

    def put(item: str | BaseException | None) -> None:
        asyncio.run_coroutine_threadsafe(lines.put(item), loop).result()

    def read() -> None:
        with contextlib.suppress(Exception):  # the loop closed: nobody reads any more
            try:
                for line in sys.stdin:
                    put(line)
            except Exception as exc:  # e.g. undecodable input: the reader raises it
                put(exc)
            put(None)

    threading.Thread(target=read, name="samantha-stdin", daemon=True).start()
    while (item := await lines.get()) is not None:
        if isinstance(item, BaseException):
            raise item
        yield item


async def one_line(text: str) -> AsyncIterator[str]:
    yield text


@cli.command()
@click.argument("text")
@click.option("--room", "-r", required=True, help="The room the sentence is said in.")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
def say(text: str, room: str, config_path: Path | None, as_json: bool) -> None:
    """Handle TEXT as if said in ROOM; '-' reads one sentence per line from stdin."""

    async def work(house: House) -> None:
        house.room(room)  # fail early on an unknown room, before reading stdin
        async for line in stdin_lines() if text == "-" else one_line(text):
            if text == "-" and not line.strip():
                continue
            outcome = await house.handle_text(line.strip(), room)
            if as_json:
                click.echo(json.dumps(outcome.public(), ensure_ascii=False))
            else:
                click.echo(outcome.reply)

    with_house(config_path, work)


@cli.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def devices(config_path: Path | None, as_json: bool) -> None:
    """List the home's devices and their state."""

    async def work(house: House) -> list[dict[str, Any]]:
        return list(house.home.summary())

    found = with_house(config_path, work)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False))
        return
    from rich.table import Table

    table = Table("id", "name", "room", "kind", "state")
    for d in found:
        table.add_row(d["id"], d["name"], d["room"] or "", d["kind"],
                      json.dumps(d["state"], ensure_ascii=False))
    Console().print(table)


@cli.command()
@config_option
@click.option("--json", "as_json", is_flag=True)
def plugins(config_path: Path | None, as_json: bool) -> None:
    """List loaded plugins and the hooks each implements."""
    house = prepare(config_path)
    described = house.host.describe()
    if as_json:
        click.echo(json.dumps(described))
        return
    for p in described:
        click.echo(f"{p['name']:<22} {p['module']:<40} {', '.join(p['hooks'])}")


@cli.group()
def config() -> None:
    """Check a configuration or print its JSON Schema."""


@config.command("check")
@config_option
def config_check(config_path: Path | None) -> None:
    """Validate the configuration; exit non-zero on any problem."""
    house = prepare(config_path)
    click.echo(f"{house.config_path or DEMO_CONFIG}: OK ({len(house.config.rooms)} rooms)")


@config.command("schema")
@config_option
def config_schema(config_path: Path | None) -> None:
    """Print the JSON Schema of samantha.yaml (for editor completion)."""
    if config_path:
        host = prepare(config_path).host
    else:
        host = PluginHost()
        host.load()
    model = House.config_model(host)
    click.echo(json.dumps(model.model_json_schema(), indent=2))


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing samantha.yaml.")
def init(directory: Path, force: bool) -> None:
    """Write a commented starter samantha.yaml and secrets.yaml into DIRECTORY."""
    from samantha.starter import write_starter

    try:
        written = write_starter(directory, force=force)
    except FileExistsError as err:
        fail(f"{err} already exists; use --force to overwrite")
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"next: samantha config check -c {directory / 'samantha.yaml'}")


def build_cli() -> click.Group:
    """The CLI with plugin subcommands added (built-ins and installed packages)."""
    host = PluginHost()
    try:
        host.load()
    except PluginLoadError as err:
        err_console.print(f"[yellow]warning:[/] {err}")
    host.call("samantha_cli_commands", cli=cli)
    return cli


def main() -> None:
    build_cli()(prog_name="samantha")
