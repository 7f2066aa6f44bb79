"""What each room (and each known speaker in it) last talked about, for a short while."""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from samantha.plugins.context.settings import ConversationSettings
from samantha.plugins.people.speaker import current

if TYPE_CHECKING:
    from samantha.house import House


@dataclass(frozen=True)
class Exchange:
    """One understood sentence: its intent and slots and the devices it was about."""

    intent: str
    slots: dict[str, Any]
    targets: tuple[str, ...]
    at: float = field(compare=False)


class ConversationMemory:
    """The last exchange per room and per (room, person); entries older than `ttl` are gone.

    A known speaker's own last exchange wins over the room's, so two people talking in one room
    each keep their "it"; an unknown voice (or typed text) uses the room's.
    """

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._last: dict[tuple[str, str | None], Exchange] = {}

    def remember(self, room: str, person: str | None, intent: str, slots: dict[str, Any],
                 targets: list[str]) -> Exchange:
        exchange = Exchange(intent, dict(slots), tuple(targets), self.clock())
        self._last[(room, None)] = exchange
        if person is not None:
            self._last[(room, person)] = exchange
        self._prune()
        return exchange

    def recall(self, room: str, person: str | None) -> Exchange | None:
        now = self.clock()
        for key in ((room, person), (room, None)) if person is not None else ((room, None),):
            exchange = self._last.get(key)
            if exchange is not None and now - exchange.at <= self.ttl:
                return exchange
        return None

    def forget(self, room: str) -> bool:
        """Drop everything remembered in `room`; whether there was anything fresh."""
        fresh = self.recall(room, None) is not None
        for key in [k for k in self._last if k[0] == room]:
            del self._last[key]
        return fresh

    def _prune(self) -> None:
        # Rooms and people are few, but a name heard once must not stay forever.
        now = self.clock()
        for key in [k for k, e in self._last.items() if now - e.at > self.ttl]:
            del self._last[key]


_MEMORIES: weakref.WeakKeyDictionary[House, ConversationMemory] = weakref.WeakKeyDictionary()


def memory_of(house: House) -> ConversationMemory:
    """The house's conversation memory, made on first use with the configured follow-up time."""
    memory = _MEMORIES.get(house)
    if memory is None:
        section: ConversationSettings | None = house.section("conversation")
        ttl = (section or ConversationSettings()).follow_up_seconds
        memory = _MEMORIES[house] = ConversationMemory(ttl)
    return memory


def speaker() -> str | None:
    """Who is speaking, when a voice (or `say --speaker`) told us."""
    heard = current()
    return heard.person if heard is not None else None
