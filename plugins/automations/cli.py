"""`samantha automations check | list | trace ID | reload`."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from samantha.cli import config_option, err_console, prepare, print_table
from samantha.config import DEMO_CONFIG
from samantha.house import House
from samantha.plugins.automations import control
from samantha.plugins.automations.compiler import collect_types, compile_all
from samantha.plugins.automations.models import Automation, AutomationSettings
from samantha.plugins.automations.suggested import compile_suggested
from samantha.plugins.automations.traces import Trace, stored_traces


def _compiled(house: House) -> list[Automation]:
    section = house.section("automations")
    raw = list(section.root) if section else []
    types = collect_types(house)
    good, issues = compile_all(raw, types, house.loaded, None)
    extra, extra_issues, _path = compile_suggested(house, types, {a.id for a in raw})
    good, issues = good + extra, issues + extra_issues
    if issues:
        err_console.print(f"[bold red]The automations have {len(issues)} "
                          f"problem{'s' if len(issues) != 1 else ''}:[/]")
        for issue in issues:
            click.echo(str(issue), err=True)  # unwrapped, so file:line stays on one line
        sys.exit(2)
    return good


def _state_dir(house: House) -> Path | None:
    settings = house.section("automation_settings") or AutomationSettings()
    return control.state_dir(house.config_path, settings.state_dir)


def _when(stamp: float | None) -> str:
    return datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M:%S") if stamp else "-"


NO_AUTOMATIONS = ("this configuration has no automations (add some under `automations:`, "
                  "see docs/automations.md)")


@click.group()
def automations() -> None:
    """Check, list, trace and reload automations."""


@automations.command("check")
@config_option
def check(config_path: Path | None) -> None:
    """Validate the automations (plugin types too); exit non-zero on any problem."""
    house = prepare(config_path)
    good = _compiled(house)
    click.echo(f"{house.config_path or DEMO_CONFIG}: OK ({len(good)} automations)")


@automations.command("list")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def list_(config_path: Path | None, as_json: bool) -> None:
    """List the automations with their last run (from the running house's traces)."""
    house = prepare(config_path)
    directory = _state_dir(house)
    rows: list[dict[str, Any]] = []
    for a in _compiled(house):
        last = stored_traces(directory / "traces", a.id)[-1:] if directory else []
        rows.append({"id": a.id, "alias": a.alias, "mode": a.mode, "enabled": a.enabled,
                     "triggers": [t.trigger for t in a.triggers],
                     "last_run": last[0].started if last else None,
                     "last_outcome": last[0].outcome if last else None,
                     "origin": a.origin or "configuration"})
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        click.echo(NO_AUTOMATIONS)
        return
    print_table(("id", "alias", "mode", "triggers", "last run", "outcome", "origin"), [
        (r["id"], r["alias"] or "", r["mode"] + ("" if r["enabled"] else " (off)"),
         ", ".join(r["triggers"]), _when(r["last_run"]), r["last_outcome"] or "", r["origin"])
        for r in rows])


@automations.command("trace")
@click.argument("automation_id")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print the traces as JSON.")
@click.option("--all", "show_all", is_flag=True, help="Every kept trace, not just the last.")
def trace(automation_id: str, config_path: Path | None, as_json: bool, show_all: bool) -> None:
    """Show the last run (or every kept run) of automation AUTOMATION_ID."""
    house = prepare(config_path)
    ids = [a.id for a in _compiled(house)]
    if automation_id not in ids:
        known = (f"the automations are: {', '.join(ids)}" if ids else NO_AUTOMATIONS)
        err_console.print(f"[bold red]error:[/] no automation {escape(repr(automation_id))}; "
                          f"{escape(known)}", highlight=False, soft_wrap=True)
        sys.exit(2)
    directory = _state_dir(house)
    traces = stored_traces(directory / "traces", automation_id) if directory else []
    chosen = traces if show_all else traces[-1:]
    if as_json:
        click.echo(json.dumps([t.model_dump(mode="json") for t in chosen], ensure_ascii=False))
        return
    if not chosen:
        click.echo(f"{automation_id}: no traces: it has not run yet (traces are kept by a "
                   "running house: `samantha run`)")
    for t in chosen:
        _print_trace(t)


def _print_trace(t: Trace) -> None:
    took = f" in {(t.finished - t.started) * 1000:.1f} ms" if t.finished else ""
    click.echo(f"{t.automation} run {t.run} at {_when(t.started)}: {t.outcome}{took}"
               + (f" ({t.error})" if t.error else ""))
    trig = t.trigger
    details = ", ".join(f"{k}={json.dumps(trig[k], ensure_ascii=False)}" for k in
                        ("device", "from", "to", "topic", "payload", "sentence", "slots",
                         "event", "room") if trig.get(k) not in (None, {}, ""))
    click.echo(f"  trigger {trig.get('id')}: {trig.get('platform')} {details}".rstrip())
    for c in t.conditions:
        click.echo(f"  condition {c.path} ({c.type}): {'pass' if c.result else 'fail'}"
                   + (f" - {c.error}" if c.error else ""))
    for s in t.steps:
        result = "" if s.result is None else f" {json.dumps(s.result, ensure_ascii=False)}"
        click.echo(f"  action {s.path} ({s.type}): {s.outcome} {s.duration_ms:.1f} ms"
                   + (f" - {s.error}" if s.error else result))


@automations.command("reload")
@config_option
@click.option("--timeout", default=10.0, show_default=True,
              help="Seconds to wait for the running house to answer.")
def reload(config_path: Path | None, timeout: float) -> None:
    """Ask the running house to reload its automations; a bad edit keeps the old ones."""
    house = prepare(config_path)
    _compiled(house)
    directory = _state_dir(house)
    if directory is None:
        err_console.print("[bold red]error:[/] the demo house has no running instance to "
                          "reload; use -c samantha.yaml", highlight=False)
        sys.exit(2)
    nonce = control.request_reload(directory)
    result = control.wait_result(directory, nonce, timeout)
    if result is None:
        err_console.print(f"[bold red]error:[/] no running house answered within {timeout:g} s "
                          f"(it watches {directory})", highlight=False)
        sys.exit(1)
    if not result.get("ok"):
        err_console.print("[bold red]The running house kept its previous automations:[/]")
        for error in result.get("errors", []):
            click.echo(error, err=True)
        sys.exit(2)
    click.echo(f"reloaded {len(result.get('automations', []))} automations")
