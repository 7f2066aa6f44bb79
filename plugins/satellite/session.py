"""The hub's side of one site's conversation: streamed audio -> endpointed, snapped text.

Endpointing runs here as well as on the satellite because only the hub has the home's
grammar: it can end the utterance as soon as the words form a complete command (the
single-process pipeline's early end), while the satellite waits for plain silence.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np

from samantha.hardware.resample import resample
from samantha.plugins.satellite import hermes
from samantha.plugins.speech.endpoint import Decision, Endpointer
from samantha.plugins.speech.engines import SAMPLE_RATE, SpeechToText, Transcript
from samantha.plugins.speech.settings import EndpointSettings


class Phase(str, Enum):
    ARBITRATING = "arbitrating"  # frames are kept until this room is known to answer
    LISTENING = "listening"
    THINKING = "thinking"
    ENDED = "ended"


def frame_pcm(payload: bytes) -> bytes:
    """A Hermes audioFrame (WAV) as mono 16 kHz s16le; ValueError when it is not WAV audio."""
    samples, rate = hermes.read_wav_bytes(payload)
    if samples.shape[1] != 1:
        samples = samples.mean(axis=1, keepdims=True).astype(np.int16)
    if rate != SAMPLE_RATE:
        floats = resample(samples.astype(np.float32) / 32768.0, rate, SAMPLE_RATE)
        samples = np.clip(np.rint(floats * 32768.0), -32768, 32767).astype(np.int16)
    return samples.astype("<i2").tobytes()


# Audio a session may hold, in seconds of 16 kHz mono: frames kept while the wake is
# arbitrated (a round takes 0.15 s; more means a stuck round or a flood), and one utterance
# (the endpointer ends it at max_utterance_s; this is the backstop).
MAX_PENDING_S = 6.0
MAX_UTTERANCE_S = 60.0
_PIECE = 1024  # held audio is decoded and judged in pieces of a live frame's size (32 ms)


def seconds_of(pcm_bytes: int) -> float:
    return pcm_bytes / 2 / SAMPLE_RATE


class Utterance:
    """One utterance streamed into a recognizer, with the same end rules as a local room."""

    def __init__(self, stt: SpeechToText, endpoint: EndpointSettings,
                 complete: Callable[[str], int], lead_bytes: int = 0,
                 trailing_bytes: int = 0, peek: bool = True) -> None:
        self.stt = stt
        self.complete = complete
        self.peek = peek  # may end on the recognizer's final reading (engines.peek_final)
        self.endpointer = Endpointer(endpoint)
        self.endpointer.reset(0.0)
        self.t = 0.0
        self.audio: list[bytes] = []
        self.partial = ""
        # The stream starts with the wake phrase (HotwordDetected.lead_s), not decoded, and the
        # command's start the wake engine held (trailing_s): the recognizer is normalised on
        # both before it decodes the command, as a local room's is (start_after_wake).
        self.lead_bytes = lead_bytes
        self.head_left = lead_bytes + trailing_bytes if lead_bytes else 0
        self.head = bytearray()
        if not self.head_left:
            stt.start()

    def _begin(self) -> bytes:
        """Start the utterance, normalised on the wake phrase and the command's start when the
        recognizer can be (SpeechToText.start_after_wake): a streamed command was otherwise
        heard through the previous utterance's mean (another voice, another room) and misheard
        (docs/speech.md). The command's start held so far, to be decoded now."""
        start_after_wake = getattr(self.stt, "start_after_wake", None)
        if self.head and start_after_wake is not None:
            start_after_wake(bytes(self.head))
        else:
            self.stt.start()
        held = bytes(self.head[self.lead_bytes:])
        self.head_left, self.head = 0, bytearray()
        return held

    def feed(self, pcm: bytes) -> Decision:
        if not self.head_left:
            return self._decode(pcm)
        taken = pcm[:self.head_left]
        lead = taken[:max(0, self.lead_bytes - len(self.head))]
        # The wake phrase and the quiet before it give the noise floor: without it the floor
        # started at the command's first frame, speech itself in one breath.
        self.endpointer.hear_before(lead, seconds_of(len(lead)))
        self.head += taken
        self.head_left -= len(taken)
        if self.head_left:
            return Decision.CONTINUE
        command = self._begin() + pcm[len(taken):]
        for start in range(0, len(command), _PIECE):
            decision = self._decode(command[start:start + _PIECE])
            if decision is not Decision.CONTINUE:
                return decision
        return Decision.CONTINUE

    def _decode(self, pcm: bytes) -> Decision:
        if not pcm:
            return Decision.CONTINUE
        duration = seconds_of(len(pcm))
        if self.t + duration > MAX_UTTERANCE_S:
            return Decision.END  # held audio stays bounded whatever the endpoint settings
        self.t += duration
        self.audio.append(pcm)
        self.partial = self.stt.accept(pcm)
        decision = self.endpointer.update(pcm, self.t, duration, self.partial,
                                          self.complete(self.partial))
        if self.peek:
            decision = self.endpointer.end_on_final(decision, self.stt, self.complete)
        return decision

    @property
    def speech_seen(self) -> bool:
        return self.endpointer.speech_seen

    def finish(self) -> Transcript:
        if self.head_left:
            # The stream ended within what was announced: decode what came of the command.
            held = self._begin()
            if held:
                self._decode(held)
        return self.stt.finish()


@dataclass
class HubSession:
    room: str
    site: str
    wakeword_id: str | None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    phase: Phase = Phase.ARBITRATING
    pending: list[bytes] = field(default_factory=list)
    utterance: Utterance | None = None
    follow_up: float = 0.0  # seconds the current listening waits for speech without a wake
    last_frame: float = field(default_factory=time.monotonic)
    listen_started: float = field(default_factory=time.monotonic)
    local_text: asyncio.Future[hermes.AsrTextCaptured] | None = None
    early_text: hermes.AsrTextCaptured | None = None  # a local satellite's, while arbitrating
    ended: asyncio.Future[Decision] | None = None
    local: bool = False  # the satellite recognises speech itself and sends text
    replies: set[asyncio.Task[None]] = field(default_factory=set)
    task: asyncio.Task[None] | None = None
    shared: bool = False  # the wake came on Hermes' shared topics: orders go there too
    pending_bytes: int = 0
    lead_bytes: int = 0  # wake-phrase audio announced at the start of the stream (lead_s)
    trailing_bytes: int = 0  # then the command's start the wake engine held (trailing_s)
    # The last utterance's audio (b"" when the satellite sent only text) and its speaker.
    heard_audio: bytes = b""
    voice: Any = None
    unheard_reply: str = ""  # what to say if nothing comes of the last utterance

    def keep(self, pcm: bytes) -> None:
        """Hold a frame until arbitration is decided, up to MAX_PENDING_S of audio."""
        if seconds_of(self.pending_bytes + len(pcm)) <= MAX_PENDING_S:
            self.pending.append(pcm)
            self.pending_bytes += len(pcm)

    def drop_audio(self) -> None:
        """Forget every frame held (the satellite went away or the session was aborted)."""
        self.pending.clear()
        self.pending_bytes = 0
        if self.utterance is not None:
            self.utterance.audio.clear()

    def audio_bytes(self) -> int:
        held = self.pending_bytes
        if self.utterance is not None:
            held += sum(len(pcm) for pcm in self.utterance.audio)
        return held
