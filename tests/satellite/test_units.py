"""The satellite's parts on their own: gated wake word, health messages, settings, frames."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError
from sat_harness import Recordings, say

from harness.waiting import until
from samantha.hardware.frames import AudioFrame
from samantha.hardware.sinks import NullSink
from samantha.hardware.wavio import read_audio
from samantha.plugins.mqtt.client import MqttClient
from samantha.plugins.mqtt.settings import MqttSettings
from samantha.plugins.satellite import hermes
from samantha.plugins.satellite.engines import wake_engine
from samantha.plugins.satellite.hub import SatelliteHub
from samantha.plugins.satellite.runner import satellite_mqtt
from samantha.plugins.satellite.satellite import Mode, Satellite
from samantha.plugins.satellite.session import Utterance, frame_pcm
from samantha.plugins.satellite.settings import HubSettings, SatelliteSettings
from samantha.plugins.satellite.status import SatelliteStatus, SiteAvailability
from samantha.plugins.satellite.wakegate import GatedWake
from samantha.plugins.speech.endpoint import Decision, EnergyVad
from samantha.plugins.speech.grammar import sentence_grammar
from samantha.plugins.speech.settings import EndpointSettings, SpeechSettings
from samantha.plugins.speech.sphinx_engines import SphinxStt

FRAME = 512


def frames_of(samples: np.ndarray) -> list[bytes]:
    mono = samples[:, 0]
    return [mono[i:i + FRAME].astype("<i2").tobytes() for i in range(0, len(mono), FRAME)]


def run_gate(gate: GatedWake, samples: np.ndarray) -> list[float]:
    hits, now = [], 0.0
    for pcm in frames_of(samples):
        now += len(pcm) / 2 / 16000
        hit = gate.process(pcm, len(pcm) / 2 / 16000, now)
        if hit is not None:
            hits.append(hit.level_db)
    return hits


def test_gated_wake_sleeps_through_silence_and_wakes_on_the_phrase(
        recordings: Recordings) -> None:
    speech = SpeechSettings()
    silence = np.zeros((16000 * 5, 1), dtype=np.int16)
    gate = GatedWake(wake_engine(speech), EnergyVad(-45, 10))
    assert run_gate(gate, silence) == [] and gate.frames_fed == 0
    loud, _ = read_audio(recordings.loud)
    quiet, _ = read_audio(recordings.quiet)
    gate.reset()
    [loud_db] = run_gate(gate, np.concatenate([silence, loud]))
    gate = GatedWake(wake_engine(speech), EnergyVad(-45, 10))
    [quiet_db] = run_gate(gate, np.concatenate([silence, quiet]))
    assert loud_db - quiet_db == pytest.approx(10.5, abs=1.0)  # sox vol 0.3


async def test_no_wake_and_no_streaming_while_a_reply_plays(recordings: Recordings,
                                                            tmp_path: Path) -> None:
    speech = SpeechSettings()
    # The client is never connected here, but it opens (and locks) its outbox file.
    client = MqttClient(MqttSettings(outbox_path=tmp_path / "outbox.db"))
    sat = Satellite("kitchen", SatelliteSettings(), speech, client,
                    wake=wake_engine(speech), sink=NullSink())
    sat.playing = True
    loud, _ = read_audio(recordings.loud)
    for i, pcm in enumerate(frames_of(loud)):
        samples = np.frombuffer(pcm, dtype="<i2").reshape(-1, 1).copy()
        await sat.process(AudioFrame(samples, 16000, i * FRAME / 16000))
    assert sat.gate.frames_fed == 0 and sat.mode is Mode.IDLE and sat.frames_sent == 0


def test_status_messages_round_trip_and_read_the_last_will() -> None:
    status = SatelliteStatus(online=True, room="kitchen", cpu=0.01, level_db=-60.0, muted=True)
    assert SatelliteStatus.parse(status.payload()) == status
    assert SatelliteStatus.parse(b"offline") == SatelliteStatus(online=False)
    assert SatelliteStatus.parse(b"online").online
    for bad in (b"[1]", b"{oops", b'{"online": "maybe"}'):
        with pytest.raises(ValueError):
            SatelliteStatus.parse(bad)
    seen = SiteAvailability(room="kitchen", available=False)
    assert SiteAvailability.model_validate_json(seen.payload()) == seen


def test_settings_are_checked() -> None:
    with pytest.raises(ValidationError):
        HubSettings(window_s=0.1, tie_s=0.2)
    with pytest.raises(ValidationError):
        SatelliteSettings(status_topic="samantha/#")
    s = SatelliteSettings(status_topic="/home/sats/")
    assert s.status_of("kitchen") == "home/sats/kitchen/status"


def test_each_satellite_gets_its_own_client_id_outbox_and_last_will(tmp_path: Path) -> None:
    mqtt = MqttSettings(outbox_path=tmp_path / "outbox.sqlite3")
    mine = satellite_mqtt(mqtt, SatelliteSettings(), "kitchen", None)
    assert mine.client_id == "samantha-satellite-kitchen"
    assert mine.status_topic == "samantha/satellite/kitchen/status"
    assert mine.outbox_path == tmp_path / "satellite-kitchen-outbox.sqlite3"
    named = satellite_mqtt(mqtt.model_copy(update={"client_id": "pi-1"}), SatelliteSettings(),
                           "kitchen", None)
    assert named.client_id == "pi-1"


def test_frames_from_other_hermes_satellites_are_converted() -> None:
    stereo_44k = (np.random.default_rng(1).normal(0, 3000, (4410, 2))).astype(np.int16)
    pcm = frame_pcm(hermes.wav_bytes(stereo_44k, 44100))
    assert len(pcm) == 1600 * 2  # 0.1 s of mono 16 kHz
    with pytest.raises(ValueError):
        frame_pcm(b"RIFF....WAVEfmt nonsense")


@contextlib.asynccontextmanager
async def hub_on_a_broker(tmp_path: Path) -> AsyncIterator[SatelliteHub]:
    """A satellite hub in this process, on a real Mosquitto, in the default house."""
    from harness.mosquitto import Mosquitto
    from samantha.house import House

    with Mosquitto(workdir=tmp_path / "broker") as broker:
        broker.start("plain")
        client = MqttClient(MqttSettings(host=broker.host, port=broker.port,
                                         client_id="hub-test", outbox_path=tmp_path / "o.db"))
        await client.start()
        try:
            async with House.prepare(None) as house:
                hub = SatelliteHub(house, SatelliteSettings(), client)
                try:
                    yield hub
                finally:
                    await hub.stop()
        finally:
            await client.stop()


async def test_satellite_going_away_makes_the_room_unavailable(tmp_path: Path) -> None:
    from samantha.plugins.mqtt.client import Message

    async with hub_on_a_broker(tmp_path) as hub:
        house = hub.house
        topic = f"{hub.settings.status_topic}/kitchen/status"
        online = SatelliteStatus(online=True).payload()
        await hub._on_status(Message(topic, online, 1, True))
        assert house.activity["kitchen"] == "idle"
        offline = SatelliteStatus(online=False).payload()
        await hub._on_status(Message(topic, offline, 1, False))
        assert house.activity["kitchen"] == "unavailable"
        assert not hub.available("kitchen")


def test_a_sentence_of_the_grammar_is_reported_to_hermes_as_certain() -> None:
    # pocketsphinx computes no confidence for a result that is a sentence of the grammar.
    assert hermes.likelihood_of(None, "turn on the lights") == 1.0
    assert hermes.likelihood_of(None, "") == 0.0
    assert hermes.likelihood_of(0.04, "turn all the light on") == 0.04


# --- the wake phrase streamed before a command (HotwordDetected.lead_s) ------------------------

def _pcm(path: Path) -> bytes:
    samples, rate = read_audio(path)
    assert rate == 16000 and samples.dtype == np.int16
    return samples[:, 0].tobytes()


def _cmn(stt: SphinxStt) -> list[float]:
    return [float(v) for v in stt.decoder.get_cmn(False).split(",")]


def test_the_hub_normalises_on_the_wake_phrase_streamed_first_and_does_not_decode_it(
        tmp_path: Path) -> None:
    kettle = ["turn on the kettle", "turn off the kettle"]
    lead_pcm = _pcm(say("hey samantha", tmp_path / "wake.wav", voice="kal16"))
    command_pcm = _pcm(say(kettle[0], tmp_path / "cmd.wav", voice="kal16"))
    # What the decoder measures on the wake phrase alone, from no history.
    fresh = SphinxStt(None, {})
    fresh.set_grammar(sentence_grammar(kettle))
    fresh.start_after_wake(lead_pcm)
    wanted = _cmn(fresh)

    stt = SphinxStt(None, {})
    stt.set_grammar(sentence_grammar(kettle))
    before = _pcm(say("turn off the kettle", tmp_path / "before.wav", voice="awb"))
    stt.start()
    stt.accept(before)  # another voice spoke last: its mean is the running one
    stt.finish()
    utterance = Utterance(stt, EndpointSettings(), lambda _partial: 0,
                          lead_bytes=len(lead_pcm))
    stream = lead_pcm + command_pcm
    piece = 1000  # frames that do not line up with the lead's end
    fed = 0
    while fed < len(lead_pcm):
        assert utterance.feed(stream[fed:fed + piece]) is Decision.CONTINUE
        fed += piece
        if fed < len(lead_pcm):
            assert utterance.t == 0.0 and not utterance.audio  # the phrase is not the command
    for start in range(fed, len(stream), piece):
        utterance.feed(stream[start:start + piece])
    assert b"".join(utterance.audio) == stream[len(lead_pcm):]
    assert utterance.t == pytest.approx(len(command_pcm) / 32000)
    assert utterance.finish().text == kettle[0]

    # The same decoder, the normalisation it started the command with: the wake phrase's.
    utterance = Utterance(stt, EndpointSettings(), lambda _partial: 0,
                          lead_bytes=len(lead_pcm))
    utterance.feed(lead_pcm)
    assert _cmn(stt) == pytest.approx(wanted, abs=0.01)
    utterance.finish()

    # With the command's start the wake engine held (trailing_s): normalised on both, as a
    # local room is, and that start is decoded as the command's, not dropped.
    start = command_pcm[:9600]
    both = SphinxStt(None, {})
    both.set_grammar(sentence_grammar(kettle))
    both.start_after_wake(lead_pcm + start)
    wanted = _cmn(both)
    utterance = Utterance(stt, EndpointSettings(), lambda _partial: 0,
                          lead_bytes=len(lead_pcm), trailing_bytes=len(start))
    for at in range(0, len(lead_pcm) + len(start), piece):
        utterance.feed((lead_pcm + start)[at:at + piece])
    assert _cmn(stt) == pytest.approx(wanted, abs=0.01)
    assert b"".join(utterance.audio) == start
    for at in range(len(start), len(command_pcm), piece):
        utterance.feed(command_pcm[at:at + piece])
    assert b"".join(utterance.audio) == command_pcm
    assert utterance.finish().text == kettle[0]


def test_a_stream_that_ends_within_the_wake_phrase_is_heard_as_nothing() -> None:
    stt = SphinxStt(None, {})
    stt.set_grammar(sentence_grammar(["turn on the kettle"]))
    utterance = Utterance(stt, EndpointSettings(), lambda _partial: 0, lead_bytes=32000)
    utterance.feed(b"\0" * 3200)
    assert utterance.finish().text == ""
    assert not utterance.speech_seen


@pytest.mark.parametrize("lead_s", [-0.5, 3.5, "a lot", 1e308])
def test_a_wake_phrase_announced_out_of_bounds_is_refused(lead_s: object) -> None:
    payload = json.dumps({"modelId": "hey_samantha", "siteId": "kitchen", "leadS": lead_s})
    with pytest.raises(ValueError, match=r"leadS|lead_s"):
        hermes.HotwordDetected.from_payload(payload)
    ok = hermes.HotwordDetected.from_payload(payload.replace(json.dumps(lead_s), "1.2"))
    assert ok.lead_s == 1.2


async def test_a_satellite_rooms_wake_is_a_step_observers_see(tmp_path: Path) -> None:
    """The dashboard starts a turn at each wake; the hub published none for satellite rooms,
    so their conversations within 30 s ran together in one turn."""
    from samantha.plugins.mqtt.client import Message
    from samantha.plugins.speech.events import SpeechStep

    async with hub_on_a_broker(tmp_path) as hub:
        steps: list[SpeechStep] = []
        hub.house.bus.subscribe(SpeechStep, steps.append)
        wake = hermes.HotwordDetected(model_id="hey_samantha", site_id="kitchen", level_db=-20.0)
        hub._on_hotword(Message("hermes/hotword/hey_samantha/detected", wake.payload(), 0,
                                False))
        await until(lambda: steps, 5, "a speech step", interval=0.1)
    assert [(s.room, s.step["event"], s.step["phrase"]) for s in steps[:1]] == [
        ("kitchen", "wake", "hey samantha")]
