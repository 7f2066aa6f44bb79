"""Text-to-speech engines: espeak-ng (Debian package, default) and piper (optional extra)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import shutil
from pathlib import Path
from typing import Any

import numpy as np
from scipy.io import wavfile

from samantha.plugins.speech.engines import EngineError, Speech
from samantha.plugins.speech.settings import SpeechSettings


def _mono_int16(data: np.ndarray) -> np.ndarray:
    if data.ndim == 2:
        data = data.mean(axis=1).astype(data.dtype)
    if data.dtype != np.int16:
        data = np.clip(np.rint(data.astype(np.float32) * 32768.0), -32768, 32767)
    return data.astype(np.int16)[:, None]


class EspeakTts:
    """espeak-ng through its command line (robotic, but every language and tiny)."""

    name = "espeak"

    def __init__(self, voice: str, rate: int, binary: str | None = None) -> None:
        found = binary or shutil.which("espeak-ng")
        if found is None:
            raise EngineError("the espeak TTS engine needs espeak-ng (apt-get install espeak-ng)")
        self.binary = found
        self.voice = voice
        self.rate = rate

    async def synthesize(self, text: str) -> Speech:
        process = await asyncio.create_subprocess_exec(
            self.binary, "-v", self.voice, "-s", str(self.rate), "--stdout", text,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            out, err = await process.communicate()
        except asyncio.CancelledError:
            # A reply cut off ("stop") leaves no espeak-ng behind, still writing to a pipe
            # nobody reads, nor a process the event loop never reaps.
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise
        if process.returncode != 0 or not out:
            raise EngineError(f"espeak-ng failed for voice {self.voice!r}: "
                              f"{err.decode(errors='replace').strip() or process.returncode}")
        # espeak-ng writes a WAV whose size fields say 'unknown' (0x7fffffff) on a pipe.
        header_end = out.find(b"data") + 8
        rate = int.from_bytes(out[24:28], "little")
        samples = np.frombuffer(out[header_end:], dtype="<i2")
        return Speech(samples.astype(np.int16)[:, None], rate)


class PiperTts:
    """piper (neural, natural English); the voice is an .onnx file beside its .onnx.json."""

    name = "piper"

    def __init__(self, voice: Path) -> None:
        try:
            from piper import PiperVoice
        except ImportError as err:
            raise EngineError("the piper TTS engine needs `pip install piper-tts`") from err
        if not voice.is_file():
            raise EngineError(f"piper voice {voice} does not exist")
        self.voice: Any = PiperVoice.load(str(voice))

    def _synthesize(self, text: str) -> Speech:
        import wave

        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            self.voice.synthesize_wav(text, out)
        rate, data = wavfile.read(io.BytesIO(buffer.getvalue()))
        return Speech(_mono_int16(data), int(rate))

    async def synthesize(self, text: str) -> Speech:
        return await asyncio.to_thread(self._synthesize, text)


class SilentTts:
    """No voice: replies are only published as events (for headless rooms)."""

    name = "none"

    async def synthesize(self, text: str) -> Speech:
        return Speech(np.zeros((0, 1), dtype=np.int16), 16000)


def make_espeak(settings: SpeechSettings, language: str) -> EspeakTts:
    voice = settings.tts.voice or ("en-us" if language == "en" else language)
    return EspeakTts(voice, settings.tts.rate)


def make_piper(settings: SpeechSettings, language: str) -> PiperTts:
    if not settings.tts.voice:
        raise EngineError("the piper TTS engine needs speech.tts.voice: the path to an .onnx "
                          "voice")
    return PiperTts(Path(settings.tts.voice))


def make_silent(settings: SpeechSettings, language: str) -> SilentTts:
    return SilentTts()
