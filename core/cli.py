"""The `samantha` command line."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click
from rich.console import Console
from rich.markup import escape

from samantha import __version__, redact
from samantha.cli_commands import LazyGroup
from samantha.cli_input import _once, clean_text, read_lines
from samantha.config import DEMO_CONFIG, ConfigError

if TYPE_CHECKING:
    from samantha.house import House

T = TypeVar("T")
err_console = Console(stderr=True)

config_option = click.option(
    "-c", "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
    envvar="SAMANTHA_CONFIG", help="samantha.yaml to use (default: the demo house).")


def fail(message: str, code: int = 2, *, as_json: bool = False) -> NoReturn:
    """Say what went wrong (a JSON object on stdout for --json commands) and exit."""
    if as_json:
        click.echo(json.dumps({"error": message}, ensure_ascii=False))
    else:
        err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False,
                          soft_wrap=True)
    sys.exit(code)


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """A table on a terminal; plain aligned columns when piped. Nothing is ever cut short.

    Ids and names are what people type in configs and commands, so an ellipsis would lose
    exactly what they came for: piped output has no width limit, and on a narrow terminal
    cells fold onto further lines instead.
    """
    console = Console()
    if not console.is_terminal:
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
        for row in [header, *rows]:
            cells = [c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)]
            click.echo("  ".join([*cells, row[-1]]).rstrip())
        return
    from rich.table import Table

    table = Table()
    for name in header:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*row)
    console.print(table)


class JsonErrors(click.Command):
    """A command whose usage errors are JSON too when --json is among its arguments."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        wants_json = "--json" in args
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as err:
            if wants_json:
                fail(f"{err.format_message().rstrip('.')} (see 'samantha {self.name} --help')",
                     err.exit_code, as_json=True)
            raise


def prepare(config_path: Path | None, *, as_json: bool = False) -> House:
    from samantha.house import House
    from samantha.plugin_host import PluginLoadError

    try:
        return House.prepare(config_path)
    except ConfigError as err:
        headline = (f"The configuration has {len(err.issues)} "
                    f"problem{'s' if len(err.issues) != 1 else ''}")
        if as_json:
            click.echo(json.dumps({"error": headline, "issues": [str(i) for i in err.issues]},
                                  ensure_ascii=False))
            sys.exit(2)
        err_console.print(f"[bold red]{headline}:[/]")
        for issue in err.issues:
            err_console.print(str(issue), highlight=False, markup=False, soft_wrap=True)
        sys.exit(2)
    except PluginLoadError as err:
        fail(str(err), as_json=as_json)


ONE_SHOT_CONNECT_TIMEOUT = 1.5  # seconds: a broker or HA on the LAN answers in milliseconds

connect_timeout_option = click.option(
    "--connect-timeout", type=click.FloatRange(min=0, min_open=True),
    default=ONE_SHOT_CONNECT_TIMEOUT, show_default=True, metavar="SECONDS",
    help="How long to wait for the MQTT broker and Home Assistant before going on without them.")


def with_house(config_path: Path | None, work: Callable[[House], Awaitable[T]],
               connect_timeout: float | None = None, *, as_json: bool = False,
               one_shot: bool = False) -> T:
    """Start the house, run `work`, stop the house; errors become clear messages.

    With `connect_timeout` absent services are waited for that long at most, and what was
    left out without them is said on stderr, one line each. `one_shot`: the command ends when
    `work` does (see `House.one_shot`); `connect_timeout` implies it.
    """
    from samantha.house import UnknownRoom

    house = prepare(config_path, as_json=as_json)
    house.connect_budget = connect_timeout
    house.one_shot = one_shot or connect_timeout is not None

    async def go() -> T:
        async with house:
            for note in house.skipped:
                err_console.print(f"[yellow]skipped:[/] {escape(note)}", highlight=False,
                                  soft_wrap=True)
            return await work(house)

    try:
        return asyncio.run(go())
    except (UnknownRoom, ConfigError) as err:
        fail(str(err), as_json=as_json)


@click.group(cls=LazyGroup)
@click.version_option(__version__, "-V", "--version", prog_name="samantha")
@click.option("-v", "--verbose", count=True, help="More logging (-vv for debug).")
def cli(verbose: int) -> None:
    """Samantha: the personality layer of a smart home."""
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    redact.redact_logging()


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

    async def with_dashboard(house: House) -> None:
        from samantha.plugins.web.plugin import serving

        dashboard = await serving(house)
        if dashboard is not None:
            err_console.print(f"{house.config.name}: dashboard at {dashboard.address}",
                              highlight=False, markup=False)
        try:
            await (serve if headless else run_console)(house)
        finally:
            if dashboard is not None:
                await dashboard.stop()

    with_house(config_path, with_dashboard)


@cli.command(cls=JsonErrors)
@click.argument("text")
@click.option("--room", "-r", required=True, help="The room the sentence is said in.")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@connect_timeout_option
def say(text: str, room: str, config_path: Path | None, as_json: bool,
        connect_timeout: float) -> None:
    """Handle TEXT as if said in ROOM; '-' reads one sentence per line from stdin."""
    if not text.strip():
        fail("nothing to say: TEXT is empty (give a sentence, or '-' to read sentences from "
             "stdin)", as_json=as_json)

    async def work(house: House) -> None:
        house.room(room)  # fail early on an unknown room, before reading stdin
        ascii_only = (getattr(sys.stdout, "encoding", None) or "utf-8").lower().replace(
            "-", "") != "utf8"
        lines = read_lines(sys.stdin) if text == "-" else _once(clean_text(text))
        failed = 0
        async for number, line in lines:
            if not line.strip():
                continue
            try:
                outcome = await house.handle_text(line.strip(), room)
            except Exception as err:  # one bad line must not lose the rest of stdin
                logging.getLogger(__name__).debug("line %d failed", number, exc_info=True)
                failed += 1
                if as_json:  # in line with the outcomes, so a reader can tell which failed
                    click.echo(json.dumps({"line": number, "error": f"{type(err).__name__}: "
                                           f"{err}"}, ensure_ascii=ascii_only))
                else:
                    err_console.print(f"line {number}: {type(err).__name__}: {err}",
                                      highlight=False, markup=False)
                continue
            if as_json:
                # Valid in any output encoding: escapes when the terminal is not UTF-8.
                click.echo(json.dumps(outcome.public(), ensure_ascii=ascii_only))
            else:
                click.echo(outcome.reply)
        if failed:
            sys.exit(1)

    with_house(config_path, work, connect_timeout, as_json=as_json)


@cli.command(cls=JsonErrors)
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@connect_timeout_option
def devices(config_path: Path | None, as_json: bool, connect_timeout: float) -> None:
    """List the home's devices and their state."""

    async def work(house: House) -> list[dict[str, Any]]:
        return list(house.home.summary())

    found = with_house(config_path, work, connect_timeout, as_json=as_json)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False))
        return
    print_table(("id", "name", "room", "kind", "state"),
                [(d["id"], d["name"], d["room"] or "", d["kind"],
                  json.dumps(d["state"], ensure_ascii=False)) for d in found])


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
    rooms = len(house.config.rooms)
    click.echo(f"{house.config_path or DEMO_CONFIG}: OK ({rooms} room{'s' if rooms != 1 else ''})")
    err_console.print("skipped: services were not contacted (broker, Home Assistant, model); "
                      "`samantha doctor` checks them", highlight=False, markup=False,
                      soft_wrap=True)


@config.command("schema")
@config_option
def config_schema(config_path: Path | None) -> None:
    """Print the JSON Schema of samantha.yaml (for editor completion)."""
    from samantha.house import House
    from samantha.plugin_host import PluginHost

    if config_path:
        host = prepare(config_path).host
    else:
        host = PluginHost()
        host.load()
    model = House.config_model(host)
    click.echo(json.dumps(model.model_json_schema(), indent=2))


@config.command("docs")
def config_docs() -> None:
    """Print the configuration reference (Markdown) for the plugins installed here."""
    from samantha.config_docs import config_schema, render

    click.echo(render(config_schema(entry_points=True)), nl=False)


@cli.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print the findings as a JSON list.")
def doctor(config_path: Path | None, as_json: bool) -> None:
    """Check the installation, the config and every service it names, with a fix for each."""
    from samantha.doctor import checks_still_running
    from samantha.doctor_report import run_doctor

    code = run_doctor(config_path, as_json)
    if checks_still_running():
        # A check that timed out is still in its thread, perhaps in a driver's or a model's
        # native code, where the interpreter's exit can abort the process ("FATAL: exception
        # not rethrown") after the report. The report is out: end here.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


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


def main() -> None:
    # Everything the command prints, from any plugin or traceback, passes the secret filter.
    redact.redact_standard_streams()
    cli(prog_name="samantha")
