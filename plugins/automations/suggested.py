"""Suggested automations: the ones the house proposed and a person accepted.

They live in their own file beside the configuration (`automation_settings.suggested_file`,
default `automations.suggested.yaml`), not in the owner's own files: the house never rewrites
what a person wrote (comments, order, includes), and the owner can still read, edit or delete
every suggestion there like any other automation. Each one carries `origin:` (who asked for it
and from what it was learned), which `samantha automations list` shows.

The file is `automations: [...]`, so problems in it are reported with its own file:line.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from samantha.config import ConfigError
from samantha.config_loader import ConfigIssue, LoadedYaml, load_yaml
from samantha.plugins.automations.compiler import SECTION, Types, _issues, compile_all
from samantha.plugins.automations.models import Automation, Automations, AutomationSettings

if TYPE_CHECKING:
    from samantha.house import House

log = logging.getLogger(__name__)

DEFAULT_NAME = "automations.suggested.yaml"
HEADER = """\
# Automations Samantha suggested and someone accepted ("Shall I do that for you?" - "yes").
# Each one says in `origin:` who accepted it and what it was learned from.
# Edit or delete them freely: the running house reloads this file when it changes.
"""


def suggested_path(house: House) -> Path:
    """Where the house keeps suggested automations (the demo house: its data directory)."""
    settings: AutomationSettings = house.section("automation_settings") or AutomationSettings()
    configured = settings.suggested_file
    if house.config_path is None:
        base = Path(os.environ.get("SAMANTHA_DATA_DIR") or
                    Path.home() / ".local" / "share" / "samantha")
    else:
        base = house.config_path.resolve().parent
    if configured is None:
        return base / DEFAULT_NAME
    return configured if configured.is_absolute() else base / configured


def read_suggested(path: Path) -> tuple[list[Automation], LoadedYaml | None, list[ConfigIssue]]:
    """The automations in the file (none when it does not exist) and any problems, file:line."""
    if not path.exists():
        return [], None, []
    try:
        loaded = load_yaml(path)
    except ConfigError as err:
        return [], None, list(err.issues)
    raw = loaded.data.get(SECTION)
    if raw is None:
        return [], loaded, []
    try:
        return list(Automations.model_validate(raw).root), loaded, []
    except ValidationError as err:
        return [], loaded, _issues(err, (SECTION,), loaded)


def compile_suggested(house: House, types: Types, taken: set[str]
                      ) -> tuple[list[Automation], list[ConfigIssue], Path]:
    """The suggested automations that compile, skipping ids the owner's config already uses."""
    path = suggested_path(house)
    automations, loaded, issues = read_suggested(path)
    if issues:
        return [], issues, path
    good, issues = compile_all(automations, types, loaded, house)
    kept = []
    for automation in good:
        if automation.id in taken:
            issues.append(ConfigIssue(
                f"duplicate automation id {automation.id!r} (also in the configuration)",
                (SECTION, automation.id), loaded.position_of((SECTION,)) if loaded else None))
            continue
        kept.append(automation)
    return kept, issues, path


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_")[:60] or "habit"


def add_suggestion(house: House, automation: dict[str, Any], taken: frozenset[str] = frozenset()
                   ) -> tuple[str, Path]:
    """Append one automation (a plain dict, validated first) to the suggested file.

    The id is made unique against the file and `taken`. The file is rewritten whole, through
    a temporary file and a rename, so a crash never leaves half of it. Returns (id, path).
    """
    path = suggested_path(house)
    existing, _loaded, issues = read_suggested(path)
    if issues:
        raise ConfigError(issues)
    used = {a.id for a in existing} | set(taken)
    base = _slug(str(automation.get("id") or automation.get("alias") or "habit"))
    chosen, n = base, 2
    while chosen in used:
        chosen, n = f"{base}_{n}", n + 1
    entry = {"id": chosen, **{k: v for k, v in automation.items() if k != "id"}}
    Automation.model_validate(entry)  # refuse to write what would not load
    current = _plain(path)
    current.append(entry)
    text = HEADER + yaml.safe_dump({SECTION: current}, sort_keys=False, allow_unicode=True,
                                   width=100)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    log.info("suggested automation %r written to %s", chosen, path)
    return chosen, path


def _plain(path: Path) -> list[dict[str, Any]]:
    """The file's automations as plain data (what the owner wrote there is kept as is)."""
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = data.get(SECTION) if isinstance(data, dict) else None
    return list(items) if isinstance(items, list) else []

