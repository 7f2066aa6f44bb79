"""Voice activity (energy above a tracked noise floor) and the end-of-utterance decision.

Energy VAD calls noise and tones speech, as webrtcvad does; that is fine here because the VAD
only decides where an utterance *ends* after a wake word, never whether the room was addressed.
In a noisy room a neural speech detector (silero_vad) has the last word on whether a silence
is one: energy loses soft words under the noise floor there.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from enum import Enum

import numpy as np

from samantha.plugins.speech import silero_vad
from samantha.plugins.speech.engines import SpeechToText, peek_final
from samantha.plugins.speech.settings import EndpointSettings

_FLOOR_RISE_DB_PER_S = 3.0  # slow, so a long sentence does not become the "floor"
_FLOOR_MIN_DB = -90.0
_CONTEXT_BYTES = 16000 * 2  # the speech model's context: the last second before a command
# Two whole windows of nobody talking (less a rounding's worth: frame times are sums of
# floats). With one, a false wake on kal16's "hey Sam can you pass the salt" in the noisy room
# ended inside the talk and its start, read as "the those zero", set a brightness.
_MODEL_QUIET_S = 2 * silero_vad.WINDOW / silero_vad.RATE - 0.001
_CLOSED = 2  # grammar.graph.Ending.CLOSED (this module stays below the grammar)
_GROWING = 3  # Ending.GROWING: whole, but the last word may be the start of a longer one


class EnergyVad:
    """Speech when a frame is louder than both `min_dbfs` and the noise floor + margin."""

    def __init__(self, min_dbfs: float, margin_db: float) -> None:
        self.min_dbfs = min_dbfs
        self.margin_db = margin_db
        self.floor: float | None = None
        self.level = _FLOOR_MIN_DB  # of the last frame judged

    @staticmethod
    def level_dbfs(pcm: bytes) -> float:
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32)
        if samples.size == 0:
            return _FLOOR_MIN_DB
        rms = float(np.sqrt(np.mean(samples * samples))) / 32768.0
        return max(20.0 * math.log10(rms), _FLOOR_MIN_DB) if rms > 0 else _FLOOR_MIN_DB

    @property
    def threshold_dbfs(self) -> float:
        return max(self.min_dbfs, (self.floor if self.floor is not None else _FLOOR_MIN_DB)
                   + self.margin_db)

    def is_speech(self, pcm: bytes, duration: float) -> bool:
        if len(pcm) < 2:
            # No sample is no evidence: read as -90 dBFS it became the noise floor (the hub's
            # first frame of a command held after the wake phrase, in the noisy room).
            return False
        level = self.level_dbfs(pcm)
        self.level = level
        if self.floor is None or level < self.floor:
            self.floor = level
        else:
            self.floor += _FLOOR_RISE_DB_PER_S * duration
        return level > self.threshold_dbfs

    def loud_until(self, pcm: bytes, duration: float, step_s: float) -> float:
        """Where, in seconds from the frame's start, its last loud `step_s` block ends.

        A 32 ms frame that is speech by its mean level may hold only a word's last few ms:
        counting the silence after the speech from there, not from the frame's end, lets the
        endpointer decide up to a frame earlier. `duration` when no block is loud on its own.
        """
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32)
        step = round(step_s * len(samples) / duration) if duration > 0 else 0
        if step <= 0 or len(samples) < 2 * step:
            return duration
        n = len(samples) // step
        blocks = samples[: n * step].reshape(n, step) / 32768.0
        power = np.mean(blocks * blocks, axis=1)
        loud = np.nonzero(power > 10 ** (self.threshold_dbfs / 10))[0]
        if not len(loud) or loud[-1] == n - 1:
            return duration  # loud to the end (a partial last block counts as loud)
        return float(loud[-1] + 1) * step / len(samples) * duration


class Decision(str, Enum):
    CONTINUE = "continue"
    END = "end"  # silence after speech
    EARLY = "early"  # the grammar result is complete and stable
    TIMEOUT = "timeout"  # nothing was said
    CUT = "cut"  # too long


def speech_model(settings: EndpointSettings) -> silero_vad.SileroVad | None:
    """The neural speech detector the settings ask for (SpeechModelError if it is missing)."""
    if settings.speech_model == "energy" or (settings.speech_model == "auto"
                                            and not silero_vad.available()):
        return None
    silero_vad.model_path()  # says why not, even when another room already loaded it
    return silero_vad.SileroVad()


class Endpointer:
    """Decides, frame by frame, when the utterance after a wake word is over."""

    def __init__(self, settings: EndpointSettings) -> None:
        self.settings = settings
        self.vad = EnergyVad(settings.vad_min_dbfs, settings.vad_margin_db)
        self.model = speech_model(settings)
        self.reset(0.0)

    def hear_before(self, pcm: bytes, duration: float) -> None:
        """Audio before the command (the wake phrase, the room before it): the noise floor and
        the speech model's context, not judged."""
        self.vad.is_speech(pcm, duration)
        if self.model is not None:
            self.model.hear(pcm)

    def _model_says_speech(self, pcm: bytes) -> bool | None:
        """Whether the speech model heard speech in this frame; None without a model."""
        if self.model is None:
            return None
        heard = self.model.hear(pcm)
        return max(heard, default=self.model.probability) >= self.settings.speech_threshold

    def reset(self, start: float, context: bytes = b"") -> None:
        """A new utterance from `start`; `context` is the audio just before it (the wake
        phrase), from which the speech model knows this voice in this room."""
        if self.model is not None:
            self.model.restart()
            self.model.hear(context[-_CONTEXT_BYTES:])
        self.start = start
        self.speech_seen = False
        self.last_speech = start
        self.partial = ""
        self.partial_since = start
        self.speech_end: float | None = None
        self.fading = 0  # frames since the speech ended that were not far below it
        self.longest_gap = 0.0  # the longest silence between two stretches of speech so far
        self.loud_end = start  # where the last loud (energy) speech ended
        # Set by `update` when the words are no whole sentence after peek_silence_ms of quiet:
        # the caller may ask the recognizer for its final reading (engines.peek_final), once
        # per silence.
        self.peek_due = False
        self._peeked_after: float | None = None  # the speech end the last peek followed
        self.model_end = start  # the end of the last frame the speech model called speech

    def update(self, pcm: bytes, end_time: float, duration: float, partial: str,
               complete: int) -> Decision:
        """Feed a frame ending at `end_time` (audio seconds) and the recognizer's partial.

        `complete` is falsy while the partial is no whole sentence, 1 when it is one that may
        go on ("turn off the lights" ... "in the kitchen"), 2 when nothing but politeness can
        follow: then a short silence ends it; 3 when it may still be going on after a stop's
        pause ("four" of "forty", "forty" of "forty percent"): then only the
        `stable_silence_ms` rule ends it early.
        """
        s = self.settings
        self.peek_due = False
        energy = self.vad.is_speech(pcm, duration)
        model = self._model_says_speech(pcm)
        # A noisy room (its floor, not vad_min_dbfs, sets the energy threshold): there the
        # model hears soft words under the floor, and a silence it hears is nobody talking.
        noisy = model is not None and self.vad.threshold_dbfs > self.vad.min_dbfs
        by_model = bool(noisy and model)
        speech = energy or by_model
        if not speech and not noisy and self.vad.level > self.vad.min_dbfs - s.quiet_db:
            # Not quiet: the first such frame may be a word's fading end, more are a sound
            # (a soft consonant, a noisy room's floor, where pauses inside a sentence sink
            # to the floor and only the longer silence is safe).
            self.fading += 1
        if speech:
            if self.speech_seen:
                self.longest_gap = max(self.longest_gap, end_time - duration - self.last_speech)
            self.fading = 0
            self.speech_seen = True
            heard_end = end_time
            if energy and s.vad_step_ms:
                start = end_time - duration
                heard_end = start + self.vad.loud_until(pcm, duration, s.vad_step_ms / 1000)
            if energy:
                self.loud_end = heard_end
            # the model's window ends with the frame
            self.last_speech = end_time if by_model else heard_end
        if by_model:
            self.model_end = end_time
        if partial != self.partial:
            self.partial, self.partial_since = partial, end_time
        if end_time - self.start >= s.max_utterance_s:
            return Decision.CUT
        if not self.speech_seen:
            return Decision.TIMEOUT if end_time - self.start >= s.no_speech_s else Decision.CONTINUE
        silence = end_time - self.last_speech
        self.speech_end = self.last_speech
        if silence * 1000 >= s.silence_ms:
            return Decision.END
        # Early ends need real quiet: in a noisy room a pause inside a sentence sinks to the
        # floor, and "toggle the kitchen lights" ended as "toggle that" (closed) there.
        quiet = self.fading <= 1
        if noisy:
            # The model says whether anyone is still talking; the silence is counted from
            # where loud speech ended (the model's windows run 30-90 ms into the room's echo),
            # so once the model has heard nobody for two windows the usual rules apply.
            silence = (end_time - self.loud_end if end_time - self.model_end >= _MODEL_QUIET_S
                       else 0.0)
        stable = (end_time - self.partial_since) * 1000
        # In a noisy room a soft word sinks under the VAD's threshold, and the silences inside a
        # sentence grow (one breath at 15 dB SNR: a longest of 160 ms at the median, up to 450):
        # "turn off the lights | in the living room" ended at the gap and turned off the wrong
        # room's lights. There a silence is an end only if it is longer than any this sentence
        # already held (the speech model's silences inside a sentence are short, under 100 ms,
        # but not always none).
        guard = 0.0
        if not quiet or (noisy and self.longest_gap):
            guard = self.longest_gap * 1000 + s.noisy_gap_margin_ms
        if (complete == _CLOSED and partial and quiet
                and min(silence * 1000, stable) >= max(s.closed_silence_ms, guard)):
            return Decision.EARLY
        if (complete and partial and silence * 1000 >= max(s.stable_silence_ms, guard)
                and stable >= s.stable_ms):
            return Decision.EARLY
        # A whole sentence followed by real quiet (quiet_db below vad_min_dbfs: a quiet room,
        # nobody talking; or a noisy one where the speech model hears nobody) needs less.
        if (complete and complete != _GROWING and partial and quiet
                and silence * 1000 >= max(s.quiet_silence_ms, guard)
                and stable >= s.quiet_silence_ms):
            return Decision.EARLY
        if (not complete and partial and quiet and s.peek_silence_ms
                and silence * 1000 >= max(s.peek_silence_ms, guard)
                and self._peeked_after != self.last_speech):
            self.peek_due = True
            self._peeked_after = self.last_speech
        return Decision.CONTINUE

    def end_on_final(self, decision: Decision, stt: SpeechToText,
                     whole: Callable[[str], int]) -> Decision:
        """`decision`, or EARLY when a peek is due and `stt` ended on a final reading that is a
        whole sentence (engines.peek_final)."""
        if decision is Decision.CONTINUE and self.peek_due and peek_final(stt, whole):
            return Decision.EARLY
        return decision
