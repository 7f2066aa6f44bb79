"""Reads samantha.yaml into plain data, remembering where every value came from.

Supports `!secret NAME` (secrets.yaml beside the config, else the environment variable NAME in
upper case) and `!include FILE` (a path relative to the including file). Positions are kept per
value path so validation errors can name the file and line.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar

from samantha import redact
from samantha.config_issues import ConfigError, ConfigIssue, PathKey, Position, format_path
from samantha.yaml_text import decode, parse

# Aliases can make a few lines expand into billions of values ("billion laughs").
MAX_VALUES = 50_000


def _line_col(lookup: Callable[[Any], Any], key: Any) -> Any:
    """Where a key or item stands, or None: keys merged in with `<<:` have no place of their own
    in ruamel's record (it raises KeyError for them)."""
    try:
        return lookup(key)
    except (KeyError, IndexError, TypeError):
        return None


@dataclass
class LoadedYaml:
    """Plain data plus where each piece came from and which values are secrets."""

    data: Any
    positions: dict[PathKey, Position] = field(default_factory=dict)
    secret_paths: set[PathKey] = field(default_factory=set)
    files: list[Path] = field(default_factory=list)

    def position_of(self, path: PathKey) -> Position | None:
        """The position of `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            found = self.positions.get(tuple(path[:end]))
            if found:
                return found
        return None


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.result = LoadedYaml(data=None)
        self._secrets: dict[str, Any] | None = None
        self._including: list[Path] = []
        self._values = 0

    def read(self, path: Path, at: PathKey = ()) -> Any:
        where = self.result.positions.get(at)
        path = path.resolve()
        if path in self._including:
            chain = " -> ".join(p.name for p in [*self._including, path])
            raise ConfigError([ConfigIssue(f"!include loop: {chain}", at, where,
                                           "an included file must not include itself")])
        try:
            data = path.read_bytes()
        except OSError as err:
            raise ConfigError([ConfigIssue(f"cannot read {path}: {err.strerror or err}", at,
                                           where, "check the path (relative to this file)")]
                              ) from None
        node = parse(decode(data, path, at), path, at)
        self.result.files.append(path)
        self._including.append(path)
        try:
            return self._convert(node, path, at, None)
        finally:
            self._including.pop()

    def _mark(self, at: PathKey, file: Path, line_col: Any) -> None:
        if line_col is not None:
            self.result.positions.setdefault(at, Position(str(file), line_col[0] + 1,
                                                          line_col[1] + 1))

    def _convert(self, node: Any, file: Path, at: PathKey, line_col: Any) -> Any:
        self._mark(at, file, line_col)
        self._values += 1
        if self._values > MAX_VALUES:
            raise ConfigError([ConfigIssue(
                f"more than {MAX_VALUES:,} values (aliases expanding?)", at,
                self.result.positions.get(at), "use fewer aliases (*name) of large structures")])
        tag = getattr(getattr(node, "tag", None), "value", None)
        if isinstance(node, (CommentedMap, CommentedSeq)) and tag and tag.startswith("!"):
            raise ConfigError([ConfigIssue(
                f"{tag} cannot be used on a {'mapping' if isinstance(node, dict) else 'list'}",
                at, self.result.positions.get(at), "!secret and !include take a single name")])
        if isinstance(node, CommentedMap):
            out: dict[str, Any] = {}
            for key, value in node.items():
                child = (*at, str(key))
                self._mark(child, file, _line_col(node.lc.key, key))
                out[str(key)] = self._convert(value, file, child, _line_col(node.lc.value, key))
            return out
        if isinstance(node, CommentedSeq):
            return [
                self._convert(value, file, (*at, i), _line_col(node.lc.item, i))
                for i, value in enumerate(node)
            ]
        if isinstance(node, TaggedScalar):
            return self._tagged(node, file, at)
        if isinstance(node, str):
            return str(node)
        return node

    def _tagged(self, node: TaggedScalar, file: Path, at: PathKey) -> Any:
        tag = node.tag.value if hasattr(node.tag, "value") else str(node.tag)
        value = str(node.value).strip()
        if tag == "!secret":
            self.result.secret_paths.add(at)
            return self._secret(value, at)
        if tag == "!include":
            if not value:
                raise ConfigError([ConfigIssue("!include needs a file name", at,
                                               self.result.positions.get(at))])
            return self.read(file.parent / value, at)
        raise ConfigError(
            [ConfigIssue(f"unknown tag {tag}", at, self.result.positions.get(at),
                         "Samantha understands !secret and !include")]
        )

    def _secret(self, name: str, at: PathKey) -> Any:
        secrets = self._load_secrets(at)
        if name in secrets:
            redact.register(secrets[name])
            return secrets[name]
        env = os.environ.get(name.upper())
        if env is not None:
            redact.register(env)
            return env
        raise ConfigError(
            [ConfigIssue(f"secret {name!r} is not defined", at, self.result.positions.get(at),
                         f"add '{name}: ...' to {self.root / 'secrets.yaml'} or set "
                         f"the environment variable {name.upper()}")]
        )

    def _load_secrets(self, at: PathKey) -> dict[str, Any]:
        if self._secrets is not None:
            return self._secrets
        secrets_file = self.root / "secrets.yaml"
        self._secrets = {}
        if not secrets_file.exists():
            return self._secrets
        try:
            data = secrets_file.read_bytes()
        except OSError as err:
            raise ConfigError([ConfigIssue(f"cannot read {secrets_file}: {err.strerror}", at,
                                           self.result.positions.get(at))]) from None
        # Errors in this file never quote it: every line of it is a password or a token.
        node = parse(decode(data, secrets_file), secrets_file, secret=True)
        if node is None:
            return self._secrets
        if not isinstance(node, CommentedMap):
            raise ConfigError([ConfigIssue(f"{secrets_file} must be a mapping of names to "
                                           "values", (), Position(str(secrets_file), 1, 1),
                                           "write one 'name: value' per line")])
        for key, value in node.items():
            if isinstance(value, (CommentedMap, CommentedSeq, TaggedScalar)):
                line, col = node.lc.value(key)
                raise ConfigError([ConfigIssue(
                    f"secret {str(key)!r} must be a single value", (),
                    Position(str(secrets_file), line + 1, col + 1),
                    "quote it if it contains special characters")])
            plain = value if value is None or isinstance(value, (bool, int, float)) else str(value)
            self._secrets[str(key)] = plain
            redact.register(plain)
        return self._secrets


def load_yaml(path: str | Path) -> LoadedYaml:
    """Read a config file with its includes and secrets; raise ConfigError on any problem."""
    path = Path(path)
    reader = _Reader(path.resolve().parent)
    reader.result.positions[()] = Position(str(path), 1, 1)  # where whole-file problems point
    data = reader.read(path)
    reader.result.data = {} if data is None else data
    redact.register_strings_in(reader.result.data)
    if not isinstance(reader.result.data, dict):
        raise ConfigError(
            [ConfigIssue("the configuration must be a mapping of sections", (),
                         Position(str(path), 1, 1), "start with e.g. 'name: My Home'")]
        )
    return reader.result


__all__ = ["ConfigError", "ConfigIssue", "LoadedYaml", "PathKey", "Position", "format_path",
           "load_yaml"]
