"""Who is speaking, from an utterance's audio: for the speech pipelines (local rooms and the
satellite hub).

    voice = await heard(house, pcm, 16000)      # None: no voice enrolled, nothing to tell
    outcome = await respond(house, text, room, voice, pcm, 16000)

`respond` hands the sentence to the house as said by `voice`, with the utterance's audio at
hand for voice enrollment (enrollment.py), which takes the room's next utterances as samples
while someone is teaching the house their voice.

The encoder runs in a thread (about 0.02 CPU-s per audio-s), so the event loop never waits.
A failure costs the speaker's name for this utterance (logged once), never the utterance.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .speaker import Heard, speaking

if TYPE_CHECKING:
    from samantha.house import House
    from samantha.intent_handling import Outcome

log = logging.getLogger(__name__)

MIN_SECONDS = 0.5  # shorter than this a voice says too little to tell people apart
_warned: set[str] = set()


def _warn_once(what: str, err: Exception) -> None:
    if what not in _warned:
        _warned.add(what)
        log.warning("speaker identification: %s (%s: %s); speakers are unknown", what,
                    type(err).__name__, err)


async def heard(house: House, pcm: bytes, rate: int) -> Heard | None:
    """The speaker of 16-bit mono PCM, a guest (person None), or None when no one is enrolled."""
    from samantha.plugins.persona.runtime import runtime_of  # the persona owns the file

    from .voice import VoiceEncoder, encoder
    from .voices import VoiceProfiles

    rt = runtime_of(house)
    if not rt.memory.path.exists():
        return None
    try:
        profiles = VoiceProfiles(rt.memory, VoiceEncoder.name)
        if not profiles.profiles():
            return None
        if len(pcm) // 2 < MIN_SECONDS * rate:
            return None
        audio = to_float(pcm, rate)
        vector = await asyncio.to_thread(lambda: encoder().embed(audio))
        match = profiles.identify(vector)
    except Exception as err:
        _warn_once("the voice could not be matched", err)
        return None
    return Heard(match.person, round(match.score, 3), vector)


@dataclass(frozen=True)
class Utterance:
    """The audio of the sentence being handled: 16-bit mono PCM."""

    pcm: bytes
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.rate


_AUDIO: ContextVar[Utterance | None] = ContextVar("samantha_utterance_audio", default=None)


def learning_voice(house: House, room: str) -> bool:
    """Whether `room` is learning someone's voice: its next utterance is a sample even when
    no words were recognised in it."""
    from .enrollment import enrollment_of

    return room in enrollment_of(house).sessions


def utterance_audio() -> Utterance | None:
    """The audio of the sentence being handled; None when it was typed, or came from a
    satellite that recognises speech itself and sends only text."""
    return _AUDIO.get()


async def respond(house: House, text: str, room: str, voice: Heard | None, pcm: bytes,
                  rate: int) -> Outcome:
    """Handle one heard sentence: as a voice sample while the room is learning a voice, else
    by the house, as said by `voice`, with its audio at hand."""
    from .enrollment import enrollment_of

    audio = Utterance(pcm, rate) if pcm else None
    taken = await enrollment_of(house).take(text, room, voice, audio)
    if taken is not None:
        return taken
    token = _AUDIO.set(audio)
    try:
        with speaking_as(voice):
            return await house.handle_text(text, room)
    finally:
        _AUDIO.reset(token)


def to_float(pcm: bytes, rate: int) -> np.ndarray:
    """16-bit mono PCM -> float32 at 16 kHz."""
    audio = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.float32)
    audio /= 32768.0
    if rate != 16000:
        from scipy.signal import resample_poly

        audio = resample_poly(audio, 16000, rate).astype(np.float32)
    return audio


@contextlib.contextmanager
def speaking_as(voice: Heard | None) -> Iterator[None]:
    """Handle a sentence as said by `voice`; no voice information: as before (the room)."""
    if voice is None:
        yield
        return
    with speaking(voice.person, voice.score):
        yield
