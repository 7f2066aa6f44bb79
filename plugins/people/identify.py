"""Who is speaking, from an utterance's audio: for the speech pipeline.

    voice = await heard(house, pcm, 16000)      # None: no voice enrolled, nothing to tell
    with speaking_as(voice):
        await house.handle_text(text, room)

The encoder runs in a thread (about 0.02 CPU-s per audio-s), so the event loop never waits.
A failure costs the speaker's name for this utterance (logged once), never the utterance.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from .speaker import Heard, speaking

if TYPE_CHECKING:
    from samantha.house import House

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
        audio = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.float32)
        audio /= 32768.0
        if len(audio) < MIN_SECONDS * rate:
            return None
        if rate != 16000:
            from scipy.signal import resample_poly

            audio = resample_poly(audio, 16000, rate).astype(np.float32)
        vector = await asyncio.to_thread(lambda: encoder().embed(audio))
        match = profiles.identify(vector)
    except Exception as err:
        _warn_once("the voice could not be matched", err)
        return None
    return Heard(match.person, round(match.score, 3))


@contextlib.contextmanager
def speaking_as(voice: Heard | None) -> Iterator[None]:
    """Handle a sentence as said by `voice`; no voice information: as before (the room)."""
    if voice is None:
        yield
        return
    with speaking(voice.person, voice.score):
        yield
