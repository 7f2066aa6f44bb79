"""The speech plugin: `speech:` config section, built-in engines, CLI commands, room pipelines."""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from samantha import hookimpl
from samantha.plugins.speech import oww_engines, sphinx_engines, sphinx_wake, tts, vosk_engines
from samantha.plugins.speech.settings import SpeechSettings
from samantha.references import References

if TYPE_CHECKING:
    from samantha.checks import Check
    from samantha.house import House
    from samantha.plugins.speech.service import SpeechService

log = logging.getLogger(__name__)

# Houses whose pipelines someone else drives (`samantha listen`): startup leaves them alone.
manual: weakref.WeakSet[House] = weakref.WeakSet()
_running: weakref.WeakKeyDictionary[House, tuple[SpeechService | None, asyncio.Task[None]]] = (
    weakref.WeakKeyDictionary())


@hookimpl
def samantha_config_sections() -> dict[str, type[BaseModel]]:
    return {"speech": SpeechSettings}


@hookimpl
def samantha_config_references(config: Any) -> References | None:
    """Each room with a microphone is a declared room."""
    settings: SpeechSettings | None = getattr(config, "speech", None)
    if settings is None:
        return None
    found = References()
    for room in settings.rooms:
        found.refer("room", room, ("speech", "rooms", room))
    return found


@hookimpl
def samantha_speech_engines() -> dict[str, dict[str, Any]]:
    return {
        "wake": {"pocketsphinx": sphinx_wake.make_wake, "vosk": vosk_engines.make_wake,
                 "openwakeword": oww_engines.make_wake},
        "stt": {"pocketsphinx": sphinx_engines.make_stt, "vosk": vosk_engines.make_stt},
        "tts": {"espeak": tts.make_espeak, "piper": tts.make_piper, "none": tts.make_silent},
    }


@hookimpl
async def samantha_startup(house: House) -> None:
    settings: SpeechSettings | None = house.section("speech")
    if settings is None or not settings.rooms or house in manual:
        return
    from samantha.plugins.speech.service import SpeechService

    service = SpeechService(house, settings)

    async def start() -> None:
        # Models and grammars take seconds to load: longer than a startup hook may take.
        try:
            await service.start()
        except Exception:
            log.exception("speech pipelines failed to start")

    _running[house] = (service, asyncio.get_running_loop().create_task(start()))


@hookimpl
async def samantha_shutdown(house: House) -> None:
    entry = _running.pop(house, None)
    if entry is None:
        return
    service, task = entry
    task.cancel()
    if service is not None:
        await service.stop()


@hookimpl
def samantha_checks(house: House) -> list[Check]:
    settings = house.section("speech")
    if settings is None:
        return []
    from samantha.plugins.speech.checks import speech_checks

    return speech_checks(house, settings)
