"""The three engine interfaces of a room's speech pipeline, and the registry that finds them.

Engines are plugins: every plugin may return factories from the `samantha_speech_engines` hook,
keyed by kind ("wake", "stt", "tts") and engine name. The built-in ones (vosk, pocketsphinx,
espeak, piper) register the same way from `samantha.plugins.speech.plugin`.

Audio handed to engines is always mono 16 kHz signed 16-bit little-endian PCM (what the hardware
layer's `RoomAudio` delivers), so engines never resample.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from samantha.plugin_host import PluginHost
    from samantha.plugins.speech.grammar import RoomGrammar
    from samantha.plugins.speech.settings import SpeechSettings

SAMPLE_RATE = 16000
KINDS = ("wake", "stt", "tts")


class EngineError(Exception):
    """An engine cannot be built or used (missing model, unknown voice, bad setting)."""


@dataclass(frozen=True, slots=True)
class WakeDetection:
    """A wake phrase was heard; `confidence` is engine-specific in [0, 1] when known.

    `trailing` is the audio the engine had already taken in *after* the phrase ended: the start
    of a command said in the same breath ("hey samantha turn off the lights"). The room hands it
    to the recognizer before any new audio, so nothing said right after the phrase is lost.
    """

    phrase: str
    confidence: float | None = None
    trailing: bytes = b""
    # The audio before `trailing`: from shortly before the speech onset through the phrase (and
    # a pause after it). This voice in this room: a recognizer normalises the command by it
    # (`SpeechToText.start`, docs/speech.md "One voice, one room").
    lead: bytes = b""


@dataclass(frozen=True, slots=True)
class Transcript:
    """What a recognizer made of one utterance (or of the audio so far when not `final`)."""

    text: str
    confidence: float | None = None
    final: bool = True
    # Other sentences the recognizer found almost as likely (n-best), best first; the room
    # does not act when one of them means something else ("fifty" or "sixty"?).
    alternatives: tuple[str, ...] = ()
    # The words stop short of any sentence ("set the kitchen blinds to"): the person stopped,
    # or was cut off. Not to be completed into a command by anyone downstream.
    unfinished: bool = False
    # Words to take as they are, never moved to a nearby sentence: an unfinished sentence no
    # whole sentence reads ("shut the kitchen blind to" snapped to "... blind" would close it).
    exact: bool = False


@dataclass(frozen=True, slots=True)
class Speech:
    """Synthesised audio: int16 samples, shape (n, 1)."""

    samples: npt.NDArray[np.int16]
    sample_rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


@runtime_checkable
class WakeEngine(Protocol):
    """Listens continuously and says when one of its wake phrases was spoken."""

    name: str

    def process(self, pcm: bytes) -> WakeDetection | None:
        """Feed the next block of audio; return a detection when a phrase just ended."""
        ...

    def reset(self) -> None:
        """Forget audio heard so far (after an utterance, or while the room was speaking)."""
        ...


@runtime_checkable
class SpeechToText(Protocol):
    """Streams one utterance at a time; grammar-constrained when given sentences."""

    name: str

    def missing_words(self, words: Iterable[str]) -> set[str]:
        """Which of `words` the model cannot recognise (not in its vocabulary)."""
        ...

    def set_grammar(self, grammar: RoomGrammar | None) -> None:
        """Restrict recognition to the room's grammar (a word graph); None decodes free-form."""
        ...

    def start(self) -> None:
        """Begin a new utterance.

        An engine may also offer `start_after_wake(heard: bytes)`: begin an utterance whose
        segment so far is `heard` (`WakeDetection.lead + trailing`: the wake phrase and the
        command's start), e.g. with the channel normalisation measured on it. `heard` is not
        decoded: `trailing` is fed after it as usual. The room uses it when present.
        An engine may also offer `pronunciation(word) -> str | None` (the word's phones): the
        endpointer then knows a last word that may be the start of a longer one ("four" of
        "forty") and does not end on a short pause after it.
        """
        ...

    def accept(self, pcm: bytes) -> str:
        """Feed audio of the current utterance; return the partial transcript so far."""
        ...

    def finish(self) -> Transcript:
        """End the utterance and return the final transcript.

        An engine may also offer `peek_final(whole: Callable[[str], int]) -> bool`: end the
        utterance now if its final reading is a sentence (`whole` of it truthy; `finish` then
        returns it), or else go on as if it had not been asked. See `peek_final` below.
        """
        ...

    def transcribe_free(self, pcm: bytes) -> Transcript | None:
        """Decode a whole utterance without the grammar; None when there is no free-form model."""
        ...


def peek_final(stt: SpeechToText, whole: Callable[[str], int]) -> bool:
    """Whether `stt` ended its utterance on a final reading that is a whole sentence (`whole`
    of it is truthy: `GrammarKeeper.complete`; False when the engine cannot tell before the
    end). pocketsphinx's partial reading is the best path so
    far through any state, and in a silence after the words it can stay an unfinished one
    ("turn all the light at") while the final reading, which must end a sentence, is whole
    ("turn off the light"): the room would wait out the whole silence_ms for nothing."""
    peek = getattr(stt, "peek_final", None)
    return bool(peek(whole)) if peek is not None else False


@runtime_checkable
class TextToSpeech(Protocol):
    """Turns a reply into audio for the room's speaker."""

    name: str

    async def synthesize(self, text: str) -> Speech: ...


WakeFactory = Callable[["SpeechSettings", str], WakeEngine]
SttFactory = Callable[["SpeechSettings", str], SpeechToText]
TtsFactory = Callable[["SpeechSettings", str], TextToSpeech]


@dataclass
class EngineRegistry:
    """Engine factories by kind and name, as the plugins registered them."""

    factories: dict[str, dict[str, Callable[..., Any]]]

    @classmethod
    def from_host(cls, host: PluginHost) -> EngineRegistry:
        factories: dict[str, dict[str, Callable[..., Any]]] = {k: {} for k in KINDS}
        for plugin, contributed in host.call("samantha_speech_engines"):
            for kind, engines in contributed.items():
                if kind not in factories:
                    raise EngineError(f"plugin {plugin!r} registers unknown engine kind "
                                      f"{kind!r}; kinds are {', '.join(KINDS)}")
                # Later plugins override built-ins of the same name, as for intent handlers.
                factories[kind].update(engines)
        return cls(factories)

    def names(self, kind: str) -> list[str]:
        return sorted(self.factories.get(kind, {}))

    def build(self, kind: str, name: str, settings: SpeechSettings, language: str) -> Any:
        factory = self.factories.get(kind, {}).get(name)
        if factory is None:
            known = ", ".join(self.names(kind)) or "none"
            raise EngineError(f"no {kind} engine called {name!r}; registered: {known}")
        return factory(settings, language)
