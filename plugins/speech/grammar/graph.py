"""A word graph: the sentences a home accepts, as a finite-state transducer over spoken words.

Each arc reads one spoken word and writes a piece of the *text form* the intent recognizer
expects ("twenty" "one" "percent" -> "21%"). Name lists and number ranges enter the graph once
per place a template uses them, and equal prefixes and suffixes are merged, so a home with a
hundred devices stays a graph of tens of thousands of arcs instead of millions of sentences.

`GraphBuilder` takes arcs with epsilons (alternatives, optional parts); `build()` removes the
epsilons, drops what cannot reach an end, and merges equal states, giving an immutable
`WordGraph` that engines turn into their own grammar format.
"""

from __future__ import annotations

import enum
import heapq
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from samantha.plugins.speech.grammar.spoken import format_number, parse_spoken_number

# An arc of a built graph: (to state, spoken word, text written, tag id).
Arc = tuple[int, str, str, int]
GLUE = "\x00"  # a text piece starting with this is written without a space before it
# Number words write themselves marked (the first word of a number with NUMBER_START), and a run
# of them becomes digits when the text is joined: one small number graph then serves every
# value of a range, instead of a path per value.
NUMBER_START = "\x01"
NUMBER_MORE = "\x02"
# The tag of the arcs of politeness hassil skips ("could you ...", "... please"): a sentence
# that can only go on with those is over as far as the endpointer is concerned, and decoders
# weigh them down (they are easy to hear in a breath).
SKIP = "<skip>"


class Ending(enum.IntEnum):
    """How far the words so far are a sentence: not yet, complete (but it may go on), or
    complete with nothing to follow but politeness; or complete, but it may still be going on
    after no more than a stop consonant's pause (its last word may be the start of a longer
    one, "four" of "forty"; or a number, which a unit or another number may follow)."""

    NONE = 0
    OPEN = 1
    CLOSED = 2
    GROWING = 3


def join_text(pieces: Iterable[str]) -> str:
    """Text pieces of a path as one sentence ("50", GLUE+"%" -> "50%")."""
    out: list[str] = []
    number: list[str] = []

    def flush() -> None:
        if number:
            value = parse_spoken_number(number)
            out.append(" " + (format_number(value) if value is not None else " ".join(number)))
            number.clear()

    for piece in pieces:
        if not piece:
            continue
        if piece[0] == NUMBER_START:
            flush()
            number.append(piece[1:])
        elif piece[0] == NUMBER_MORE:
            number.append(piece[1:])
        else:
            flush()
            out.append(piece[1:] if piece[0] == GLUE else " " + piece)
    flush()
    return "".join(out).strip()


@dataclass
class GraphBuilder:
    """A graph under construction: state 0 is the start; word "" is an epsilon."""

    arcs: list[list[Arc]] = field(default_factory=lambda: [[]])
    finals: set[int] = field(default_factory=set)
    tags: list[frozenset[str]] = field(default_factory=lambda: [frozenset()])
    _tag_ids: dict[frozenset[str], int] = field(default_factory=lambda: {frozenset(): 0})

    def state(self) -> int:
        self.arcs.append([])
        return len(self.arcs) - 1

    def tag(self, rooms: Iterable[str]) -> int:
        """An id for a set of rooms a word belongs to (a device name's rooms)."""
        key = frozenset(rooms)
        if key not in self._tag_ids:
            self._tag_ids[key] = len(self.tags)
            self.tags.append(key)
        return self._tag_ids[key]

    def arc(self, src: int, dst: int, word: str = "", out: str = "", tag: int = 0) -> None:
        self.arcs[src].append((dst, word, out, tag))

    def words(self, src: int, words: Sequence[str], out: str = "", tag: int = 0) -> int:
        """A chain of words from `src`; `out` is written by the last one. Returns the end."""
        state = src
        for i, word in enumerate(words):
            nxt = self.state()
            self.arc(state, nxt, word, out if i == len(words) - 1 else "", tag)
            state = nxt
        return state

    def insert(self, graph: WordGraph, src: int, dst: int, tag: int = 0) -> None:
        """A copy of a built graph between `src` and `dst` (a slot's values in a template)."""
        states = [src] + [self.state() for _ in range(1, graph.n_states)]
        for state, out in enumerate(graph.arcs):
            for to, word, text, own in out:
                self.arc(states[state], states[to], word, text,
                         self.tag(graph.tags[own]) if own else tag)
        for final in graph.finals:
            self.arc(states[final], dst)

    def build(self, keep: Callable[[str], bool] | None = None) -> WordGraph:
        """The finished graph; arcs whose word fails `keep` (unknown to the model) are cut."""
        arcs = self.arcs
        if keep is not None:
            arcs = [[a for a in out if not a[1] or keep(a[1])] for out in arcs]
        order = _topological(arcs)
        arcs, finals = _remove_epsilons(arcs, self.finals, order)
        arcs, finals = _prune(arcs, finals)
        arcs, finals = _merge_suffixes(arcs, finals)
        arcs, finals = _merge_prefixes(arcs, finals)
        arcs, finals = _merge_suffixes(arcs, finals)
        return WordGraph(arcs, frozenset(finals), list(self.tags))


def _topological(arcs: list[list[Arc]]) -> list[int]:
    """States in an order where every arc goes forward (templates never loop)."""
    indegree = [0] * len(arcs)
    for out in arcs:
        for dst, *_ in out:
            indegree[dst] += 1
    ready = [s for s in range(len(arcs)) if indegree[s] == 0]
    order: list[int] = []
    while ready:
        state = ready.pop()
        order.append(state)
        for dst, *_ in arcs[state]:
            indegree[dst] -= 1
            if indegree[dst] == 0:
                ready.append(dst)
    if len(order) != len(arcs):
        raise ValueError("the sentence templates form a loop")
    return order


def _remove_epsilons(arcs: list[list[Arc]], finals: set[int],
                     order: list[int]) -> tuple[list[list[Arc]], set[int]]:
    """Each state gets the word arcs of every state its epsilons reach."""
    closed: list[list[Arc] | None] = [None] * len(arcs)
    final = set(finals)
    for state in reversed(order):
        seen: set[Arc] = set()
        merged: list[Arc] = []
        for arc in arcs[state]:
            if arc[1]:
                if arc not in seen:
                    seen.add(arc)
                    merged.append(arc)
                continue
            target = arc[0]
            if target in final:
                final.add(state)
            for inner in closed[target] or ():
                if inner not in seen:
                    seen.add(inner)
                    merged.append(inner)
        closed[state] = merged
    return [c or [] for c in closed], final


def _prune(arcs: list[list[Arc]], finals: set[int]) -> tuple[list[list[Arc]], set[int]]:
    """Keep states on some path from the start to an end, renumbered from 0."""
    reach = {0}
    stack = [0]
    while stack:
        for dst, *_ in arcs[stack.pop()]:
            if dst not in reach:
                reach.add(dst)
                stack.append(dst)
    back: dict[int, list[int]] = defaultdict(list)
    for src in reach:
        for dst, *_ in arcs[src]:
            back[dst].append(src)
    alive = {s for s in finals if s in reach}
    stack = list(alive)
    while stack:
        for src in back[stack.pop()]:
            if src not in alive:
                alive.add(src)
                stack.append(src)
    if 0 not in alive:
        return [[]], set()
    return _renumber(arcs, finals, [s for s in range(len(arcs)) if s in alive])


def _renumber(arcs: list[list[Arc]], finals: set[int],
              keep: list[int]) -> tuple[list[list[Arc]], set[int]]:
    number = {old: new for new, old in enumerate(keep)}
    out = [sorted({(number[d], w, o, t) for d, w, o, t in arcs[old] if d in number})
           for old in keep]
    return out, {number[s] for s in finals if s in number}


def _merge_suffixes(arcs: list[list[Arc]],
                    finals: set[int]) -> tuple[list[list[Arc]], set[int]]:
    """States with the same ending and the same arcs out are one state."""
    order = _topological(arcs)
    canon = list(range(len(arcs)))
    register: dict[tuple[bool, tuple[Arc, ...]], int] = {}
    for state in reversed(order):
        out = tuple(sorted({(canon[d], w, o, t) for d, w, o, t in arcs[state]}))
        arcs[state] = list(out)
        if state == 0:
            continue
        canon[state] = register.setdefault((state in finals, out), state)
    return _collapse(arcs, finals, canon)


def _merge_prefixes(arcs: list[list[Arc]],
                    finals: set[int]) -> tuple[list[list[Arc]], set[int]]:
    """States reached by the same arcs from the same states are one state."""
    order = _topological(arcs)
    incoming: dict[int, set[tuple[int, str, str, int]]] = defaultdict(set)
    for src in range(len(arcs)):
        for d, w, o, t in arcs[src]:
            incoming[d].add((src, w, o, t))
    canon = list(range(len(arcs)))
    register: dict[tuple[tuple[int, str, str, int], ...], int] = {}
    for state in order:
        if state == 0:
            continue
        key = tuple(sorted({(canon[s], w, o, t) for s, w, o, t in incoming[state]}))
        canon[state] = register.setdefault(key, state)
    merged: list[list[Arc]] = [[] for _ in arcs]
    for state in range(len(arcs)):
        merged[canon[state]].extend(arcs[state])
    new_finals = {canon[s] for s in finals}
    return _collapse(merged, new_finals, canon)


def _collapse(arcs: list[list[Arc]], finals: set[int],
              canon: list[int]) -> tuple[list[list[Arc]], set[int]]:
    keep = sorted({canon[s] for s in range(len(arcs))})
    redirected = [[(canon[d], w, o, t) for d, w, o, t in out] for out in arcs]
    return _renumber(redirected, {canon[s] for s in finals}, keep)


@dataclass(frozen=True)
class Near:
    """The graph path nearest to what was heard."""

    words: tuple[str, ...]
    text: str
    distance: int


class WordGraph:
    """An epsilon-free acyclic word transducer; state 0 is the start."""

    def __init__(self, arcs: list[list[Arc]], finals: frozenset[int],
                 tags: list[frozenset[str]]) -> None:
        self.arcs = arcs
        self.finals = finals
        self.tags = tags
        self._index: list[dict[str, list[Arc]]] | None = None
        self._bounds: tuple[list[int], list[int]] | None = None

    @property
    def n_states(self) -> int:
        return len(self.arcs)

    @property
    def n_arcs(self) -> int:
        return sum(len(out) for out in self.arcs)

    @property
    def words(self) -> set[str]:
        return {w for out in self.arcs for _, w, _, _ in out}

    def __bool__(self) -> bool:
        return bool(self.finals)

    def _by_word(self) -> list[dict[str, list[Arc]]]:
        if self._index is None:
            index: list[dict[str, list[Arc]]] = []
            for out in self.arcs:
                table: dict[str, list[Arc]] = defaultdict(list)
                for arc in out:
                    table[arc[1]].append(arc)
                index.append(dict(table))
            self._index = index
        return self._index

    def states_after(self, words: Sequence[str]) -> set[int]:
        """Every state a path reading `words` from the start can be in."""
        index = self._by_word()
        states = {0} if self.arcs else set()
        for word in words:
            states = {a[0] for s in states for a in index[s].get(word, ())}
            if not states:
                break
        return states

    def accepts(self, words: Sequence[str] | str) -> bool:
        seq = words.split() if isinstance(words, str) else words
        return bool(seq) and not self.finals.isdisjoint(self.states_after(seq))

    def ending(self, words: Sequence[str]) -> Ending:
        """Whether `words` are a sentence, and whether one may go on after them."""
        states = self.states_after(words)
        if not words or self.finals.isdisjoint(states):
            return Ending.NONE
        skips = {i for i, rooms in enumerate(self.tags) if SKIP in rooms}
        goes_on = any(t not in skips for s in states for _, _, _, t in self.arcs[s])
        return Ending.OPEN if goes_on else Ending.CLOSED

    def texts(self, words: Sequence[str] | str, limit: int = 8) -> list[str]:
        """The text forms of the paths that read exactly `words` (several when ambiguous)."""
        seq = words.split() if isinstance(words, str) else list(words)
        index = self._by_word()
        found: list[str] = []
        seen: set[tuple[int, int, tuple[str, ...]]] = set()
        stack: list[tuple[int, int, tuple[str, ...]]] = [(0, 0, ())]
        while stack and len(found) < limit:
            state, i, pieces = stack.pop()
            if i == len(seq):
                if state in self.finals:
                    text = join_text(pieces)
                    if text not in found:
                        found.append(text)
                continue
            for dst, _, out, _ in index[state].get(seq[i], ()):
                item = (dst, i + 1, (*pieces, out) if out else pieces)
                if item not in seen:
                    seen.add(item)
                    stack.append(item)
        return found

    def _lengths(self) -> tuple[list[int], list[int]]:
        """Fewest and most words from each state to an end."""
        if self._bounds is None:
            order = _topological(self.arcs)
            big = 1 << 30
            low = [0 if s in self.finals else big for s in range(self.n_states)]
            high = [0 if s in self.finals else -big for s in range(self.n_states)]
            for state in reversed(order):
                for dst, *_ in self.arcs[state]:
                    low[state] = min(low[state], low[dst] + 1)
                    high[state] = max(high[state], high[dst] + 1)
            self._bounds = (low, high)
        return self._bounds

    def nearest(self, words: Sequence[str], max_distance: int) -> Near | None:
        """The path with the fewest word edits from `words`, if within `max_distance`.

        A* over (state, words read): matching costs 0; substituting, inserting or dropping a
        word costs 1; the distance to go is bounded below by how many words are left against
        how many the state still needs or allows.
        """
        n = len(words)
        low, high = self._lengths()

        def bound(state: int, i: int) -> int:
            left = n - i
            return max(low[state] - left, left - high[state], 0)

        start = (bound(0, 0), 0, 0, 0, ())
        heap: list[tuple[int, int, int, int, tuple[int, ...]]] = [start]
        best: dict[tuple[int, int], int] = {(0, 0): 0}
        parents: dict[tuple[int, int], tuple[tuple[int, int], Arc | None]] = {}
        pops = 0
        while heap:
            estimate, cost, state, i, _ = heapq.heappop(heap)
            if estimate > max_distance:
                return None
            if best.get((state, i), 1 << 30) < cost:
                continue
            pops += 1
            if pops > 200_000:
                return None
            if i == n and state in self.finals:
                return self._near((state, i), parents, cost)
            moves: list[tuple[int, int, int, Arc | None]] = []
            if i < n:
                moves.append((state, i + 1, 1, None))  # a heard word the graph lacks
            for arc in self.arcs[state]:
                if i < n:
                    moves.append((arc[0], i + 1, 0 if arc[1] == words[i] else 1, arc))
                moves.append((arc[0], i, 1, arc))  # a graph word that was not heard
            for dst, j, step, arc in moves:
                total = cost + step
                if total < best.get((dst, j), 1 << 30):
                    best[(dst, j)] = total
                    parents[(dst, j)] = ((state, i), arc)
                    heapq.heappush(heap, (total + bound(dst, j), total, dst, j, ()))
        return None

    def _near(self, end: tuple[int, int],
              parents: dict[tuple[int, int], tuple[tuple[int, int], Arc | None]],
              cost: int) -> Near:
        path: list[Arc] = []
        node = end
        while node in parents:
            node, arc = parents[node]
            if arc is not None:
                path.append(arc)
        path.reverse()
        return Near(tuple(a[1] for a in path), join_text(a[2] for a in path), cost)

    def sample(self, rng: random.Random) -> tuple[list[str], str]:
        """A random sentence of the graph: its words and its text form."""
        state, words, pieces = 0, [], []
        while True:
            options = self.arcs[state]
            if not options or (state in self.finals and rng.random() < 0.3):
                return words, join_text(pieces)
            dst, word, out, _ = rng.choice(options)
            words.append(word)
            pieces.append(out)
            state = dst

    def phrases(self) -> list[str]:
        """Sentences that together use every pair of words that can follow each other.

        Vosk compiles a phrase list into a word bigram: these phrases give it every bigram of
        the graph (and no other), from far fewer phrases than the graph has sentences.
        """
        order = _topological(self.arcs)
        prefix: dict[int, tuple[str, ...]] = {0: ()}
        for state in order:
            if state not in prefix:
                continue
            for dst, word, *_ in self.arcs[state]:
                candidate = (*prefix[state], word)
                if dst not in prefix or len(candidate) < len(prefix[dst]):
                    prefix[dst] = candidate
        suffix: dict[int, tuple[str, ...]] = {s: () for s in self.finals}
        for state in reversed(order):
            for dst, word, *_ in self.arcs[state]:
                if dst in suffix:
                    candidate = (word, *suffix[dst])
                    if state not in suffix or len(candidate) < len(suffix[state]):
                        suffix[state] = candidate
        out: set[str] = set()
        pairs: set[tuple[str, str]] = set()
        for state in range(self.n_states):
            for mid, first, *_ in self.arcs[state]:
                following = self.arcs[mid]
                if not following or mid in self.finals:
                    key = (first, "</s>")
                    if key not in pairs:
                        pairs.add(key)
                        out.add(" ".join((*prefix[state], first)))
                for dst, second, *_ in following:
                    if (first, second) in pairs:
                        continue
                    pairs.add((first, second))
                    out.add(" ".join((*prefix[state], first, second, *suffix[dst])))
        return sorted(out)

    def paths(self, limit: int) -> Iterator[list[str]]:
        """Up to `limit` sentences, depth first (for small graphs and tests)."""
        count = 0
        stack: list[tuple[int, list[str]]] = [(0, [])]
        while stack and count < limit:
            state, words = stack.pop()
            if state in self.finals and words:
                count += 1
                yield words
            for dst, word, *_ in self.arcs[state]:
                stack.append((dst, [*words, word]))
