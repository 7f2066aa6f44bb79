"""Builds and runs the speech pipelines of a house's rooms from the `speech:` section."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samantha.events import BaseEvent
from samantha.hardware.errors import AudioError, AudioFileError
from samantha.hardware.pipeline import RoomAudio
from samantha.hardware.profiles import AudioProfile, load_profile, profile_from_dict
from samantha.hardware.sinks import AudioSink, NullSink, WavFileSink
from samantha.hardware.wavio import read_audio
from samantha.plugins.speech.engines import EngineError, EngineRegistry
from samantha.plugins.speech.grammar import GrammarKeeper
from samantha.plugins.speech.room import Reporter, RoomSpeech
from samantha.plugins.speech.settings import RoomInput, RoomOutput, SpeechSettings, resolve_path

if TYPE_CHECKING:
    from samantha.house import House

log = logging.getLogger(__name__)

# Files replayed as a mic are already clean; AGC would only lift the silence between words.
_FILE_PROCESSING = {"mode": "channel", "doa": False, "agc": False, "dead_channel_check": False}


def resolved(settings: SpeechSettings, base: Path | None) -> SpeechSettings:
    """Settings with model/voice paths made absolute (pkg: and config-relative paths)."""
    stt = settings.stt.model_copy(update={"model": resolve_path(settings.stt.model, base)})
    models = {phrase: str(resolve_path(Path(spec), base)) if spec.endswith(".onnx") else spec
              for phrase, spec in settings.wake.models.items()}
    wake = settings.wake.model_copy(update={"model": resolve_path(settings.wake.model, base),
                                            "models": models})
    tts = settings.tts
    if tts.engine == "piper" and tts.voice:
        tts = tts.model_copy(update={"voice": str(resolve_path(Path(tts.voice), base))})
    return settings.model_copy(update={"stt": stt, "wake": wake, "tts": tts})


def file_profile(path: Path, realtime: bool, name: str = "file") -> AudioProfile:
    """A profile replaying `path`; reads it now, so a bad file fails here with its name."""
    try:
        samples, _rate = read_audio(path)
    except AudioError:
        raise
    except Exception as err:  # scipy fails on some truncated headers with odd exceptions
        raise AudioFileError(str(path), f"not a readable WAV file: {err!r}") from None
    return profile_from_dict({"name": name, "backend": "file", "file": str(path),
                              "realtime": realtime, "channels": int(samples.shape[1]),
                              "processing": _FILE_PROCESSING}, where=str(path))


def input_profile(spec: RoomInput, base: Path | None, room: str) -> AudioProfile | None:
    if spec.file is not None:
        return file_profile(resolve_path(spec.file, base) or spec.file, spec.realtime,
                            f"{room}-file")
    if spec.profile is not None:
        candidate = resolve_path(Path(spec.profile), base)
        return load_profile(candidate if candidate and candidate.is_file() else spec.profile)
    if spec.device is not None:
        return profile_from_dict({"base": "generic_usb_mic", "name": f"{room}-mic",
                                  "device": spec.device}, where=f"room {room}")
    return None


def make_sink(spec: RoomOutput, base: Path | None) -> AudioSink:
    if spec.sink == "wav":
        return WavFileSink(resolve_path(spec.path, base) or Path("reply.wav"))
    if spec.sink == "device":
        from samantha.hardware.portaudio import PortAudioSink

        return PortAudioSink(spec.device)
    return NullSink()


class SpeechService:
    """Every listening room of one house; replies published on the bus play in their room."""

    def __init__(self, house: House, settings: SpeechSettings, *,
                 report: Reporter | None = None, partials: bool = False) -> None:
        self.house = house
        self.base = house.config_path.resolve().parent if house.config_path else None
        self.settings = resolved(settings, self.base)
        self.language = settings.language or house.config.language
        self.registry = EngineRegistry.from_host(house.host)
        self.report = report
        self.partials = partials
        self.rooms: dict[str, RoomSpeech] = {}
        self.audio: dict[str, RoomAudio] = {}
        self.tasks: list[asyncio.Task[None]] = []
        self.keeper: GrammarKeeper | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._streamed: set[str] = set()  # rooms whose current reply arrived sentence by sentence
        self._hushed: set[str] = set()  # rooms told to stop while such a reply streams in

    def _build(self, kind: str, name: str) -> Any:
        return self.registry.build(kind, name, self.settings, self.language)

    async def add_room(self, room: str, *, sink: AudioSink | None = None) -> RoomSpeech:
        """Build a room's engines and pipeline (the grammar is built with the first room)."""
        room_id = self.house.room(room).id
        s = self.settings
        stt = self._build("stt", s.stt.engine)
        if self.keeper is None:
            self.keeper = GrammarKeeper(self.house, s.stt, stt.missing_words,
                                        getattr(stt, "pronunciation", None))
            if s.stt.mode == "grammar":
                self.keeper.install(await asyncio.to_thread(self.keeper.build))
        wake = self._build("wake", s.wake.engine)
        tts = self._build("tts", s.tts.engine)
        spec = s.rooms.get(room_id) or s.rooms.get(room)
        out = sink or make_sink(spec.output if spec else RoomOutput(), self.base)
        speech = RoomSpeech(self.house, room_id, s, wake=wake, stt=stt, tts=tts, sink=out,
                            grammar=self.keeper, language=self.language, report=self.report,
                            partials=self.partials)
        self.rooms[room_id] = speech
        if self._unsubscribe is None:
            self._unsubscribe = self.house.bus.subscribe(BaseEvent, self._heard)
        return speech

    def _heard(self, event: BaseEvent) -> None:
        """Speak replies; a streamed reply's sentences are spoken as they come, and the full
        reply that closes that turn is then not spoken a second time. "Stop" cuts off what is
        being said and the rest of a reply that is still streaming in."""
        kind = getattr(event, "type", None)
        if kind not in {"reply", "persona_sentence", "interrupted"}:
            return
        room = self.rooms.get(getattr(event, "room", ""))
        if room is None:
            return
        if kind == "interrupted":
            room.interrupt()
            if room.room in self._streamed:
                # The rest of a reply still streaming in was cut off too.
                self._hushed.add(room.room)
            return
        text = getattr(event, "text", "")
        if not text:
            return
        if kind == "persona_sentence":
            self._streamed.add(room.room)
            if room.room not in self._hushed:
                room.say(text)
        elif room.room in self._streamed:
            self._streamed.discard(room.room)
            self._hushed.discard(room.room)
        else:
            room.say(text)

    async def start(self) -> None:
        """Start every room of the section that has an input."""
        for name, spec in self.settings.rooms.items():
            profile = input_profile(spec.input, self.base, name)
            if profile is None:
                continue
            speech = await self.add_room(name)
            self.run_room(speech, RoomAudio(speech.room, profile))

    def run_room(self, speech: RoomSpeech, audio: RoomAudio) -> asyncio.Task[None]:
        self.audio[speech.room] = audio
        task = asyncio.get_running_loop().create_task(speech.run(audio.frames()))
        self.tasks.append(task)
        return task

    async def listen_file(self, room: str, path: Path, *, realtime: bool,
                          sink: AudioSink | None = None) -> RoomSpeech:
        """Run one room's pipeline over a recording until it and its replies are done."""
        profile = file_profile(path, realtime, f"{room}-file")
        speech = await self.add_room(room, sink=sink)
        await self.run_room(speech, RoomAudio(speech.room, profile))
        return speech

    async def stop(self) -> None:
        for audio in self.audio.values():
            audio.stop()
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(BaseException):
                await task
        for speech in self.rooms.values():
            await speech.close()
            with contextlib.suppress(Exception):
                await speech.sink.close()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None


__all__ = ["EngineError", "SpeechService", "file_profile", "input_profile", "make_sink"]
