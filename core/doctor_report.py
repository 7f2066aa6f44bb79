"""`samantha doctor`'s output: progress while checks run, then a tick or a cross and a fix each."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import TextIO

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn

from samantha.checks import Check, CheckResult, fail
from samantha.doctor import Finding, core_checks, exit_code, plugin_checks, run_checks

SYMBOLS = {"ok": "✓", "warn": "!", "fail": "✗"}
ASCII_SYMBOLS = {"ok": "ok", "warn": "!!", "fail": "XX"}
COLOURS = {"ok": "green", "warn": "yellow", "fail": "bold red"}


def _prepare(config_path: Path | None) -> tuple[object | None, str | None, str]:
    """The house (prepared, not started), or why not and what to do about it."""
    from samantha.config import ConfigError
    from samantha.house import House
    from samantha.plugin_host import PluginLoadError

    check = f"samantha config check{f' -c {config_path}' if config_path else ''}"
    try:
        return House.prepare(config_path), None, ""
    except ConfigError as err:
        count = len(err.issues)
        first = str(err.issues[0]).splitlines()[0] if err.issues else str(err)
        more = f" (and {count - 1} more)" if count > 1 else ""
        return None, f"{first}{more}", f"`{check}` lists every problem with file:line"
    except PluginLoadError as err:
        return None, str(err), "fix or remove the plugin named in `plugins:`"


def _utf8(stream: TextIO) -> bool:
    return (getattr(stream, "encoding", None) or "").lower().replace("-", "") == "utf8"


def print_findings(findings: list[Finding], console: Console) -> None:
    symbols = SYMBOLS if _utf8(sys.stdout) else ASCII_SYMBOLS
    width = max((len(f.name) for f in findings), default=0)
    for f in findings:
        colour = COLOURS[f.status]
        console.print(f"[{colour}]{symbols[f.status]}[/] {escape(f.name.ljust(width))}  "
                      f"{escape(f.detail)}", highlight=False, soft_wrap=True)
        if f.fix and f.status != "ok":
            console.print(f"  {' ' * width}  [dim]fix:[/] {escape(f.fix)}", highlight=False,
                          soft_wrap=True)
    counts = {s: sum(1 for f in findings if f.status == s) for s in ("ok", "warn", "fail")}
    console.print(f"{len(findings)} checks: {counts['ok']} ok, {counts['warn']} "
                  f"warning{'s' if counts['warn'] != 1 else ''}, {counts['fail']} failed",
                  highlight=False)


def run_doctor(config_path: Path | None, as_json: bool) -> int:
    house, problem, fix = _prepare(config_path)
    checks = core_checks(config_path, house, problem, fix)  # type: ignore[arg-type]
    if house is not None:
        checks += plugin_checks(house)  # type: ignore[arg-type]
    else:
        def skipped() -> CheckResult:
            return fail("not run: the configuration did not load", fix or "fix the config")

        checks.append(("core", Check("plugin checks", skipped, timeout=5)))

    err = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=err,
                  transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task(f"running {len(checks)} checks", total=len(checks))

        def done(_finding: Finding, running: list[str]) -> None:
            waiting = ", ".join(running[:3]) + (" ..." if len(running) > 3 else "")
            progress.update(task, advance=1,
                            description=f"waiting for {waiting}" if running else "done")

        findings = asyncio.run(run_checks(checks, done))
    if as_json:
        click.echo(json.dumps([f.public() for f in findings], ensure_ascii=False))
    else:
        print_findings(findings, Console(highlight=False))
    return exit_code(findings)
