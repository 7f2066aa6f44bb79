"""Where a configuration problem is and what it is: shared by the loader and the validator."""

from __future__ import annotations

from dataclasses import dataclass

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
