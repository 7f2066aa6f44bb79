"""One room's speech pipeline: wake word -> endpointed utterance -> snapped text -> intents.

States: idle (wake engine listening) -> listening (recognizer streaming, endpointer watching)
-> thinking (the house handles the text) -> idle. Replies play on the room's sink; while they
play the wake engine is not fed, so the room cannot wake itself. A muted room drops every frame.
"Stop" said anywhere else for this room (a satellite, the dashboard, `say`) cuts a reply off.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from enum import Enum
from typing import TYPE_CHECKING

from pydantic import BaseModel

from samantha.hardware.frames import AudioFrame, ProcessedFrame
from samantha.hardware.sinks import AudioSink
from samantha.plugins.people.identify import heard, learning_voice, respond
from samantha.plugins.speech.endpoint import Decision, Endpointer
from samantha.plugins.speech.engines import (
    SAMPLE_RATE,
    SpeechToText,
    TextToSpeech,
    Transcript,
    WakeEngine,
)
from samantha.plugins.speech.events import SpeechStep, TurnAudio
from samantha.plugins.speech.grammar import Grammar, GrammarKeeper, text_for_house
from samantha.plugins.speech.messages import (
    IntentFound,
    ListenTimeout,
    PartialHeard,
    ReplyStarted,
    TranscriptHeard,
    WakeHeard,
)
from samantha.plugins.speech.settings import SpeechSettings

if TYPE_CHECKING:
    from samantha.house import House

log = logging.getLogger(__name__)

_REPLAY_FRAME_S = 0.02
NOT_CAUGHT = {"en": "Sorry, I didn't catch that.", "ko": "죄송해요, 잘 못 들었어요."}
# Two readings were almost equally likely and would do different things: ask, don't guess.
WHICH = {"en": "Sorry, did you say {0} or {1}?", "ko": "죄송해요, {0}, 아니면 {1}?"}
# The words stopped short of a command ("set the kitchen blinds to"): ask for all of it.
UNFINISHED = {"en": "I heard \"{0}\", and then nothing. Could you say all of it again?",
              "ko": "\"{0}\"까지만 들었어요. 처음부터 다시 말씀해 주세요."}

Reporter = Callable[[BaseModel], None]


def nothing_understood(language: str, heard: TranscriptHeard) -> str:
    """What a room (or a satellite's) says when what it heard leads to nothing: which of two
    readings was meant, the rest of a sentence that stopped, or that it didn't catch it."""
    if heard.choices:
        return WHICH.get(language, WHICH["en"]).format(*heard.choices[:2])
    if heard.unfinished:
        return UNFINISHED.get(language, UNFINISHED["en"]).format(heard.heard)
    return NOT_CAUGHT.get(language, NOT_CAUGHT["en"])


class State(str, Enum):
    IDLE = "idle"
    LISTENING = "listening"
    THINKING = "thinking"


class RoomSpeech:
    def __init__(self, house: House, room: str, settings: SpeechSettings, *, wake: WakeEngine,
                 stt: SpeechToText, tts: TextToSpeech, sink: AudioSink, grammar: GrammarKeeper,
                 language: str, report: Reporter | None = None, partials: bool = False) -> None:
        self.house = house
        self.room = room
        self.settings = settings
        self.wake = wake
        self.stt = stt
        self.tts = tts
        self.sink = sink
        self.keeper = grammar
        self.language = language
        self.report = self._reporter(report or (lambda _message: None))
        self.partials = partials
        self.state = State.IDLE
        self.speaking = False
        self.endpointer = Endpointer(settings.endpoint)
        self.t0: float | None = None
        self.now = 0.0
        self.last_wake = float("-inf")
        self.utterance: list[bytes] = []
        self.last_partial = ""
        self.tasks: set[asyncio.Task[None]] = set()
        self._last_speech: asyncio.Task[None] | None = None
        self._generation = 0  # bumped by "stop": replies queued before it are dropped
        self.speech_tasks: set[asyncio.Task[None]] = set()
        self.frames_heard = 0
        self.reply_clock: tuple[float, float] | None = None
        grammar.listeners.append(self._grammar_changed)
        if settings.stt.mode == "grammar" and grammar.grammar.revision >= 0:
            self._grammar_changed(grammar.grammar)
        elif settings.stt.mode == "free_form":
            stt.set_grammar(None)

    def _reporter(self, report: Reporter) -> Reporter:
        def tell(message: BaseModel) -> None:  # observers (the dashboard) see each step too
            report(message)
            self.house.bus.publish_soon(SpeechStep.of(message))
        return tell

    def _grammar_changed(self, grammar: Grammar) -> None:
        if self.settings.stt.mode == "grammar":
            self.stt.set_grammar(grammar.for_room(self.room))

    # --- audio in -----------------------------------------------------------------------------

    async def run(self, frames: AsyncIterator[ProcessedFrame]) -> None:
        """Process a room's frames until the stream ends; then finish what is under way."""
        async for processed in frames:
            await self.process(processed.frame)
        await self.end_of_stream()

    async def process(self, frame: AudioFrame) -> None:
        if self.t0 is None:
            self.t0 = frame.timestamp
        self.now = frame.end_time - self.t0
        if self.house.is_muted(self.room):
            if self.state is State.LISTENING:
                self.stt.finish()  # an utterance cut by mute is not acted on
                await self._back_to_idle()
            return
        self.frames_heard += 1
        pcm = frame.pcm_bytes()
        if self.state is State.IDLE:
            self.endpointer.vad.is_speech(pcm, frame.duration)  # keep the noise floor current
            if self.speaking:
                return
            if self.keeper.stale and not self.keeper.rebuilding:
                self._spawn(self._refresh_grammar())
            detection = self.wake.process(pcm)
            if detection is None:
                return
            if self.now - self.last_wake < self.settings.wake.refractory_s:
                return
            self.last_wake = self.now
            self.report(WakeHeard(room=self.room, t=self.now, phrase=detection.phrase,
                                  confidence=detection.confidence))
            await self._start_listening(detection.trailing, detection.lead)
        elif self.state is State.LISTENING:
            await self._listen(pcm, frame.duration)

    async def _refresh_grammar(self) -> None:
        await self.keeper.refresh()

    async def _start_listening(self, trailing: bytes = b"", lead: bytes = b"") -> None:
        """Listen for a command; `trailing` is audio already heard after the wake phrase (the
        command's start when said in one breath), replayed first in short frames so the
        endpointer judges it as it would live audio. `lead` (the audio up to it, wake phrase
        included) tells a recognizer that can use it what this voice in this room sounds like;
        it is not part of the command."""
        self.state = State.LISTENING
        self.utterance = []
        self.last_partial = ""
        start_after_wake = getattr(self.stt, "start_after_wake", None)
        if lead and start_after_wake is not None:
            start_after_wake(lead + trailing)
        else:
            self.stt.start()
        trailing = trailing[: len(trailing) // 2 * 2]
        now = self.now
        self.endpointer.reset(now - len(trailing) / 2 / SAMPLE_RATE, context=lead)
        await self.house.set_activity(self.room, "listening")
        step = _REPLAY_FRAME_S * SAMPLE_RATE * 2
        for start in range(0, len(trailing), int(step)):
            chunk = trailing[start:start + int(step)]
            self.now = now - (len(trailing) - start - len(chunk)) / 2 / SAMPLE_RATE
            await self._listen(chunk, len(chunk) / 2 / SAMPLE_RATE)
            if self.state is not State.LISTENING:
                break
        self.now = now

    async def _listen(self, pcm: bytes, duration: float) -> None:
        arrived = time.monotonic()  # latency counts from here: decoding the last frame is in it
        self.utterance.append(pcm)
        partial = self.stt.accept(pcm)
        if partial != self.last_partial:
            self.last_partial = partial
            if self.partials and partial:
                self.report(PartialHeard(room=self.room, t=self.now, text=partial))
        # A voice sample is not a command: it ends at silence, not when its words snap to one.
        # (Not `a and b and not c`: that made every Ending `True`, 1, and a closed sentence,
        # 2, never ended after closed_silence_ms in a local room.)
        by_grammar = (self.settings.stt.mode == "grammar"
                      and not learning_voice(self.house, self.room))
        complete = self.keeper.complete(partial) if by_grammar else 0
        decision = self.endpointer.update(pcm, self.now, duration, partial, complete)
        if by_grammar:
            decision = self.endpointer.end_on_final(decision, self.stt, self.keeper.complete)
        if decision is Decision.CONTINUE:
            return
        transcript = self.stt.finish()
        if decision is Decision.TIMEOUT:
            self.report(ListenTimeout(room=self.room, t=self.now))
            await self._back_to_idle()
            return
        self.state = State.THINKING
        audio = b"".join(self.utterance)
        self.utterance = []
        self.house.bus.publish_soon(TurnAudio(room=self.room, pcm=audio, sample_rate=SAMPLE_RATE))
        self._spawn(self._understand(transcript, audio, decision, self.now, arrived))

    async def end_of_stream(self) -> None:
        """A finite source ended: finish a running utterance, wait for replies to finish."""
        if self.state is State.LISTENING:
            arrived = time.monotonic()
            transcript = self.stt.finish()
            self.state = State.THINKING
            audio = b"".join(self.utterance)
            self.house.bus.publish_soon(TurnAudio(room=self.room, pcm=audio,
                                                  sample_rate=SAMPLE_RATE))
            self._spawn(self._understand(transcript, audio, Decision.END, self.now, arrived))
        while self.tasks or self.speech_tasks:
            await asyncio.gather(*self.tasks, *self.speech_tasks, return_exceptions=True)

    # --- understanding ------------------------------------------------------------------------

    def _since(self, t_end: float, wall_end: float) -> float:
        return t_end + (time.monotonic() - wall_end)

    async def _understand(self, transcript: Transcript, audio: bytes, decision: Decision,
                          t_end: float, wall_end: float) -> None:
        self.reply_clock = (t_end, wall_end)
        try:
            await self.house.set_activity(self.room, "thinking")
            text, message = await self._text_for(transcript, audio, decision,
                                                 self._since(t_end, wall_end))
            voice = await heard(self.house, audio, SAMPLE_RATE) if text else None
            if voice is not None:
                message = message.model_copy(update={"speaker": voice.person,
                                                     "speaker_score": voice.score})
            self.report(message)
            if text or learning_voice(self.house, self.room):
                outcome = await respond(self.house, text, self.room, voice, audio, SAMPLE_RATE)
                if outcome.intent:
                    self.report(IntentFound(
                        room=self.room, t=self._since(t_end, wall_end), name=outcome.intent,
                        slots=outcome.slots,
                        commands=[c.model_dump() for c in outcome.commands]))
            else:
                await self.house.speak(self.room, nothing_understood(self.language, message))
            while self.speech_tasks:
                await asyncio.gather(*self.speech_tasks, return_exceptions=True)
        except Exception:
            log.exception("room %s: handling an utterance failed", self.room)
        finally:
            self.reply_clock = None
            await self._back_to_idle()

    async def _text_for(self, transcript: Transcript, audio: bytes, decision: Decision,
                        t: float) -> tuple[str, TranscriptHeard]:
        """The text for the intent layer: the snapped grammar sentence, or free-form words."""
        decided = await text_for_house(self.keeper, self.settings.stt, self.stt, transcript,
                                       audio, self.room)
        end = decision.value if decision is not Decision.END else "end"
        return decided.text, TranscriptHeard(
            room=self.room, t=t, heard=transcript.text, confidence=decided.confidence, end=end,
            text=decided.text, similarity=decided.similarity, understood=decided.understood,
            free_form=decided.free_form, reason=decided.reason, choices=list(decided.choices),
            unfinished=decided.unfinished)

    async def _back_to_idle(self) -> None:
        self.state = State.IDLE
        self.wake.reset()
        if not self.speaking:
            await self.house.set_activity(self.room, "idle")

    # --- replies ------------------------------------------------------------------------------

    def say(self, text: str) -> asyncio.Task[None]:
        """Speak `text` on the room's sink after whatever the room is already saying.

        Replies can arrive a sentence at a time (a streaming persona); they must come out of the
        speaker in order and one after another, never talking over each other.
        """
        previous = self._last_speech
        task = asyncio.get_running_loop().create_task(
            self._speak_after(previous, text, self._generation))
        self._last_speech = task
        self.speech_tasks.add(task)
        task.add_done_callback(self.speech_tasks.discard)
        return task

    async def _speak_after(self, previous: asyncio.Task[None] | None, text: str,
                           generation: int) -> None:
        if previous is not None:
            with contextlib.suppress(BaseException):
                await asyncio.shield(previous)
        if generation != self._generation:
            return  # queued before a "stop": never said
        await self._speak(text)

    async def _speak(self, text: str) -> None:
        t = self._since(*self.reply_clock) if self.reply_clock else self.now
        self.report(ReplyStarted(room=self.room, t=t, text=text))
        self.speaking = True
        try:
            await self.house.set_activity(self.room, "speaking")
            speech = await self.tts.synthesize(text)
            if len(speech.samples):
                await self.sink.play(speech.samples, speech.sample_rate)
        except Exception as err:
            log.warning("room %s: could not speak %r: %s", self.room, text, err)
        finally:
            self.speaking = False
            # What the mic picked up while we spoke is our own voice: forget it.
            self.wake.reset()
            if self.state is State.IDLE:
                await self.house.set_activity(self.room, "idle")

    def interrupt(self) -> int:
        """Someone said "stop": cut off the reply being spoken and drop those queued after it.

        Returns how many replies were cut. Each one's own cleanup puts the room back to idle.
        """
        self._generation += 1
        cut = [task for task in self.speech_tasks if not task.done()]
        for task in cut:
            task.cancel()
        self._last_speech = None
        return len(cut)

    def _spawn(self, work: object) -> None:
        task = asyncio.get_running_loop().create_task(work)  # type: ignore[arg-type]
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def close(self) -> None:
        for task in [*self.tasks, *self.speech_tasks]:
            task.cancel()
        for task in [*self.tasks, *self.speech_tasks]:
            with contextlib.suppress(BaseException):
                await task
        with contextlib.suppress(ValueError):
            self.keeper.listeners.remove(self._grammar_changed)
