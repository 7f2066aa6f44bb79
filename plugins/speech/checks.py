"""`samantha doctor`: speech models load, know the home's words, and microphones capture sound.

The vocabulary check asks the recognizer about the words people will say that the config
chose: wake phrases, room and device names (and aliases), extra sentences. A name the model
cannot hear is left out of the grammar, so the device can only be reached by other names.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from samantha.checks import Check, CheckResult, fail, ok, warn

from .endpoint import speech_model
from .engines import EngineError, EngineRegistry
from .grammar import normalize
from .service import input_profile, resolved
from .settings import SpeechSettings
from .silero_vad import SpeechModelError

if TYPE_CHECKING:
    from samantha.house import House

CAPTURE_S = 1.0
SILENT_DBFS = -70.0  # quieter than any room with a working microphone in it


def _config_words(house: House, settings: SpeechSettings) -> set[str]:
    names: list[str] = [*settings.wake.phrases, *settings.stt.sentences]
    for room in house.config.rooms:
        names += [room.name, *room.aliases]
    devices = house.section("devices")
    for device in getattr(devices, "root", devices) or []:  # a RootModel list, or a list
        names += [getattr(device, "name", ""), *getattr(device, "aliases", [])]
    return {word for name in names for word in normalize(name).split()}


def models_check(house: House, settings: SpeechSettings, language: str) -> Check:
    def run() -> CheckResult:
        registry = EngineRegistry.from_host(house.host)
        built: dict[str, Any] = {}
        for kind, name in (("stt", settings.stt.engine), ("wake", settings.wake.engine),
                           ("tts", settings.tts.engine)):
            try:
                built[kind] = registry.build(kind, name, settings, language)
            except (EngineError, ImportError, OSError) as err:
                return fail(f"the {kind} engine {name!r} cannot start: {err}",
                            _model_fix(kind, name))
        try:
            model = speech_model(settings.endpoint)
        except SpeechModelError as err:
            return fail(str(err), "install the wake extra, or set endpoint.speech_model: energy")
        missing = _missing(built["stt"], _config_words(house, settings))
        engines = (f"{settings.wake.engine} wake, {settings.stt.engine} recognizer, "
                   f"{settings.tts.engine} voice, "
                   f"{'silero' if model is not None else 'energy'} end of speech in noise")
        if missing:
            return warn(f"{engines}; the model lacks {len(missing)} word(s) of the config: "
                        f"{', '.join(sorted(missing)[:10])}"
                        f"{' ...' if len(missing) > 10 else ''}",
                        "give those rooms and devices `aliases:` the model knows, or use a "
                        "model with a larger vocabulary (samantha models list)")
        return ok(f"{engines}; every word of the wake phrases and names is in the model")

    return Check("speech models", run, timeout=60)


def _missing(stt: Any, words: Iterable[str]) -> set[str]:
    ask = getattr(stt, "missing_words", None)
    return set(ask(words)) if ask is not None else set()


def _model_fix(kind: str, name: str) -> str:
    if name == "vosk":
        return ("download a model (`samantha models list`, `samantha models download NAME "
                "--dir DIR`) and point speech.stt.model at its directory")
    if name in {"pocketsphinx", "openwakeword"}:
        return f"pip install 'samantha[{'wake' if name == 'openwakeword' else 'speech'}]'"
    return f"see speech.{kind} in docs/speech.md"


def capture_check(room: str, device: str | int | None, channels: int, rate: int) -> Check:
    def run() -> CheckResult:
        from samantha.hardware.errors import AudioError
        from samantha.hardware.portaudio import _sd, find_device

        try:
            sd = _sd()
            info = find_device(device, "input")
            data = sd.rec(int(rate * CAPTURE_S), samplerate=rate, channels=channels,
                          device=info.index, dtype="float32", blocking=True)
        except AudioError as err:
            return fail(str(err), "check speech.rooms."
                        f"{room}.input (`samantha audio devices` lists what is there)")
        except Exception as err:  # PortAudio's own errors
            return fail(f"capture failed: {err}", "see `samantha audio devices`; is the "
                        "device used by another program?")
        rms = float((data.astype("float64") ** 2).mean()) ** 0.5
        level = 20 * math.log10(rms) if rms > 0 else -math.inf
        text = f"{info.name}: {CAPTURE_S:g} s captured, level {level:.0f} dBFS"
        if level < SILENT_DBFS:
            return warn(f"{text} (silence)", "unmute the microphone or raise its gain "
                        "(alsamixer, pavucontrol)")
        return ok(text)

    return Check(f"microphone ({room})", run, timeout=CAPTURE_S + 10)


def speech_checks(house: House, raw: SpeechSettings) -> list[Check]:
    base = house.config_path.resolve().parent if house.config_path else None
    settings = resolved(raw, base)
    language = settings.language or house.config.language
    checks = [models_check(house, settings, language)]
    for room, spec in settings.rooms.items():
        if spec.input.file is not None:
            continue  # a recording, not a microphone
        try:
            profile = input_profile(spec.input, base, room)
        except Exception as err:
            message = str(err)

            def broken(message: str = message, room: str = room) -> CheckResult:
                return fail(message, f"check speech.rooms.{room}.input")

            checks.append(Check(f"microphone ({room})", broken, timeout=5))
            continue
        if profile is not None and profile.backend == "portaudio":
            checks.append(capture_check(room, profile.device, profile.channels,
                                        profile.sample_rate))
    return checks
