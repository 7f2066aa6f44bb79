"""The hub's speech recognizers: one per room that talks (decoders are stateful and rooms may
talk at once), built off the event loop, following the home's grammar.

A decoder is native memory (pocketsphinx: ~29 MB each) that glibc does not hand back when it
is freed, and rebuilding one on a worker thread of its own strands more in that thread's malloc
arena (bench/_soak_decoders.py). So decoders are kept, not rebuilt: a room whose satellite goes
away parks its decoder, and the room takes it back when the satellite returns (after a broker
restart, within seconds); a room with none takes any parked one before a new one is built, so
the hub never holds more decoders than rooms that talked at once. Parked decoders are bounded
by the number of rooms, and dropped after PARK_S unused (all but one, for the next wake);
freed memory is then returned to the system (malloc_trim). Every build runs on one dedicated
thread, so decoders live in one arena.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
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


class Recognizers:
    def __init__(self, stt: SttSettings, build: Callable[[], SpeechToText],
                 ready: asyncio.Event, rooms: Callable[[], int] = lambda: 1,
                 park_s: float = PARK_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = stt
        self._build = build
        self._ready = ready
        self._rooms = rooms  # how many rooms the home has: the bound on parked decoders
        self.park_s = park_s
        self._clock = clock
        # The grammar as one room sees it (its own device names likelier); None: free-form.
        self.grammar: Callable[[str], RoomGrammar | None] = lambda _room: None
        self.by_room: dict[str, SpeechToText] = {}
        # Released decoders by the room they are set up for, least recently parked first.
        self.parked: OrderedDict[str, tuple[SpeechToText, float]] = OrderedDict()
        self._building: dict[str, asyncio.Task[SpeechToText]] = {}
        self.built = 0  # decoders built since start (a room that comes back builds none)
        self.dropped = 0
        self._trim_due = False
        self._swept = 0.0
        self._thread = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="hub-decoders")

    @property
    def limit(self) -> int:
        return max(1, self._rooms())

    def add_spare(self, stt: SpeechToText) -> None:
        self.configure(stt)
        self._park(SPARE, stt)

    def configure(self, stt: SpeechToText, room: str = "") -> None:
        stt.set_grammar(None if self.settings.mode == "free_form" else self.grammar(room))

    def grammar_changed(self, _grammar: Any = None) -> None:
        for room, stt in self.by_room.items():
            self.configure(stt, room)
        for room, (stt, _since) in self.parked.items():
            self.configure(stt, room)

    async def for_room(self, room: str) -> SpeechToText:
        found = self.by_room.get(room)
        if found is not None:
            return found
        building = self._building.get(room)
        if building is None:
            building = asyncio.get_running_loop().create_task(self._for_room(room))
            self._building[room] = building
            building.add_done_callback(lambda _t: self._building.pop(room, None))
        return await asyncio.shield(building)

    async def _for_room(self, room: str) -> SpeechToText:
        await self._ready.wait()
        parked = self.parked.pop(room, None)
        if parked is not None:
            stt = parked[0]  # the room's own decoder, back: set up for it already
        else:
            if self.parked:  # another room's (or the spare): set up again, not rebuilt
                _other, (stt, _since) = self.parked.popitem(last=False)
            else:
                stt = await self._run(self._build)
                self.built += 1
                log.info("satellite hub: built a speech decoder for %s (%d built since start, "
                         "%d in use)", room, self.built, len(self.by_room) + 1)
            await self._run(self.configure, stt, room)
        self.by_room[room] = stt
        return stt

    def release(self, room: str) -> None:
        """The room's satellite is gone (or its conversation over): its decoder is parked for
        its return; beyond one per room of the home, the longest parked is dropped."""
        stt = self.by_room.pop(room, None)
        if stt is not None:
            self._park(room, stt)

    def _park(self, room: str, stt: SpeechToText) -> None:
        self.parked.pop(room, None)
        self.parked[room] = (stt, self._clock())
        while len(self.parked) > self.limit:
            self.parked.popitem(last=False)
            self._dropped()

    def _dropped(self) -> None:
        self.dropped += 1
        self._trim_due = True

    def trim_soon(self) -> None:
        """Buffers were dropped (a conversation's audio, a flood's frames): at the next sweep,
        freed memory goes back to the system."""
        self._trim_due = True

    async def sweep(self) -> None:
        """Drop decoders parked too long (keeping one for the next wake) and give freed memory
        back; called often, works at most every SWEEP_S."""
        now = self._clock()
        if now - self._swept < SWEEP_S:
            return
        self._swept = now
        while len(self.parked) + len(self.by_room) > 1 and self.parked:
            room, (_stt, since) = next(iter(self.parked.items()))
            if now - since < self.park_s:
                break
            del self.parked[room]
            self._dropped()
        if self._trim_due:
            self._trim_due = False
            await self._run(give_back_memory)

    async def _run(self, work: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, work, *args)

    def tasks(self) -> list[asyncio.Task[SpeechToText]]:
        return list(self._building.values())

    def close(self) -> None:
        """The hub stops: the builder thread ends once its work is done."""
        with contextlib.suppress(RuntimeError):
            self._thread.shutdown(wait=False, cancel_futures=True)
