"""Speech engines named `wyoming`: wake, stt and tts served by any Wyoming server.

Configure the servers under `wyoming.engines` and pick the engines in `speech:`:

    speech: {stt: {engine: wyoming}, tts: {engine: wyoming}}
    wyoming: {engines: {stt: {uri: tcp://127.0.0.1:10300}, tts: {uri: tcp://127.0.0.1:10200}}}
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
from wyoming.event import Event, async_write_event

from samantha.plugins.speech.engines import (
    SAMPLE_RATE,
    EngineError,
    Speech,
    Transcript,
    WakeDetection,
)

from .client import REPLY_LIMITS, BlockingClient, WyomingUnavailable
from .framing import FrameDecoder, ProtocolError
from .settings import EngineEndpoint, SttEndpoint, TtsEndpoint, WakeEndpoint, parse_tcp_uri

if TYPE_CHECKING:
    from samantha.house import House
    from samantha.plugins.speech.grammar import RoomGrammar
    from samantha.plugins.speech.settings import SpeechSettings

log = logging.getLogger(__name__)

AUDIO = {"rate": SAMPLE_RATE, "width": 2, "channels": 1}

# Engine factories get the speech section only; this maps each house's speech section to its
# wyoming.engines (identity-checked, as ids can be reused).
_bound: dict[int, tuple[Any, Any]] = {}


def bind(house: House) -> None:
    speech, section = house.section("speech"), house.section("wyoming")
    if speech is not None and section is not None:
        _bound[id(speech)] = (speech, section.engines)


def unbind(house: House) -> None:
    _bound.pop(id(house.section("speech")), None)


def _endpoint(settings: SpeechSettings, kind: str) -> Any:
    entry = _bound.get(id(settings))
    endpoint = getattr(entry[1], kind, None) if entry and entry[0] is settings else None
    if endpoint is None:
        raise EngineError(f"the wyoming {kind} engine needs `wyoming: {{engines: {{{kind}: "
                          f"{{uri: tcp://HOST:PORT}}}}}}` in the configuration")
    return endpoint


class WyomingStt:
    """Free-form recognition by a Wyoming `asr` server (faster-whisper & co.)."""

    name = "wyoming"

    def __init__(self, endpoint: SttEndpoint, language: str) -> None:
        self.client = BlockingClient(endpoint, "speech-to-text")
        self.language = language
        self._streaming = False

    def missing_words(self, words: Iterable[str]) -> set[str]:
        return set()  # a free-form server has no vocabulary we could ask about

    def set_grammar(self, grammar: RoomGrammar | None) -> None:
        pass  # the server decodes free-form; Samantha snaps the result to its grammar

    def start(self) -> None:
        self.client.close()
        try:
            self.client.send(
                Event("transcribe", {"language": self.language}),
                Event("audio-start", dict(AUDIO)))
            self._streaming = True
        except WyomingUnavailable:
            self._streaming = False

    def accept(self, pcm: bytes) -> str:
        if self._streaming and pcm:
            try:
                self.client.send(Event("audio-chunk", dict(AUDIO), pcm))
            except WyomingUnavailable:
                self._streaming = False
        return ""

    def finish(self) -> Transcript:
        if not self._streaming:
            return Transcript("", 0.0)
        self._streaming = False
        try:
            self.client.send(Event("audio-stop", {}))
            event = self.client.wait_for("transcript")
        except WyomingUnavailable:
            return Transcript("", 0.0)
        finally:
            self.client.close()
        text = event.data.get("text")
        return Transcript(text.strip() if isinstance(text, str) else "")

    def transcribe_free(self, pcm: bytes) -> Transcript | None:
        self.start()
        for offset in range(0, len(pcm), 3200):
            self.accept(pcm[offset : offset + 3200])
        return self.finish()


class WyomingWake:
    """Wake word detection by a Wyoming `wake` server (openWakeWord & co.)."""

    name = "wyoming"

    def __init__(self, endpoint: WakeEndpoint) -> None:
        self.client = BlockingClient(endpoint, "wake word")
        self.names = list(endpoint.names)
        self._started = False

    def _begin(self) -> None:
        data: dict[str, Any] = {"names": self.names} if self.names else {}
        self.client.send(Event("detect", data), Event("audio-start", dict(AUDIO)))
        self._started = True

    def process(self, pcm: bytes) -> WakeDetection | None:
        try:
            if not self._started or not self.client.connected:
                self._begin()
            self.client.send(Event("audio-chunk", dict(AUDIO), pcm))
            events = self.client.poll()
        except WyomingUnavailable:
            self._started = False
            return None
        for event in events:
            if event.type == "detection":
                name = event.data.get("name")
                # One detection ends the server's detection stream: start a new one next time.
                self._started = False
                return WakeDetection(phrase=name if isinstance(name, str) else "wake")
        return None

    def reset(self) -> None:
        if self._started:
            with contextlib.suppress(WyomingUnavailable):
                self.client.send(Event("audio-stop", {}))
        self._started = False


class WyomingTts:
    """Synthesis by a Wyoming `tts` server (piper & co.)."""

    name = "wyoming"

    def __init__(self, endpoint: TtsEndpoint) -> None:
        self.endpoint = endpoint
        self.host, self.port = parse_tcp_uri(endpoint.uri)
        self.label = f"the Wyoming text-to-speech server at {endpoint.uri}"

    async def synthesize(self, text: str) -> Speech:
        try:
            return await asyncio.wait_for(self._synthesize(text), self.endpoint.timeout_s)
        except asyncio.TimeoutError:
            raise EngineError(f"{self.label}: no audio within "
                              f"{self.endpoint.timeout_s:g}s") from None
        except OSError as err:
            raise EngineError(f"{self.label}: {err.strerror or err}") from None
        except ProtocolError as err:
            raise EngineError(f"{self.label} answered nonsense: {err}") from None

    async def _synthesize(self, text: str) -> Speech:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            data: dict[str, Any] = {"text": text}
            if self.endpoint.voice:
                data["voice"] = {"name": self.endpoint.voice}
            await async_write_event(Event("synthesize", data), writer)
            decoder = FrameDecoder(REPLY_LIMITS)
            rate, width, channels = SAMPLE_RATE, 2, 1
            audio = bytearray()
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    raise EngineError(f"{self.label} closed the connection before audio-stop")
                for event in decoder.feed(chunk):
                    if event.type == "audio-start":
                        rate, width, channels = _format(event, self.label)
                    elif event.type == "audio-chunk" and event.payload:
                        audio += event.payload
                        if len(audio) > MAX_TTS_BYTES:
                            raise EngineError(f"{self.label} sent more than "
                                              f"{MAX_TTS_BYTES} bytes of audio")
                    elif event.type == "audio-stop":
                        return _to_speech(bytes(audio), rate, width, channels)
                    elif event.type == "error":
                        raise EngineError(f"{self.label}: {str(event.data.get('text'))[:200]}")
        finally:
            writer.close()


MAX_TTS_BYTES = 64 * 1024 * 1024


def _format(event: Event, label: str) -> tuple[int, int, int]:
    values = [event.data.get(k) for k in ("rate", "width", "channels")]
    if not all(isinstance(v, int) and v > 0 for v in values):
        raise EngineError(f"{label} sent an audio-start without a valid rate/width/channels")
    rate, width, channels = values
    if width != 2 or channels > 8 or rate > 192000:
        raise EngineError(f"{label} sent {width * 8}-bit audio in {channels} channels at "
                          f"{rate} Hz; 16-bit PCM is supported")
    return rate, width, channels


def _to_speech(audio: bytes, rate: int, width: int, channels: int) -> Speech:
    usable = len(audio) - len(audio) % (width * channels)
    samples = np.frombuffer(audio[:usable], dtype="<i2").reshape(-1, channels)
    mono = samples.mean(axis=1).astype(np.int16) if channels > 1 else samples[:, 0]
    return Speech(mono.astype(np.int16)[:, None], rate)


def make_stt(settings: SpeechSettings, language: str) -> WyomingStt:
    return WyomingStt(_endpoint(settings, "stt"), language)


def make_wake(settings: SpeechSettings, language: str) -> WyomingWake:
    return WyomingWake(_endpoint(settings, "wake"))


def make_tts(settings: SpeechSettings, language: str) -> WyomingTts:
    return WyomingTts(_endpoint(settings, "tts"))


__all__ = ["EngineEndpoint", "WyomingStt", "WyomingTts", "WyomingWake", "bind", "make_stt",
           "make_tts", "make_wake"]
