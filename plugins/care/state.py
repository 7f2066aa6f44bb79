"""The care plugin's state in one running house: clock, tables, what was just said where."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from samantha.plugins.automations.clock import Clock, SystemClock
from samantha.plugins.persona.runtime import runtime_of

from .settings import CareSection
from .store import CareStore
from .wellbeing import LexiconLow, LowSignal, PersonaLow

if TYPE_CHECKING:
    from samantha.house import House


Answer = Callable[[], Awaitable[str]]


@dataclass
class Offer:
    """A question the house asked on its own; a spoken answer in the room settles it."""

    yes: Answer  # the reply to "yes" (after doing it)
    no: Answer  # the reply to "no" (remembered)


@dataclass
class Raise:
    person: str | None
    kind: str
    key: str  # the same key is raised at most once
    reason: str  # for the log: why now
    message: str  # the offline wording
    room: str | None = None  # None: where the person is now
    offer: Offer | None = None
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Said:
    """One sentence and what came of it, kept in memory until the reply is out."""

    person: str | None
    room: str
    at: float
    intent: str | None
    text: str
    done: tuple[tuple[str, str, str], ...]  # commands carried out


@dataclass
class Raised:
    """The last thing the house raised on its own in a room."""

    utterance: int  # row in the proactive log
    person: str | None
    kind: str
    key: str
    at: float
    offer: Offer | None = None


@dataclass
class Care:
    house: House
    clock: Clock
    section: CareSection
    store: CareStore
    low: LowSignal
    raised: dict[str, Raised] = field(default_factory=dict)  # room -> last raised there
    snoozed: dict[tuple[str | None, str], float] = field(default_factory=dict)  # until
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    checked: dict[str, float] = field(default_factory=dict)  # what -> when last done
    loop_task: asyncio.Task[None] | None = None
    busy: set[str] = field(default_factory=set)  # people something is being raised with
    home_now: dict[str, bool | None] = field(default_factory=dict)  # person -> at home
    after_reply: dict[str, Said] = field(default_factory=dict)  # answered, reply not yet out

    def now(self) -> datetime:
        return self.clock.now()

    def spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        """Background work that shutdown cancels and `settled` waits for."""
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.append(task)
        task.add_done_callback(lambda t: self.tasks.remove(t) if t in self.tasks else None)

    def ts(self) -> float:
        return self.clock.now().timestamp()


_STATES: weakref.WeakKeyDictionary[House, Care] = weakref.WeakKeyDictionary()


def care_for(house: House, *, clock: Clock | None = None, low: LowSignal | None = None) -> Care:
    """The house's care state, made on first use. Tests call this before `house.start()` to
    hand in a fake clock (the automations engine's, so both see the same time) or another
    low-mood signal."""
    state = _STATES.get(house)
    if state is None:
        section = house.section("care") or CareSection()
        store = CareStore(runtime_of(house).memory)
        state = _STATES[house] = Care(house=house, clock=clock or SystemClock(),
                                      section=section, store=store,
                                      low=low or _default_low(house, store))
    return state


def _default_low(house: House, store: CareStore) -> LowSignal:
    persona = house.section("persona")
    feelings = getattr(persona, "feelings", None)
    if feelings is not None and not feelings.enabled:
        return LexiconLow(store)
    return PersonaLow(store, house)


def forget_care(house: House) -> Care | None:
    return _STATES.pop(house, None)
