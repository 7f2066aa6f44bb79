"""How text is spoken: lower case words without punctuation, numbers spelled as the engine's
vocabulary spells them."""

from __future__ import annotations

import re

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_NUMBER = re.compile(r"\d+")
# Keep letters of every script, digits, apostrophes inside words, and bracketed number tokens.
_PUNCT = re.compile(r"[^\w\s'\[\]<>]|(?<!\w)'|'(?!\w)")
# Symbols glued to a number in templates ("{brightness}%", "{temperature}°") and how they are
# said aloud.
SYMBOL_WORDS = {"%": ("percent",), "°": ("degrees",)}


def english_number(n: int) -> str | None:
    """0..999,999 as English words ("twenty one", "two thousand five hundred"); None otherwise."""
    if n < 0 or n > 999_999:
        return None
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        rest = n % 100
        head = f"{_ONES[n // 100]} hundred"
        return head if rest == 0 else f"{head} {english_number(rest)}"
    thousands, rest = divmod(n, 1000)
    head = f"{english_number(thousands)} thousand"
    return head if rest == 0 else f"{head} {english_number(rest)}"


def spoken_number(value: float, style: str) -> list[str] | None:
    """The words of one number (halves and tenths as "point five"); None when unsayable."""
    whole = int(value)
    fraction = round(value - whole, 3)
    if style == "digits":
        return [f"{value:g}"]
    if style == "brackets":
        # The Korean Vosk model has tokens [0]..[99]; larger numbers are not single words.
        if fraction or whole > 99 or whole < 0:
            return None
        return [f"[{whole}]"]
    words = english_number(whole)
    if words is None:
        return None
    if fraction:
        tenths = round(fraction * 10)
        if abs(fraction * 10 - tenths) > 1e-6:
            return None
        return [*words.split(), "point", _ONES[tenths]]
    return words.split()


def spoken_numbers(text: str, style: str) -> str | None:
    """Spell the digits in `text` as the engine says them; None when one cannot be spelled."""
    if style == "digits" or not _NUMBER.search(text):
        return text
    failed = False

    def spell(match: re.Match[str]) -> str:
        nonlocal failed
        words = spoken_number(int(match.group()), style)
        if words is None:
            failed = True
            return ""
        return " " + " ".join(words) + " "

    for symbol, said in SYMBOL_WORDS.items():
        text = text.replace(symbol, " " + " ".join(said) + " ")
    out = _NUMBER.sub(spell, text)
    return None if failed else out


def normalize(text: str) -> str:
    """Lower case, punctuation removed, single spaces: what recognizers output."""
    return " ".join(_PUNCT.sub(" ", text.lower()).split())


_WORD_VALUES = {w: i for i, w in enumerate(_ONES)} | {w: 10 * i for i, w in enumerate(_TENS) if w}


NUMBER_WORDS = frozenset(_WORD_VALUES)


def parse_spoken_number(words: list[str]) -> float | None:
    """The value of a number said as `spoken_number` says it ("twenty one point five")."""
    if len(words) == 1 and words[0].startswith("[") and words[0].endswith("]"):
        words = [words[0][1:-1]]
    if len(words) == 1:
        try:
            return float(words[0])
        except ValueError:
            pass
    total, current, fraction, scale = 0, 0, 0.0, 0.0
    for word in words:
        if scale:
            if word not in _WORD_VALUES or _WORD_VALUES[word] > 9:
                return None
            fraction += _WORD_VALUES[word] * scale
            scale /= 10
        elif word == "point":
            scale = 0.1
        elif word == "hundred":
            current *= 100
        elif word == "thousand":
            total += current * 1000
            current = 0
        elif word in _WORD_VALUES:
            current += _WORD_VALUES[word]
        else:
            return None
    return total + current + fraction


def format_number(value: float) -> str:
    """A number as the text form expects it: 21, 21.5."""
    return f"{value:g}" if value != int(value) else str(int(value))
