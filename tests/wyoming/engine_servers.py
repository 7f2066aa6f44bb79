"""Small Wyoming servers wrapping local engines, run as real processes by the engine tests.

    python engine_servers.py stt|tts|wake|nonsense PORT

stt: pocketsphinx free-form (its bundled en-us model); tts: espeak-ng; wake: pocketsphinx
keyphrase spotting of "hey samantha"; nonsense: answers every connection with garbage.
Built with the `wyoming` package's own server, as third-party Wyoming servers are.
"""

from __future__ import annotations

import asyncio
import sys

from wyoming.asr import Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.event import Event
from wyoming.info import AsrModel, AsrProgram, Attribution, Describe, Info
from wyoming.server import AsyncEventHandler, AsyncServer
from wyoming.wake import Detection

from samantha.plugins.speech.sphinx_engines import SphinxStt, SphinxWake
from samantha.plugins.speech.tts import EspeakTts

ATTRIBUTION = Attribution(name="tests", url="http://127.0.0.1/")


class SttHandler(AsyncEventHandler):
    def __init__(self, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.audio = bytearray()

    async def handle_event(self, event: Event) -> bool:
        if Describe.is_type(event.type):
            model = AsrModel(name="en-us", attribution=ATTRIBUTION, installed=True,
                             description=None, version=None, languages=["en"])
            await self.write_event(Info(asr=[AsrProgram(
                name="pocketsphinx", attribution=ATTRIBUTION, installed=True, description=None,
                version=None, models=[model])]).event())
        elif AudioStart.is_type(event.type):
            self.audio = bytearray()
        elif AudioChunk.is_type(event.type):
            self.audio += AudioChunk.from_event(event).audio
        elif AudioStop.is_type(event.type):
            result = STT.transcribe_free(bytes(self.audio))
            await self.write_event(Transcript(text=result.text if result else "").event())
        return True


class TtsHandler(AsyncEventHandler):
    async def handle_event(self, event: Event) -> bool:
        if event.type != "synthesize":
            return True
        speech = await TTS.synthesize(event.data["text"])
        rate, audio = speech.sample_rate, speech.samples[:, 0].tobytes()
        await self.write_event(AudioStart(rate=rate, width=2, channels=1).event())
        for offset in range(0, len(audio), 4096):
            await self.write_event(AudioChunk(rate=rate, width=2, channels=1,
                                              audio=audio[offset : offset + 4096]).event())
        await self.write_event(AudioStop().event())
        return True


class WakeHandler(AsyncEventHandler):
    def __init__(self, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.wake = SphinxWake(["hey samantha"], None, None)

    async def handle_event(self, event: Event) -> bool:
        if (AudioChunk.is_type(event.type)
                and self.wake.process(AudioChunk.from_event(event).audio) is not None):
            await self.write_event(Detection(name="hey_samantha", timestamp=0).event())
        return True


class NonsenseHandler(AsyncEventHandler):
    async def handle_event(self, event: Event) -> bool:
        self.writer.write(b"this is not a wyoming frame\n")
        await self.writer.drain()
        return True


HANDLERS = {"stt": SttHandler, "tts": TtsHandler, "wake": WakeHandler,
            "nonsense": NonsenseHandler}
STT = SphinxStt(None, {}) if sys.argv[1:2] == ["stt"] else None
TTS = EspeakTts("en-us", 170) if sys.argv[1:2] == ["tts"] else None


async def main(kind: str, port: int) -> None:
    server = AsyncServer.from_uri(f"tcp://127.0.0.1:{port}")
    print("ready", flush=True)
    await server.run(HANDLERS[kind])


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
