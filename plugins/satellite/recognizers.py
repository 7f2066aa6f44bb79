"""The hub's speech recognizers: one per room that talks (decoders are stateful and rooms may
talk at once), built off the event loop, following the home's grammar, and given back when
the room's satellite goes away so a vanished room holds no decoder."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from samantha.plugins.speech.engines import SpeechToText
from samantha.plugins.speech.settings import SttSettings

if TYPE_CHECKING:
    from samantha.plugins.speech.grammar import RoomGrammar

# Spare decoders kept for the next room that talks; more are dropped (they hold the model).
MAX_SPARE = 1


class Recognizers:
    def __init__(self, stt: SttSettings, build: Callable[[], SpeechToText],
                 ready: asyncio.Event) -> None:
        self.settings = stt
        self._build = build
        self._ready = ready
        # The grammar as one room sees it (its own device names likelier); None: free-form.
        self.grammar: Callable[[str], RoomGrammar | None] = lambda _room: None
        self.by_room: dict[str, SpeechToText] = {}
        self._building: dict[str, asyncio.Task[SpeechToText]] = {}
        self.spare: list[SpeechToText] = []

    def add_spare(self, stt: SpeechToText) -> None:
        self.configure(stt)
        self.spare.append(stt)

    def configure(self, stt: SpeechToText, room: str = "") -> None:
        stt.set_grammar(None if self.settings.mode == "free_form" else self.grammar(room))

    def grammar_changed(self, _grammar: Any = None) -> None:
        for room, stt in self.by_room.items():
            self.configure(stt, room)
        for stt in self.spare:
            self.configure(stt)

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
        stt = self.spare.pop() if self.spare else await asyncio.to_thread(self._build)
        await asyncio.to_thread(self.configure, stt, room)
        self.by_room[room] = stt
        return stt

    def release(self, room: str) -> None:
        """The room's satellite is gone: its decoder becomes a spare, or is dropped."""
        stt = self.by_room.pop(room, None)
        if stt is not None and len(self.spare) < MAX_SPARE:
            self.spare.append(stt)

    def tasks(self) -> list[asyncio.Task[SpeechToText]]:
        return list(self._building.values())
