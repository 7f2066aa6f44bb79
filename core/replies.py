"""Replies in good English: agreement, lists, numbers and units.

Every intent handler builds its sentence from these helpers, so "the kitchen lights are on", "the
lamp is on" and "the lamp, the fan and the TV" come out right whoever wrote the handler. The
persona may reword a reply afterwards; the facts in it come from here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

# Names that end in "s" but are one thing, and plural words that do not end in "s".
_SINGULAR_ENDINGS = ("ss", "us", "is", "ous", "ics", "news", "series", "gas", "bus", "lens",
                     "chaos", "atlas", "canvas", "boss")
_PLURAL_WORDS = frozenset({"people", "children", "men", "women", "mice", "geese", "feet",
                           "teeth", "lights", "blinds", "curtains", "shades", "shutters",
                           "speakers", "fans", "lamps", "switches", "sprinklers", "stairs",
                           "christmas lights", "fairy lights"})
_SINGULAR_WORDS = frozenset({"tv", "hvac", "ac", "gps", "status", "weather"})


def is_plural(name: str) -> bool:
    """Whether a device or group name is grammatically plural ("Counter Lights": yes)."""
    words = re.findall(r"[a-z']+", name.casefold())
    if not words:
        return False
    last = words[-1]
    if last in _PLURAL_WORDS or " ".join(words[-2:]) in _PLURAL_WORDS:
        return True
    if last in _SINGULAR_WORDS or len(last) <= 2:
        return False
    if last.endswith(_SINGULAR_ENDINGS) or last.endswith("'s"):
        return False
    return last.endswith("s")


def be(plural: bool) -> str:
    return "are" if plural else "is"


def have(plural: bool) -> str:
    return "have" if plural else "has"


def the(name: str) -> str:
    """'the Desk Lamp'; names that are already a phrase with an article keep it."""
    stripped = name.strip()
    if re.match(r"(?i)(the|a|an|my|our|your)\s", stripped):
        return stripped
    return f"the {stripped}"


def join(items: Iterable[str], conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    parts = [i for i in items if i]
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return f"{', '.join(parts[:-1])} {conjunction} {parts[-1]}"


def join_names(names: Sequence[str], conjunction: str = "and") -> tuple[str, bool]:
    """('the lamp, the fan and the TV', plural?) for a list of device names."""
    text = join([the(n) for n in names], conjunction)
    plural = len(names) > 1 or (len(names) == 1 and is_plural(names[0]))
    return text, plural


def number(value: float | int | str | None) -> str:
    """21.0 -> '21', 21.5 -> '21.5', 1234567 -> '1,234,567', 0.333 -> '0.33'."""
    if value is None:
        return "unknown"
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return value
    if isinstance(value, bool) or not math.isfinite(float(value)):
        return str(value)
    rounded = round(float(value), 2)
    if rounded == int(rounded):
        return f"{int(rounded):,}"
    text = f"{rounded:,.2f}".rstrip("0").rstrip(".")
    return text


def count(n: int, singular: str, plural: str | None = None) -> str:
    """'no items', 'one item', '3 items'."""
    many = plural or (singular + ("es" if singular.endswith(("s", "sh", "ch", "x")) else "s"))
    if n == 0:
        return f"no {many}"
    if n == 1:
        return f"one {singular}"
    return f"{number(n)} {many}"


def percent(value: float | int) -> str:
    return f"{number(value)} percent"


_UNIT_WORDS = {
    "°c": ("degree", "degrees"), "°f": ("degree", "degrees"), "c": ("degree", "degrees"),
    "f": ("degree", "degrees"), "%": ("percent", "percent"), "w": ("watt", "watts"),
    "kw": ("kilowatt", "kilowatts"), "kwh": ("kilowatt hour", "kilowatt hours"),
    "wh": ("watt hour", "watt hours"), "v": ("volt", "volts"), "a": ("amp", "amps"),
    "lx": ("lux", "lux"), "ppm": ("part per million", "parts per million"),
    "hpa": ("hectopascal", "hectopascals"), "mbar": ("millibar", "millibars"),
    "km/h": ("kilometre an hour", "kilometres an hour"), "m/s": ("metre a second",
                                                                 "metres a second"),
    "mph": ("mile an hour", "miles an hour"), "mm": ("millimetre", "millimetres"),
    "cm": ("centimetre", "centimetres"), "m": ("metre", "metres"), "l": ("litre", "litres"),
    "db": ("decibel", "decibels"), "s": ("second", "seconds"), "min": ("minute", "minutes"),
    "h": ("hour", "hours"),
}


def measure(value: float | int | str | None, unit: str | None) -> str:
    """A value with its unit said in words: '21.5 degrees', '1 watt', '40 percent'."""
    if value is None:
        return "unknown"
    said = number(value)
    if not unit:
        return said
    words = _UNIT_WORDS.get(unit.strip().casefold())
    if words is None:
        return f"{said} {unit.strip()}"
    one = said in ("1", "-1")
    return f"{said} {words[0] if one else words[1]}"


def temperature(value: float | int | str | None, unit: str | None = None) -> str:
    return measure(value, unit or "°C")


def sentence(text: str) -> str:
    """Capitalize the first letter and end with one full stop (or the question mark it has)."""
    text = " ".join(text.split())
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def words_of(key: str | None) -> str:
    """HA's state words as people say them: 'armed_home' -> 'armed home'."""
    return (key or "unknown").replace("_", " ")
