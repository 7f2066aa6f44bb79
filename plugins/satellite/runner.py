"""Builds a satellite from a config (no devices needed: `mqtt:`, `satellite:`, `speech:`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from pathlib import Path
from typing import TYPE_CHECKING

from samantha.hardware.errors import AudioError
from samantha.hardware.pipeline import RoomAudio
from samantha.hardware.profiles import AudioProfile
from samantha.hardware.sinks import AudioSink, WavFileSink
from samantha.plugins.mqtt.client import MqttClient, MqttConnectError
from samantha.plugins.mqtt.provider import resolve_paths
from samantha.plugins.mqtt.settings import MqttSettings
from samantha.plugins.satellite.limits import REPLY_LIMITS
from samantha.plugins.satellite.satellite import Report, Satellite
from samantha.plugins.satellite.settings import SatelliteSettings, SiteSettings
from samantha.plugins.speech.engines import EngineError, EngineRegistry
from samantha.plugins.speech.grammar import sentence_grammar
from samantha.plugins.speech.service import file_profile, input_profile, make_sink, resolved
from samantha.plugins.speech.settings import SpeechSettings

if TYPE_CHECKING:
    from samantha.house import House

log = logging.getLogger(__name__)


class SatelliteSetupError(Exception):
    """The satellite cannot start: no broker settings, no microphone, a bad engine..."""


def satellite_mqtt(settings: MqttSettings, sat: SatelliteSettings, room: str,
                   base: Path | None) -> MqttSettings:
    """The room's connection: its own client id, outbox and last will (its status topic)."""
    settings = resolve_paths(settings, base)
    update: dict[str, object] = {
        "base_topic": f"{sat.status_topic}/{room}",  # the client's will: <that>/status
        # Outboxes are locked per process; the hub (or another room) may own the default one.
        "outbox_path": settings.outbox_path.with_name(f"satellite-{room}-outbox.sqlite3"),
        # A spoken reply arrives whole in one playBytes message: let the broker send it.
        "max_message_bytes": max(settings.max_message_bytes, REPLY_LIMITS.max_bytes + 65536),
    }
    if settings.client_id == MqttSettings.model_fields["client_id"].default:
        update["client_id"] = f"samantha-satellite-{room}"
    return settings.model_copy(update=update)


def room_profile(site: SiteSettings, room: str, base: Path | None, wav: Path | None,
                 realtime: bool) -> AudioProfile:
    try:
        profile = (file_profile(wav, realtime, f"{room}-replay") if wav is not None
                   else input_profile(site.input, base, room))
    except (AudioError, FileNotFoundError) as err:
        raise SatelliteSetupError(str(err)) from err
    if profile is None:
        raise SatelliteSetupError(
            f"room {room!r} has no microphone: give satellite.rooms.{room}.input "
            "(profile, device or file), or --wav")
    processing = profile.processing.model_copy(update={"agc": site.agc})
    return profile.model_copy(update={"processing": processing})


async def run_satellite(house: House, room: str, *, wav: Path | None = None,
                        realtime: bool = True, start_at: float | None = None,
                        timeout: float = 20.0, reply_wav: Path | None = None,
                        report: Report | None = None,
                        stopping: asyncio.Event | None = None) -> int:
    """Run until the recording is answered (`wav`) or until `stopping` is set; exit code."""
    from samantha.plugins.satellite.cli import wait_until

    sat: SatelliteSettings = house.section("satellite") or SatelliteSettings()
    mqtt: MqttSettings | None = house.section("mqtt")
    if mqtt is None:
        raise SatelliteSetupError("a satellite needs the mqtt: section (the hub's broker)")
    base = house.config_path.resolve().parent if house.config_path else None
    speech = resolved(house.section("speech") or SpeechSettings(), base)
    language = speech.language or house.config.language
    site = sat.rooms.get(room) or SiteSettings()
    profile = room_profile(site, room, base, wav, realtime)
    registry = EngineRegistry.from_host(house.host)
    try:
        wake = await asyncio.to_thread(registry.build, "wake", speech.wake.engine, speech,
                                       language)
        stt = None
        if site.stt == "local":
            stt = await asyncio.to_thread(registry.build, "stt", speech.stt.engine, speech,
                                          language)
            # No home here to compile a grammar from: the configured sentences, or free-form.
            stt.set_grammar(sentence_grammar(speech.stt.sentences, speech.stt.numbers)
                            if speech.stt.sentences else None)
    except EngineError as err:
        raise SatelliteSetupError(str(err)) from err
    sink: AudioSink = WavFileSink(reply_wav) if reply_wav else make_sink(site.output, base)
    client = MqttClient(satellite_mqtt(mqtt, sat, room, base))
    try:
        await client.start(wait=True)
    except (MqttConnectError, ssl.SSLError) as err:
        # At boot the broker may simply not be up yet: keep trying in the background.
        if wav is not None:
            raise SatelliteSetupError(f"MQTT: {err}") from err
        log.warning("satellite %s: %s; retrying in the background", room, err)
        client = MqttClient(satellite_mqtt(mqtt, sat, room, base))
        await client.start(wait=False)
    node = Satellite(room, sat, speech, client, wake=wake, sink=sink, stt=stt, report=report)
    await node.start()
    audio = RoomAudio(room, profile)
    code = 0
    try:
        await asyncio.sleep(wait_until(start_at))
        listening = asyncio.ensure_future(node.run(audio.frames()))
        waiters = [listening]
        if stopping is not None:
            waiters.append(asyncio.ensure_future(stopping.wait()))
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        if listening.done():
            listening.result()
            if wav is not None and not await node.settle(timeout):
                log.warning("satellite %s: no answer from the hub within %.0f s", room, timeout)
                code = 3
        for waiter in waiters:
            waiter.cancel()
    finally:
        audio.stop()
        await node.stop()
        with contextlib.suppress(Exception):
            await sink.close()
        await client.stop()
    return code
