"""Split a stream of text fragments into sentences as soon as each one is complete."""

from __future__ import annotations

import re

ENDINGS = ".!?…"
CLOSERS = "\"')]»”’"
ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "vs", "etc", "e.g", "i.e", "approx",
                           "no", "nr", "prof", "jr", "sr"})
_LAST_WORD = re.compile(r"([\w.]+)[.]$")


class SentenceSplitter:
    """Feed model fragments; get back finished sentences.

    A sentence ends at . ! ? followed by a space, or at a fragment's end when the punctuation
    clearly closes a sentence (after a letter, not an abbreviation): waiting for the next token
    to prove it would add a token's delay to the first spoken sentence.
    """

    def __init__(self) -> None:
        self._buffer = ""

    def feed(self, fragment: str) -> list[str]:
        self._buffer += fragment
        out: list[str] = []
        start = 0
        text = self._buffer
        i = 0
        while i < len(text):
            ch = text[i]
            if ch == "\n":
                out.append(text[start:i])
                start = i + 1
            elif ch in ENDINGS:
                end = i + 1
                while end < len(text) and (text[end] in ENDINGS or text[end] in CLOSERS):
                    end += 1
                if end < len(text):
                    if text[end].isspace() and not self._abbreviation(text[start:end]):
                        out.append(text[start:end])
                        start = end
                    i = end
                    continue
                if self._clearly_final(text[start:end]):
                    out.append(text[start:end])
                    start = end
                i = end
                continue
            i += 1
        self._buffer = text[start:]
        return [s for s in (self._clean(s) for s in out) if s]

    def flush(self) -> str | None:
        rest, self._buffer = self._clean(self._buffer), ""
        return rest or None

    @staticmethod
    def _clean(sentence: str) -> str:
        sentence = " ".join(sentence.split())
        # an ellipsis split across tokens leaves a lone "..": not a sentence of its own
        return "" if not sentence.strip(ENDINGS + CLOSERS + " ") else sentence

    @staticmethod
    def _abbreviation(sentence: str) -> bool:
        match = _LAST_WORD.search(sentence.rstrip(CLOSERS))
        return bool(match and match.group(1).casefold().rstrip(".") in ABBREVIATIONS)

    def _clearly_final(self, sentence: str) -> bool:
        stripped = sentence.rstrip(CLOSERS).rstrip(ENDINGS)
        if not stripped or not stripped[-1].isalpha():
            return False  # "3." may be "3.5"
        if sentence.rstrip(CLOSERS).endswith(".."):
            return False  # an ellipsis may go on
        return not self._abbreviation(sentence)
