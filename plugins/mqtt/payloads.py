"""Limits on what Samantha reads from MQTT payloads: size, JSON depth, numbers, text.

Everything here is pure and raises PayloadError (a ValueError) with a reason a person can
act on. The limits are generous for real devices (a Zigbee2MQTT discovery config is 1-4 KB,
nested 3-4 levels) and small enough that a hostile publisher cannot make Samantha allocate
much or recurse deeply.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DISCOVERY_BYTES = 64 * 1024  # one discovery config (a device bundle included)
MAX_STATE_BYTES = 16 * 1024  # one state or availability message
MAX_JSON_DEPTH = 16  # nesting of objects and arrays
MAX_NAME_CHARS = 255  # device, entity and area names; unique ids
MAX_TEXT_CHARS = 1024  # payload words, icons, URLs and other option strings
MAX_TEMPLATE_CHARS = 2048
MAX_LIST_ITEMS = 128  # modes, effects, identifiers, availability entries
MAX_STATE_TEXT_CHARS = 255  # a sensor's text value, a mode or preset name


class PayloadError(ValueError):
    """A payload that does not fit the limits or cannot be parsed."""


def check_size(payload: bytes | str, limit: int) -> None:
    size = len(payload)
    if size > limit:
        raise PayloadError(f"payload of {size} bytes is larger than the limit of {limit}")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise PayloadError(f"number {text[:40]} is out of range")
    return value


def _no_constant(name: str) -> Any:
    raise PayloadError(f"{name} is not a JSON number")


def loads(payload: bytes | str, *, limit: int, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """json.loads with a size limit, a depth limit, and finite numbers only."""
    check_size(payload, limit)
    try:
        value = json.loads(payload, parse_float=_finite_float, parse_constant=_no_constant)
    except RecursionError:
        raise PayloadError(f"JSON nested deeper than {max_depth} levels") from None
    except PayloadError:
        raise
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, too many int digits
        raise PayloadError(f"invalid JSON: {str(exc)[:120]}") from None
    check_depth(value, max_depth)
    return value


def check_depth(value: Any, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Raise PayloadError if lists/dicts nest deeper than max_depth (iteratively: no recursion)."""
    check_shape(value, max_depth=max_depth)


def check_shape(
    value: Any,
    *,
    max_depth: int = MAX_JSON_DEPTH,
    max_string: int | None = None,
    max_items: int | None = None,
) -> None:
    """Depth, and optionally string lengths (keys too) and list/object sizes, of parsed JSON.

    Iterative on purpose: the point is to refuse what would make recursive code overflow.
    """
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    while stack:
        item, depth, path = stack.pop()
        if isinstance(item, str):
            if max_string is not None and len(item) > max_string:
                raise PayloadError(f"{path or 'payload'}: text of {len(item)} characters, "
                                   f"more than {max_string}")
            continue
        if isinstance(item, dict):
            children: Any = item.items()
        elif isinstance(item, list):
            children = enumerate(item)
        else:
            continue
        if depth > max_depth:
            raise PayloadError(f"JSON nested deeper than {max_depth} levels")
        if max_items is not None and len(item) > max_items:
            raise PayloadError(f"{path or 'payload'}: {len(item)} entries, more than {max_items}")
        for key, child in children:
            if isinstance(key, str) and max_string is not None and len(key) > max_string:
                raise PayloadError(f"{path or 'payload'}: a key of {len(key)} characters")
            name = str(key)[:40]  # paths are for messages only: keep them short
            stack.append((child, depth + 1, f"{path}.{name}" if path else name))


def finite(value: Any, what: str, low: float = -1e9, high: float = 1e9) -> float:
    """`value` as a float within [low, high]; PayloadError for NaN, infinities, out of range."""
    if isinstance(value, bool):
        raise PayloadError(f"{what}: expected a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise PayloadError(f"{what}: expected a number, got {short(value)}") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise PayloadError(f"{what}: {short(value)} is outside {low:g}..{high:g}")
    return number


def text(value: Any, what: str, limit: int = MAX_STATE_TEXT_CHARS) -> str:
    out = value if isinstance(value, str) else str(value)
    if len(out) > limit:
        raise PayloadError(f"{what}: {len(out)} characters, more than {limit}")
    return out


def short(value: Any, limit: int = 60) -> str:
    """A bounded repr for log lines: hostile input must not flood the log either."""
    try:
        shown = repr(value)
    except ValueError:  # an int too large for repr
        shown = f"<{type(value).__name__}>"
    return shown if len(shown) <= limit else f"{shown[:limit]}... ({len(shown)} chars)"


def clip(value: str, limit: int = 120) -> str:
    """`value` for a log line: non-printable characters escaped, at most `limit` shown."""
    shown = value[: limit + 1]
    if not shown.isprintable():
        shown = repr(shown)[1:-1]
    if len(value) > limit or len(shown) > limit:
        return f"{shown[:limit]}... ({len(value)} chars)"
    return shown
