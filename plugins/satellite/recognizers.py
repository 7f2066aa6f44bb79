"""The hub's speech recognizers: one per room that talks (decoders are stateful and rooms may
talk at once), built off the event loop, following the home's grammar.

A decoder is native memory (pocketsphinx: ~29 MB each, ~50 MB once it holds a home's grammar)
that glibc does not hand back when it is freed, and rebuilding one on a worker thread of its
own strands more in that thread's malloc arena (bench/_soak_decoders.py). So decoders are kept
and shared, not rebuilt:

- a room holds a decoder only while it talks; then the decoder is parked, set up for that
  room, and taken back at once by the room's next wake;
- a room whose satellite comes online (again, after a broker restart) gets one parked for it
  (its own, the spare, or one parked for a room without a satellite) so its first wake is
  quick: a satellite coming back builds none;
- a room with none of its own takes any parked one (set up again, ~0.2 s) before a new one
  is built, so a flood that wakes other rooms holds no more decoders than rooms talking at
  once;
- parked decoders are bounded by the number of rooms; those of rooms without a satellite are
  dropped after PARK_S unused (all but one, for the next wake), and the freed memory is
  returned to the system (malloc_trim).

Every build runs on one dedicated thread, so decoders live in one malloc arena.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any, TypeVar

from samantha.plugins.satellite.malloc import give_back_memory
from samantha.plugins.speech.engines import SpeechToText
from samantha.plugins.speech.settings import SttSettings

if TYPE_CHECKING:
    from samantha.plugins.speech.grammar import RoomGrammar

log = logging.getLogger(__name__)

# A parked decoder unused this long is dropped (the last one is kept for the next wake).
PARK_S = 600.0
# Parked decoders are swept (and freed memory trimmed) at most this often.
SWEEP_S = 2.0
SPARE = ""  # the parking place of a decoder set up for no room in particular

T = TypeVar("T")


class NoDecoder(Exception):
    """A satellite's room is not warmed up: it would take a decoder more than satellites."""


def _nothing() -> None:
    pass


class Recognizers:
    def __init__(self, stt: SttSettings, build: Callable[[], SpeechToText],
                 ready: asyncio.Event, rooms: Callable[[], int] = lambda: 1,
                 online: Callable[[], Collection[str]] = tuple,
                 park_s: float = PARK_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = stt
        self._build = build
        self._ready = ready
        self._rooms = rooms  # how many rooms the home has: the bound on parked decoders
        self._online = online  # rooms whose satellites are online: their decoders stay
        self.park_s = park_s
        self._clock = clock
        # The grammar as one room sees it (its own device names likelier); None: free-form.
        self.grammar: Callable[[str], RoomGrammar | None] = lambda _room: None
        self.by_room: dict[str, SpeechToText] = {}
        # Released decoders by the room they are set up for, least recently parked first.
        self.parked: OrderedDict[str, tuple[SpeechToText, float]] = OrderedDict()
        self._building: dict[str, asyncio.Task[SpeechToText]] = {}
        # Decoders a sweep is setting up for a satellite's room that lacks one, by that room.
        self._lending: dict[str, asyncio.Future[None]] = {}
        self.built = 0  # decoders built since start (a room that comes back builds none)
        self.dropped = 0
        self.alive = 0  # decoders held: in use, parked, or on their way to a room
        self._trim_due = False
        self._swept = 0.0
        self._thread = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="hub-decoders")

    @property
    def limit(self) -> int:
        return max(1, self._rooms())

    async def add_spare(self, stt: SpeechToText) -> None:
        await self.run(self.configure, stt)
        self.alive += 1
        self._park(SPARE, stt)

    def configure(self, stt: SpeechToText, room: str = "") -> None:
        stt.set_grammar(None if self.settings.mode == "free_form" else self.grammar(room))

    def grammar_changed(self, _grammar: Any = None) -> None:
        # A decoder in use is fed on the event loop: set up there, between two frames. Parked
        # ones are set up on the builder thread, so their memory stays in its arena (a new
        # grammar frees the old one only after building its own: ~28 MB each time).
        for room, stt in self.by_room.items():
            self.configure(stt, room)
        parked = [(stt, room) for room, (stt, _since) in self.parked.items()]
        if parked:
            with contextlib.suppress(RuntimeError):  # the hub has stopped
                self._thread.submit(lambda: [self.configure(stt, room) for stt, room in parked])

    def has(self, room: str) -> bool:
        """The room has a decoder of its own, in use or parked for it."""
        return room in self.by_room or room in self.parked

    async def for_room(self, room: str, *, take_any: bool = True) -> SpeechToText:
        """The room's decoder, now in use by it (release it when the room stops talking).

        take_any=False (a satellite came online, nobody talks yet): no other satellite's
        parked decoder is taken; a new one is built rather."""
        found = self.by_room.get(room)
        if found is not None:
            return found
        building = self._building.get(room)
        if building is None or building.done():
            building = asyncio.get_running_loop().create_task(self._for_room(room, take_any))
            self._building[room] = building
            building.add_done_callback(lambda t: self._building.pop(room, None)
                                       if self._building.get(room) is t else None)
        try:
            return await asyncio.shield(building)
        except NoDecoder:
            if not take_any:
                raise
            # The room talks while its warm-up gave up: now it takes what there is.
            return await self.for_room(room)

    async def _for_room(self, room: str, take_any: bool) -> SpeechToText:
        await self._ready.wait()
        lending = self._lending.get(room)
        if lending is not None:
            # A sweep is giving this room a decoder: take that one. Building another meanwhile
            # counted one too many, and a second satellite's room coming online with it was
            # refused its warm-up for good.
            await asyncio.shield(lending)
        parked = self.parked.pop(room, None)
        if parked is not None:
            stt = parked[0]  # the room's own decoder, back: set up for it already
            await self.run(_nothing)  # once a new grammar queued for it is in
        else:
            other = self._spare_for(take_any)
            if other is not None:  # set up again for this room, not rebuilt
                stt = self.parked.pop(other)[0]
            elif not take_any and self.alive >= len(self._online()):
                # Warming up only: there are as many decoders as satellites online (one lent
                # to a room without a satellite comes back at the next sweep). The room gets
                # one when it talks.
                raise NoDecoder(room)
            else:
                self.alive += 1  # counted from now: a warm-up meanwhile builds no other
                try:
                    stt = await self.run(self._build)
                except BaseException:
                    self.alive -= 1
                    raise
                self.built += 1
                log.info("satellite hub: built a speech decoder for %s (%d built since start, "
                         "%d in use)", room, self.built, len(self.by_room) + 1)
            await self.run(self.configure, stt, room)
            self._trim_due = True  # the old grammar freed
        self.by_room[room] = stt
        return stt

    def _spare_for(self, take_any: bool) -> str | None:
        """Which parked decoder a room without one takes: the spare, else the longest parked
        of a room without a satellite online, else (take_any) the longest parked."""
        if SPARE in self.parked:
            return SPARE
        online = self._online()
        for room in self.parked:
            if room not in online:
                return room
        return next(iter(self.parked), None) if take_any else None

    def release(self, room: str) -> None:
        """The room stopped talking (or its satellite is gone): its decoder is parked for the
        room's next wake; beyond one per room of the home, the longest parked is dropped."""
        stt = self.by_room.pop(room, None)
        if stt is not None:
            self._park(room, stt)

    def _park(self, room: str, stt: SpeechToText) -> None:
        if self.parked.pop(room, None) is not None:
            self._dropped()  # the room had one parked already: one is enough
        self.parked[room] = (stt, self._clock())
        while len(self.parked) > self.limit:
            self.parked.popitem(last=False)
            self._dropped()

    def _dropped(self) -> None:
        self.dropped += 1
        self.alive -= 1
        self._trim_due = True

    def trim_soon(self) -> None:
        """Buffers were dropped (a conversation's audio, a flood's frames): at the next sweep,
        freed memory goes back to the system."""
        self._trim_due = True

    async def sweep(self) -> None:
        """Give decoders lent to rooms without a satellite back to satellites' rooms lacking
        one, drop those parked too long (keeping one for the next wake) and give freed memory
        back; called often, works at most every SWEEP_S."""
        now = self._clock()
        if now - self._swept < SWEEP_S:
            return
        self._swept = now
        online = self._online()
        for room, (stt, since) in list(self.parked.items()):
            if room in online:
                continue
            # Parked for a room without a satellite: a satellite's room that lent it (or lost
            # its own) takes it back; unused for long, it is dropped (the last one stays).
            lacking = [r for r in online if not self.has(r) and r not in self._building]
            if lacking:
                to = lacking[0]
                del self.parked[room]
                lent = self._lending[to] = asyncio.get_running_loop().create_future()
                try:
                    await self.run(self.configure, stt, to)
                except BaseException:
                    self._dropped()  # the hub stops: it is let go
                    raise
                else:
                    self._park(to, stt)
                finally:
                    del self._lending[to]
                    lent.set_result(None)
                self._trim_due = True
            elif now - since >= self.park_s and len(self.parked) + len(self.by_room) > 1:
                del self.parked[room]
                self._dropped()
        if self._trim_due:
            self._trim_due = False
            await self.run(give_back_memory)

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """Decoder work (a build, a new grammar) on the one builder thread."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, work, *args)

    def tasks(self) -> list[asyncio.Task[SpeechToText]]:
        return list(self._building.values())

    def close(self) -> None:
        """The hub stops: the builder thread ends once its work is done."""
        with contextlib.suppress(RuntimeError):
            self._thread.shutdown(wait=False, cancel_futures=True)
