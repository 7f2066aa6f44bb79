"""pocketsphinx wake word: keyphrase spotting at the start of an utterance, decoded as it grows.

Why this shape:
- Streaming keyphrase search uses live cepstral mean normalisation, which starts from fixed
  values and missed "hey samantha" from most flite voices; decoding a buffered segment as a
  whole (batch CMN) finds it. So audio is kept from shortly before speech starts, and the
  segment is decoded again every `STEP_S` as it grows: the wake fires shortly after the phrase
  ends, not at the pause after the whole command said in one breath.
- A wake phrase starts what a person says to the room. Only the first `WINDOW_S` of a segment
  is searched, and a phrase found well after the speech began ("I told samantha about it") is
  ignored. This bounds the work per segment and keeps the name in ordinary talk from waking.
- The decoder's word segmentation (10 ms frames) says where the phrase ended; everything after
  that is the start of the command and goes back to the room as `WakeDetection.trailing`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from samantha.plugins.speech.engines import SAMPLE_RATE, EngineError, WakeDetection
from samantha.plugins.speech.settings import SpeechSettings
from samantha.plugins.speech.sphinx_engines import _config, _missing, _ps
from samantha.plugins.speech.wakevad import RecentFloorVad

log = logging.getLogger(__name__)

DEFAULT_KWS_THRESHOLD = 1e-50
# The phone loop's penalty: the keyphrase competes with a loop of phones, and pocketsphinx's
# default (1e-1) lets the loop win wherever reverberation or noise smear the phrase (the room
# form woke 0/20 for kal16 and 6/16 for awb; with 1e-6, 19/20 and 15/16). The onset rule and
# the verifier below keep ordinary talk from waking (measured on the talk set, see docs).
KWS_PLP = 1e-6
_BYTES_PER_S = SAMPLE_RATE * 2
_BYTES_PER_FRAME = _BYTES_PER_S // 100  # pocketsphinx frames are 10 ms


def _bytes(seconds: float) -> int:
    return int(seconds * SAMPLE_RATE) * 2


class SphinxWake:
    """Keyphrase spotting on the start of each pause-delimited segment."""

    name = "pocketsphinx"
    PREROLL_S = 0.3  # audio kept from before the speech onset (the decoder needs a lead-in)
    PAUSE_S = 0.25  # this much quiet ends a segment
    STEP_S = 0.3  # decode the growing segment this often
    MIN_S = 0.6  # no wake phrase is shorter: don't decode before this much speech
    WINDOW_S = 2.0  # only this much of a segment (from its onset) can hold the wake phrase
    SETTLE_S = 0.15  # audio needed after the phrase's end before trusting that end
    LATE_START_S = 0.35  # a phrase starting this long after the onset is inside other talk
    EARLY_START_S = 0.2  # ... and one starting this long before it was fitted onto silence

    def __init__(self, phrases: Sequence[str], threshold: float | None, model: Path | None):
        self.phrases = [" ".join(p.lower().split()) for p in phrases]
        self.threshold = DEFAULT_KWS_THRESHOLD if threshold is None else threshold
        self.decoder = _ps().Decoder(_config(model, lm=None, kws_threshold=self.threshold,
                                             kws_plp=KWS_PLP))
        lacking = _missing(self.decoder, {w for p in self.phrases for w in p.split()})
        if lacking:
            raise EngineError(f"pocketsphinx dictionary lacks wake word(s): "
                              f"{', '.join(sorted(lacking))}")
        if len(self.phrases) == 1:
            self.decoder.add_keyphrase("wake", self.phrases[0])
        else:
            # A keyword list gives each phrase the same threshold (written as /1e-20/).
            lines = "".join(f"{p} /{self.threshold:g}/\n" for p in self.phrases)
            path = _write_temp(lines)
            try:
                self.decoder.add_kws("wake", path)
            finally:
                Path(path).unlink()
        self.decoder.activate_search("wake")
        self.verifier = _verifier(model, self.phrases)
        self.vad = RecentFloorVad()
        self.decodes = 0  # how many times a segment was decoded (for benchmarks)
        self.reset()

    def reset(self) -> None:
        self.buffer = bytearray()
        self.onset = 0  # byte offset in `buffer` where speech began
        self.speech = False
        self.quiet = 0.0
        self.decoded_at = 0  # buffer length at the last decode
        self.done = False  # this segment's window was searched without a wake phrase

    def process(self, pcm: bytes) -> WakeDetection | None:
        duration = len(pcm) / _BYTES_PER_S
        loud = self.vad.is_speech(pcm, duration)
        if not self.speech:
            self.buffer += pcm
            if not loud:
                del self.buffer[:-_bytes(self.PREROLL_S)]
                return None
            self.speech, self.onset = True, len(self.buffer) - len(pcm)
            self.decoded_at = self.onset
        else:
            self.buffer += pcm
        self.quiet = 0.0 if loud else self.quiet + duration
        paused = self.quiet >= self.PAUSE_S
        if self.done:
            if paused:
                self.reset()
            return None
        window_end = self.onset + _bytes(self.WINDOW_S)
        full = len(self.buffer) >= window_end
        due = (len(self.buffer) - self.decoded_at >= _bytes(self.STEP_S)
               and len(self.buffer) - self.onset >= _bytes(self.MIN_S))
        found = self._search(final=paused or full) if (due or paused or full) else None
        if found is not None:
            return found
        if paused:
            self.reset()
        elif full:
            self.done = True
        return None

    def _search(self, final: bool) -> WakeDetection | None:
        """Decode the segment so far (up to the window) and look for a phrase at its start."""
        window = bytes(self.buffer[: self.onset + _bytes(self.WINDOW_S)])
        self.decoded_at = len(self.buffer)
        self.decodes += 1
        self.decoder.start_utt()
        self.decoder.process_raw(window, False, True)
        self.decoder.end_utt()
        for seg in self.decoder.seg() or ():
            phrase = " ".join(seg.word.split())
            if phrase not in self.phrases:
                continue
            start = seg.start_frame * _BYTES_PER_FRAME
            end = (seg.end_frame + 1) * _BYTES_PER_FRAME
            if not (-_bytes(self.EARLY_START_S) <= start - self.onset
                    <= _bytes(self.LATE_START_S)):
                log.debug("wake phrase %r at %.2fs from the onset: not said to the room",
                          phrase, (start - self.onset) / _BYTES_PER_S)
                continue
            if not final and len(self.buffer) - end < _bytes(self.SETTLE_S):
                return None  # the phrase may not be over yet: decode again with more audio
            reading = self._verify(bytes(self.buffer[:end]))
            if reading != phrase:
                log.debug("wake phrase %r: the verifier heard %r", phrase, reading)
                continue
            trailing = self.vad.trim_to_command(bytes(self.buffer[end:]))
            if trailing is None:
                if not final:
                    return None  # quiet after the phrase: a pause or a gap? decode again later
                trailing = b""
            lead = bytes(self.buffer[:len(self.buffer) - len(trailing)])
            self.reset()
            return WakeDetection(phrase=phrase, confidence=_probability(seg),
                                 trailing=trailing, lead=lead)
        return None

    def _verify(self, audio: bytes) -> str | None:
        """What the verifier reads in the audio up to the phrase's end: the whole phrase, a
        part of it, or its first words and another word (None: nothing at all)."""
        self.verifier.start_utt()
        self.verifier.process_raw(audio, False, True)
        self.verifier.end_utt()
        hyp = self.verifier.hyp()
        return None if hyp is None else " ".join(hyp.hypstr.split())


# Words that follow "hey" (or start a sentence) in ordinary talk and share sounds with names:
# the verifier's alternatives to the wake phrase. Each must be in the pronunciation dictionary.
# Not "my", "to" or "summer": in a noisy room, what is left of "samantha" fits one of them
# better than the name (kal's "hey samantha" was heard as "hey my"), and no sentence of the
# ordinary talk needed them, because other words reject it as well. Without them the tuning
# commands missed 4 noisy wakes of 208 instead of 16, with the same false wakes in 600
# sentences of talk (held out: 4 of 78 instead of 6, no false wake in 120). Nor "man", for the
# same reason: "hey man what's up" reached the verifier in 9 of its 12 recordings and "hey mom"
# or "hey sam" still turn it down; the tuning misses went from 4 to 1 (held out: 4 to 2).
OTHER_WORDS = ("a", "and", "am", "an", "can", "do", "everyone", "guys", "how", "i", "is", "it",
               "mom", "on", "sam", "santa", "sandy", "see", "so", "some", "that", "the",
               "there", "what", "you")


def _verifier(model: Path | None, phrases: list[str]) -> Any:
    """A decoder that must choose between each phrase and what ordinary talk sounds like: the
    phrase's tails alone ("samantha" for "hey samantha": a sentence that starts with the name)
    or its first words followed by another word ("hey sam, can you ...")."""
    decoder = _ps().Decoder(_config(model, lm=None))
    known = [w for w in OTHER_WORDS if decoder.lookup_word(w) is not None]
    choices = set(phrases)
    for p in phrases:
        words = p.split()
        choices.update(" ".join(words[i:]) for i in range(1, len(words)))
        # One word, not a loop of them: a loop of short words can spell any name.
        choices.update(f"{' '.join(words[:i])} <other>" for i in range(1, len(words)))
    body = " | ".join(sorted(choices))
    decoder.add_jsgf_string("verify", "#JSGF V1.0;\ngrammar verify;\n"
                            f"public <s> = {body};\n<other> = {' | '.join(known)};\n")
    decoder.activate_search("verify")
    return decoder


def _probability(seg: Any) -> float | None:
    prob = getattr(seg, "prob", None)
    return None if prob is None else max(0.0, min(1.0, float(prob)))


def _write_temp(text: str) -> str:
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".kws", delete=False) as f:
        f.write(text)
        return f.name


def make_wake(settings: SpeechSettings, language: str) -> SphinxWake:
    model = settings.wake.model or (settings.stt.model if settings.stt.engine == "pocketsphinx"
                                    else None)
    return SphinxWake(settings.wake.phrases, settings.wake.threshold, model)
