"""Snap a transcript to the nearest sentence the grammar allows (word-level edit distance).

Vosk compiles a phrase list into a word bigram, so it can output sentences no template allows
("거실 꺼 줘" from "거실 불 꺼 줘" and "주방 불 켜 줘"). The nearest allowed sentence is usually
what was said; when even the nearest is far, the utterance was something else and must not run
as a command.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Snap:
    """The allowed sentence nearest to `heard`, and how similar they are (1.0: identical)."""

    heard: str
    sentence: str | None
    similarity: float
    distance: int

    @property
    def exact(self) -> bool:
        return self.distance == 0


def word_distance(a: list[str], b: list[str]) -> int:
    """Levenshtein distance over words (insert, delete, substitute cost 1)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, wa in enumerate(a, 1):
        current = [i]
        for j, wb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (wa != wb)))
        previous = current
    return previous[-1]


class Snapper:
    """Finds the nearest allowed sentence; an inverted index keeps it fast for 10k+ sentences."""

    def __init__(self, sentences: Iterable[str]) -> None:
        self.sentences: list[list[str]] = []
        self._exact: dict[str, int] = {}
        self._postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for sentence in sentences:
            words = sentence.split()
            if not words or sentence in self._exact:
                continue
            index = len(self.sentences)
            self._exact[" ".join(words)] = index
            self.sentences.append(words)
            for word, count in Counter(words).items():
                self._postings[word].append((index, count))

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and " ".join(text.split()) in self._exact

    def snap(self, heard: str, threshold: float = 0.0) -> Snap:
        """Nearest sentence with similarity >= threshold, else a Snap with sentence None."""
        words = heard.split()
        key = " ".join(words)
        if key in self._exact:
            return Snap(heard, key, 1.0, 0)
        if not words:
            return Snap(heard, None, 0.0, 0)
        shared: Counter[int] = Counter()
        for word, count in Counter(words).items():
            for index, in_sentence in self._postings.get(word, ()):
                shared[index] += min(count, in_sentence)
        # Lower bound of the distance: every word beyond the shared ones costs at least 1.
        ranked = sorted(((max(len(words), len(self.sentences[i])) - n, i)
                         for i, n in shared.items()))
        best: tuple[int, int] | None = None
        best_similarity = -1.0
        for bound, index in ranked:
            if best is not None and bound > best[0]:
                break
            candidate = self.sentences[index]
            distance = word_distance(words, candidate)
            similarity = 1.0 - distance / max(len(words), len(candidate))
            if best is None or (distance, -similarity) < (best[0], -best_similarity):
                best, best_similarity = (distance, index), similarity
        if best is None or best_similarity < threshold:
            return Snap(heard, None, max(best_similarity, 0.0), best[0] if best else len(words))
        return Snap(heard, " ".join(self.sentences[best[1]]), best_similarity, best[0])
