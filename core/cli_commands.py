"""Plugin subcommands, declared by name and imported only when one of them runs.

A plugin declares each command in the entry-point group `samantha.commands` (command name ->
"module:attr", the click command). Samantha's own plugins declare theirs in Samantha's
pyproject.toml exactly as a third-party package does. `samantha --help` lists every declared
command with the first line of its docstring, read from the module's source without importing
it, so printing help or a usage error costs no plugin import (click's LazyGroup pattern).

The older `samantha_cli_commands` hook still works but loads every plugin; it is consulted only
when a command is asked for that nothing declares.
"""

from __future__ import annotations

import ast
import importlib
import logging
import sys
from dataclasses import dataclass
from functools import cached_property
from importlib.machinery import ModuleSpec
from importlib.metadata import entry_points
from pathlib import Path

import click

log = logging.getLogger(__name__)

COMMAND_GROUP = "samantha.commands"


@dataclass(frozen=True)
class DeclaredCommand:
    name: str
    target: str  # "module:attr"
    source: str  # the distribution that declares it, for error messages

    @property
    def module(self) -> str:
        return self.target.partition(":")[0].strip()

    @property
    def attr(self) -> str:
        return self.target.partition(":")[2].strip()

    @cached_property
    def short_help(self) -> str:
        return declared_help(self.module, self.attr) or ""


class CommandLoadError(click.ClickException):
    """A declared command whose module does not import or whose attribute is not a command."""

    exit_code = 2


def declared_commands() -> dict[str, DeclaredCommand]:
    """Every command declared in the `samantha.commands` entry-point group; first one wins."""
    found: dict[str, DeclaredCommand] = {}
    for ep in entry_points(group=COMMAND_GROUP):
        dist = getattr(ep, "dist", None)
        source = dist.name if dist is not None else "?"
        if ep.name in found:
            log.warning("command %r is declared twice (%s and %s); using %s", ep.name,
                        found[ep.name].target, ep.value, found[ep.name].target)
            continue
        found[ep.name] = DeclaredCommand(ep.name, ep.value, source)
    return found


def _spec_without_importing(module: str) -> ModuleSpec | None:
    """`importlib.util.find_spec`, except that parent packages are located, not executed."""
    search: list[str] | None = None
    spec: ModuleSpec | None = None
    parts = module.split(".")
    for depth in range(1, len(parts) + 1):
        name = ".".join(parts[:depth])
        loaded = sys.modules.get(name)
        spec = getattr(loaded, "__spec__", None) if loaded is not None else None
        if spec is None:
            for finder in sys.meta_path:
                find = getattr(finder, "find_spec", None)
                spec = find(name, search) if find is not None else None
                if spec is not None:
                    break
        if spec is None:
            return None
        search = list(spec.submodule_search_locations or [])
    return spec


def _is_command_decorator(call: ast.Call) -> bool:
    """`@click.command(...)`, `@group.command(...)`, `@click.group(...)` (not `@click.option`)."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in {"command", "group"}


def _help_of(func: ast.FunctionDef) -> str | None:
    for decorator in func.decorator_list:
        if isinstance(decorator, ast.Call) and _is_command_decorator(decorator):
            for keyword in decorator.keywords:
                if keyword.arg in {"short_help", "help"} and isinstance(
                        keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
                    return keyword.value.value
    return ast.get_docstring(func)


def declared_help(module: str, attr: str) -> str | None:
    """The help text of `module:attr` read from its source, or None when it cannot be found."""
    try:
        spec = _spec_without_importing(module)
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            return None
        tree = ast.parse(Path(spec.origin).read_bytes())
    except (OSError, SyntaxError, ValueError, ImportError):
        return None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == attr:
            return _help_of(node)  # type: ignore[arg-type]
    return None


def load_command(declared: DeclaredCommand) -> click.Command:
    try:
        module = importlib.import_module(declared.module)
        command = getattr(module, declared.attr)
    except Exception as err:
        raise CommandLoadError(
            f"the command {declared.name!r} (declared by {declared.source} as "
            f"{declared.target}) could not be loaded: {type(err).__name__}: {err}") from err
    if not isinstance(command, click.Command):
        raise CommandLoadError(
            f"the command {declared.name!r} ({declared.target}, declared by {declared.source}) "
            f"is a {type(command).__name__}, not a click command")
    if command.name != declared.name.rpartition(".")[2]:
        # Invoked under the declared name whatever the function is called.
        command.name = declared.name.rpartition(".")[2]
    if isinstance(command, click.Group):
        _add_declared_subcommands(command, declared.name)
    return command


def _add_declared_subcommands(group: click.Group, name: str) -> None:
    """Plugins may add a subcommand to another plugin's group ("persona.log" = "module:attr");
    they are imported with the group, i.e. only when that group runs."""
    for sub_name, sub in declared_commands().items():
        parent, _, child = sub_name.rpartition(".")
        if parent == name and child not in group.commands:
            try:
                group.add_command(load_command(sub), child)
            except CommandLoadError as err:
                log.warning("%s", err.message)


class LazyGroup(click.Group):
    """A click group whose plugin commands are imported only when invoked (or their help shown)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._declared: dict[str, DeclaredCommand] | None = None
        self._legacy_loaded = False

    @property
    def declared(self) -> dict[str, DeclaredCommand]:
        # "group.sub" declares a subcommand of another command group (see `load_command`).
        if self._declared is None:
            self._declared = {n: d for n, d in declared_commands().items()
                              if n not in self.commands and "." not in n}
        return self._declared

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(self.declared))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = self.commands.get(cmd_name)
        if command is not None:
            return command
        declared = self.declared.get(cmd_name)
        if declared is not None:
            command = load_command(declared)
            self.add_command(command, cmd_name)
            return command
        if not self._legacy_loaded:
            self._legacy_loaded = True
            load_legacy_commands(self)
            return self.commands.get(cmd_name)
        return None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Like click's, but a declared command's help comes from its source, not an import."""
        rows: list[tuple[str, str]] = []
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max((len(n) for n in names), default=0)
        for name in names:
            command = self.commands.get(name)
            if command is not None:
                if command.hidden:
                    continue
                rows.append((name, command.get_short_help_str(limit)))
            else:
                text = self.declared[name].short_help
                rows.append((name, click.utils.make_default_short_help(text, limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def load_legacy_commands(group: click.Group) -> None:
    """Let plugins that still use the `samantha_cli_commands` hook add their commands."""
    from samantha.plugin_host import PluginHost, PluginLoadError

    host = PluginHost()
    try:
        host.load()
    except PluginLoadError as err:
        click.echo(f"warning: {err}", err=True)
    host.call("samantha_cli_commands", cli=group)
