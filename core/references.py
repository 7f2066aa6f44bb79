"""Names one part of the configuration uses that another part must declare (rooms, people,
personas, devices), checked in one place so every plugin's typo gets the same file:line and
"did you mean ...?".

A plugin implements `samantha_config_references(config)` and returns a `References`: what its
section declares (`declare`), what it names (`refer`), and which kinds may also appear at run
time (`open_kind`, e.g. devices discovered from Home Assistant). The house checks them all after
validation (`check_references`); `samantha config check` and `samantha run` both fail on an
unknown name instead of quietly inventing a room called "Kitchn".
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from samantha.config_issues import ConfigError, ConfigIssue, PathKey
from samantha.config_loader import LoadedYaml
from samantha.home import normalize_name, slugify

if TYPE_CHECKING:
    from samantha.config import CoreConfig
    from samantha.plugin_host import PluginHost

log = logging.getLogger(__name__)

# Where each kind is declared, for the hint of an unknown name.
DECLARED_IN = {
    "room": "rooms:",
    "person": "people:",
    "persona": "persona.personas",
    "device": "devices: (or mqtt.devices)",
}
MAX_LISTED = 12  # names listed in a hint; a big house lists the first ones and "..."


@dataclass(frozen=True)
class Declared:
    """One declared thing: its display name and every other word that reaches it (id, aliases)."""

    kind: str
    name: str
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reference:
    """A name used at `path` in the config that must be a declared `kind`."""

    kind: str
    value: str
    path: PathKey
    accept: tuple[str, ...] = ()  # words that need no declaration here, e.g. "all"


@dataclass
class References:
    """What one plugin's sections declare and refer to."""

    declared: list[Declared] = field(default_factory=list)
    refers: list[Reference] = field(default_factory=list)
    open_kinds: dict[str, str] = field(default_factory=dict)  # kind -> why it is open
    checked_kinds: set[str] = field(default_factory=set)

    def declare(self, kind: str, name: str, *also: str | None) -> None:
        self.checked_kinds.add(kind)
        self.declared.append(Declared(kind, name, tuple(a for a in also if a)))

    def declares_kind(self, kind: str) -> None:
        """This plugin is where `kind` is declared, even when it declares none of them."""
        self.checked_kinds.add(kind)

    def refer(self, kind: str, value: object, path: PathKey, *, accept: Sequence[str] = (),
              template: bool = False) -> None:
        """Note a reference; None, non-strings and (with `template`) "{...}" values are skipped:
        they are filled in at run time."""
        if not isinstance(value, str) or not value.strip():
            return
        if template and "{" in value:
            return
        self.refers.append(Reference(kind, value, path, tuple(accept)))

    def refer_all(self, kind: str, values: object, path: PathKey, *,
                  accept: Sequence[str] = (), template: bool = False) -> None:
        """A field that is one name or a list of names."""
        if isinstance(values, list):
            for index, value in enumerate(values):
                self.refer(kind, value, (*path, index), accept=accept, template=template)
        else:
            self.refer(kind, values, path, accept=accept, template=template)

    def open_kind(self, kind: str, why: str) -> None:
        self.open_kinds[kind] = why

    def merge(self, other: References) -> None:
        self.declared.extend(other.declared)
        self.refers.extend(other.refers)
        self.open_kinds.update(other.open_kinds)
        self.checked_kinds |= other.checked_kinds


def _keys(word: str) -> set[str]:
    keys = {normalize_name(word)}
    slug = slugify(word)
    # slugify keeps ASCII only: every Korean or Chinese name would be "x", and all match.
    if slug != "x" or normalize_name(word) == "x":
        keys.add(slug)
    return keys


class Catalog:
    """Every declared name of one kind, found by name, alias or id in any case or spelling of
    spaces and punctuation ('living room', 'Living Room', 'living_room')."""

    def __init__(self, kind: str, declared: Iterable[Declared]) -> None:
        self.kind = kind
        self.names: list[str] = []
        self._index: dict[str, str] = {}
        self._words: dict[str, str] = {}  # every spelling offered as a suggestion -> name
        for item in declared:
            if item.name not in self.names:
                self.names.append(item.name)
            for word in (item.name, *item.also):
                self._words.setdefault(word, item.name)
                for key in _keys(word):
                    self._index.setdefault(key, item.name)

    def find(self, value: str) -> str | None:
        for key in _keys(value):
            if key in self._index:
                return self._index[key]
        return None

    def suggest(self, value: str) -> str | None:
        """The closest declared name (or alias) to a misspelt `value`."""
        by_fold = {w.casefold(): w for w in self._words}
        close = difflib.get_close_matches(value.casefold(), list(by_fold), n=1, cutoff=0.6)
        return by_fold[close[0]] if close else None


def _listing(names: list[str]) -> str:
    shown = ", ".join(names[:MAX_LISTED])
    return shown + (", ..." if len(names) > MAX_LISTED else "")


def issue_for(ref: Reference, catalog: Catalog, loaded: LoadedYaml | None) -> ConfigIssue | None:
    """None when `ref` names something declared; else the issue, with a suggestion."""
    if catalog.find(ref.value) is not None:
        return None
    if any(normalize_name(ref.value) == normalize_name(a) for a in ref.accept):
        return None
    where = DECLARED_IN.get(ref.kind, ref.kind)
    close = catalog.suggest(ref.value)
    if close is not None:
        hint = f"did you mean {close!r}?"
    elif catalog.names:
        hint = f"known {ref.kind}s: {_listing(catalog.names)}; or declare it under {where}"
    else:
        hint = f"no {ref.kind}s are declared: add it under {where}"
    if ref.accept and close is None:
        words = " and ".join(repr(a) for a in ref.accept)
        hint += f" ({words} also work{'s' if len(ref.accept) == 1 else ''} here)"
    position = loaded.position_of(ref.path) if loaded is not None else None
    return ConfigIssue(f"no {ref.kind} called {ref.value!r}", ref.path, position, hint)


def check_references(found: References, loaded: LoadedYaml | None) -> list[ConfigIssue]:
    """Every reference to a checked, closed kind that names nothing declared."""
    catalogs = {
        kind: Catalog(kind, (d for d in found.declared if d.kind == kind))
        for kind in found.checked_kinds if kind not in found.open_kinds
    }
    issues = []
    for ref in found.refers:
        catalog = catalogs.get(ref.kind)
        if catalog is None:
            continue
        issue = issue_for(ref, catalog, loaded)
        if issue is not None:
            issues.append(issue)
    return issues


def core_references(config: CoreConfig) -> References:
    """The rooms the core's `rooms:` declares: the only rooms other sections may name."""
    found = References()
    found.declares_kind("room")
    for room in config.rooms:
        found.declare("room", room.name, room.id, *room.aliases)
    return found


def room_id_of(config: CoreConfig, name: str) -> str | None:
    """The id of the declared room `name` reaches (by name, alias or id), if any."""
    for room in config.rooms:
        room_id = room.id or slugify(room.name)
        words = (room.name, room_id, *room.aliases)
        if any(_keys(name) & _keys(word) for word in words):
            return room_id
    return None


def check_config_references(config: CoreConfig, loaded: LoadedYaml, host: PluginHost) -> None:
    """Raise ConfigError naming every reference (in any plugin's section) to nothing declared."""
    found = core_references(config)
    for plugin, contributed in host.call("samantha_config_references", config=config):
        if isinstance(contributed, References):
            found.merge(contributed)
        else:
            log.error("plugin %s: samantha_config_references returned %s, expected References; "
                      "its references are not checked", plugin, type(contributed).__name__)
    issues = check_references(found, loaded)
    if issues:
        raise ConfigError(issues)


__all__ = ["Catalog", "Declared", "Reference", "References", "check_config_references",
           "check_references", "core_references", "issue_for", "room_id_of"]
