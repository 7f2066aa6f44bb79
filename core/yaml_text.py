"""Turns the bytes of one YAML file into ruamel nodes, or a located ConfigIssue: never a traceback.

Config files are edited by hand and sometimes arrive broken (a stray control character, a file
saved as Latin-1, a paste of something huge). Every way the YAML library or Python's number
parsing can refuse a file is caught here and given a file:line:column and a hint.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from samantha.config_issues import ConfigError, ConfigIssue, Position

MAX_DEPTH = 64  # nesting deeper than any real config; keeps the recursive parts cheap
MAX_FILE_BYTES = 4 * 1024 * 1024
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")


class _CheckedConstructor(RoundTripConstructor):
    """Round-trip constructor that turns Python's refusals (a 10,000-digit integer, `!!float abc`,
    `!!bool maybe`) into marked YAML errors, so they get a line and column like any other."""

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except MarkedYAMLError:
            raise
        except (ValueError, TypeError, KeyError, OverflowError, AttributeError) as err:
            tag = getattr(node, "tag", None)
            tag_text = getattr(tag, "value", None) or str(tag or "")
            raise ConstructorError(
                None, None, f"cannot read this value as {tag_text or 'YAML'}: "
                f"{_short(str(err))}", node.start_mark) from None


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _line_col(text: str, index: int) -> tuple[int, int]:
    before = text[:index]
    line = before.count("\n") + 1
    return line, index - (before.rfind("\n") + 1) + 1


def decode(data: bytes, path: Path, at: tuple[str | int, ...] = ()) -> str:
    """UTF-8 text of a config file, or a ConfigError naming the first bad byte's place."""
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError([ConfigIssue(
            f"file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}", at,
            Position(str(path), 1, 1), "is this really a Samantha config file?")])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line, col = _line_col(data[: err.start].decode("utf-8", "replace"), err.start)
        raise ConfigError([ConfigIssue(
            f"not valid UTF-8 (byte 0x{data[err.start]:02x})", at, Position(str(path), line, col),
            "save the file as UTF-8")]) from None


def _flow_too_deep(text: str) -> int | None:
    """Index of the bracket that nests flow collections past MAX_DEPTH, if any.

    The YAML scanner looks ahead through a whole flow collection, in time that grows with the
    square of its depth; this quick pass refuses absurd nesting before the scanner sees it.
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    depth = 0
    quote = ""
    for index, char in enumerate(text):
        if quote:
            if char == quote or char == "\n":
                quote = ""
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return index
        elif char in "]}":
            depth = max(0, depth - 1)
        elif char in "\"'":
            quote = char
    return None


def parse(text: str, path: Path, at: tuple[str | int, ...] = (), *, secret: bool = False) -> Any:
    """The ruamel node tree of `text`; ConfigError with a position on any problem.

    With `secret`, messages never quote the file's content (it holds passwords and tokens).
    """
    too_deep = _flow_too_deep(text)
    if too_deep is not None:
        line, col = _line_col(text, too_deep)
        raise ConfigError([ConfigIssue(f"YAML syntax error: nested more than {MAX_DEPTH} levels "
                                       "deep", at, Position(str(path), line, col),
                                       "flatten this structure")])
    yaml = YAML(typ="rt")
    yaml.Constructor = _CheckedConstructor
    yaml.max_depth = MAX_DEPTH
    try:
        return yaml.load(text)
    except ReaderError as err:
        line, col = _line_col(text, err.position or 0)
        char = err.character
        what = f"#x{char:04x}" if isinstance(char, int) else "a character"
        raise ConfigError([ConfigIssue(
            f"control character {what} is not allowed in YAML", at,
            Position(str(path), line, col), "delete it, or write it as an escape in a "
            'double-quoted string ("\\x01")')]) from None
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        pos = Position(str(path), mark.line + 1, mark.column + 1) if mark else None
        problem = str(err.problem or err.context or "invalid YAML")
        hint = "check indentation and quoting around this line"
        if "maximum depth" in problem:
            problem = f"nested more than {MAX_DEPTH} levels deep"
            hint = "flatten this structure"
        elif "duplicate key" in problem:
            hint = "each key may appear once in a mapping"
        elif "\\t" in problem or "'\\t'" in problem:
            hint = "indent with spaces, not tabs"
        if secret:
            problem = _QUOTED.sub("(value hidden)", problem)
        issue = ConfigIssue(f"YAML syntax error: {_short(problem)}", at, pos, hint)
        raise ConfigError([issue]) from None
    except (YAMLError, RecursionError, ValueError, TypeError, OverflowError, IndexError,
            KeyError) as err:
        # Anything the library lets through unmarked (ruamel's float constructor indexes an
        # empty exponent: `!!float name: x`): still an error in this file, not a crash.
        problem = "(details hidden)" if secret else _short(str(err))
        issue = ConfigIssue(f"YAML syntax error: {problem}", at, Position(str(path), 1, 1),
                            "check the file's syntax")
        raise ConfigError([issue]) from None
