"""Reads samantha.yaml into plain data, remembering where every value came from.

Supports `!secret NAME` (secrets.yaml beside the config, else the environment variable NAME in
upper case) and `!include FILE` (a path relative to the including file). Positions are kept per
value path so validation errors can name the file and line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Position:
    file: str
    line: int  # 1-based
    column: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in the configuration, located as precisely as we can."""

    message: str
    path: PathKey = ()
    position: Position | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = str(self.position) if self.position else "<config>"
        dotted = format_path(self.path)
        text = f"{where}: {dotted + ': ' if dotted else ''}{self.message}"
        return f"{text}\n    hint: {self.hint}" if self.hint else text


class ConfigError(Exception):
    """The configuration cannot be used; carries every issue found."""

    def __init__(self, issues: list[ConfigIssue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


def format_path(path: PathKey) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


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

    def read(self, path: Path, at: PathKey = ()) -> Any:
        path = path.resolve()
        if path in self._including:
            chain = " -> ".join(p.name for p in [*self._including, path])
            raise ConfigError([ConfigIssue(f"!include loop: {chain}", at)])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise ConfigError([ConfigIssue(f"cannot read {path}: {err.strerror}", at)]) from err
        yaml = YAML(typ="rt")
        try:
            node = yaml.load(text)
        except MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            pos = Position(str(path), mark.line + 1, mark.column + 1) if mark else None
            problem = err.problem or err.context or "invalid YAML"
            raise ConfigError(
                [ConfigIssue(f"YAML syntax error: {problem}", at, pos,
                             "check indentation and quoting around this line")]
            ) from err
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
        if isinstance(node, CommentedMap):
            out: dict[str, Any] = {}
            for key, value in node.items():
                child = (*at, str(key))
                self._mark(child, file, node.lc.key(key))
                out[str(key)] = self._convert(value, file, child, node.lc.value(key))
            return out
        if isinstance(node, CommentedSeq):
            return [
                self._convert(value, file, (*at, i), node.lc.item(i))
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
            return self.read(file.parent / value, at)
        raise ConfigError(
            [ConfigIssue(f"unknown tag {tag}", at, self.result.positions.get(at),
                         "Samantha understands !secret and !include")]
        )

    def _secret(self, name: str, at: PathKey) -> Any:
        if self._secrets is None:
            secrets_file = self.root / "secrets.yaml"
            self._secrets = {}
            if secrets_file.exists():
                loaded = YAML(typ="safe").load(secrets_file.read_text(encoding="utf-8")) or {}
                if not isinstance(loaded, dict):
                    raise ConfigError([ConfigIssue(f"{secrets_file} must be a mapping", at)])
                self._secrets = loaded
        if name in self._secrets:
            return self._secrets[name]
        env = os.environ.get(name.upper())
        if env is not None:
            return env
        raise ConfigError(
            [ConfigIssue(f"secret {name!r} is not defined", at, self.result.positions.get(at),
                         f"add '{name}: ...' to {self.root / 'secrets.yaml'} or set "
                         f"the environment variable {name.upper()}")]
        )


def load_yaml(path: str | Path) -> LoadedYaml:
    """Read a config file with its includes and secrets; raise ConfigError on any problem."""
    path = Path(path)
    reader = _Reader(path.resolve().parent)
    data = reader.read(path)
    reader.result.data = {} if data is None else data
    if not isinstance(reader.result.data, dict):
        raise ConfigError(
            [ConfigIssue("the configuration must be a mapping of sections", (),
                         Position(str(path), 1, 1), "start with e.g. 'name: My Home'")]
        )
    return reader.result
