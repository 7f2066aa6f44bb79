"""Hub (`samantha run --headless`) and satellites (`samantha satellite --wav`) as separate
processes on a real Mosquitto, with real pocketsphinx on flite recordings."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import paho.mqtt.publish as publish
from rhasspyhermes.asr import AsrStartListening, AsrStopListening, AsrTextCaptured
from rhasspyhermes.audioserver import AudioFrame, AudioPlayBytes, AudioPlayFinished
from rhasspyhermes.dialogue import DialogueSessionEnded, DialogueSessionStarted
from rhasspyhermes.nlu import NluIntent, NluIntentNotRecognized
from rhasspyhermes.tts import TtsSay, TtsSayFinished
from rhasspyhermes.wake import HotwordDetected, HotwordToggleOff, HotwordToggleOn
from sat_harness import (
    LIGHT_TOPIC,
    Hub,
    Process,
    Recorder,
    Recordings,
    satellite,
    satellite_config,
)

from harness.mosquitto import Mosquitto

JSON_CLASSES = (HotwordDetected, HotwordToggleOn, HotwordToggleOff, AsrStartListening,
                AsrStopListening, AsrTextCaptured, NluIntent, NluIntentNotRecognized,
                DialogueSessionStarted, DialogueSessionEnded, TtsSay, TtsSayFinished,
                AudioPlayFinished)


def run_all(*sats: Process, timeout: float = 40, started: bool = False) -> None:
    try:
        for sat in sats if not started else ():
            sat.start()
        for sat in sats:
            code = sat.wait(timeout)
            assert code == 0, f"{sat.args}: exit {code}\n{sat.stderr()[-2000:]}"
    finally:
        for sat in sats:
            sat.kill()


def intents(recorder: Recorder) -> list[dict]:
    return [m.json() for m in recorder.messages("hermes/intent/")]


def test_same_utterance_in_two_rooms_is_answered_once_in_the_louder(
        hub: Hub, sat_broker: Mosquitto, recorder: Recorder, recordings: Recordings,
        tmp_path: Path) -> None:
    config = satellite_config(tmp_path, sat_broker.port)
    # Bad input first: none of it may disturb the hub.
    garbage = [("samantha/site/kitchen/hotword/hey_samantha/detected", b"{not json"),
               ("samantha/site/garage/hotword/hey_samantha/detected", b'{"modelId": "x"}'),
               # A wake for the kitchen on the living room's topic: refused, not a wake.
               ("samantha/site/living_room/hotword/hey_samantha/detected",
                b'{"modelId": "x", "siteId": "kitchen"}'),
               ("samantha/satellite/kitchen/status", b"[1, 2]"),
               ("hermes/audioServer/kitchen/playFinished", b"\xff\xfe")]
    for topic, payload in garbage * 2:
        publish.single(topic, payload, hostname="127.0.0.1", port=sat_broker.port)
    start = time.time() + 4.0  # both satellites loaded: play the recording in both rooms at once
    kitchen = satellite(config, "kitchen", recordings.loud, tmp_path, start_at=start)
    living = satellite(config, "living_room", recordings.quiet, tmp_path, start_at=start)
    try:
        kitchen.start()
        living.start()
        # A non-WAV frame in the middle of the kitchen's utterance is dropped, not fatal.
        recorder.wait_for(lambda m: m.topic == "hermes/audioServer/kitchen/audioFrame", 30,
                          "kitchen audio")
        for _ in range(2):
            publish.single("hermes/audioServer/kitchen/audioFrame", b"RIFF but not a wav",
                           hostname="127.0.0.1", port=sat_broker.port)
    finally:
        run_all(kitchen, living, started=True)

    found = intents(recorder)
    assert [(i["intent"]["intentName"], i["siteId"]) for i in found] == [("HassTurnOn", "kitchen")]
    assert [m.payload for m in recorder.messages(LIGHT_TOPIC)] == [b"ON"]
    says = recorder.json_on("hermes/tts/say")
    assert [s["siteId"] for s in says] == ["kitchen"] and "Kitchen Lights" in says[0]["text"]
    assert (tmp_path / "kitchen-reply.wav").stat().st_size > 10_000
    assert (tmp_path / "living_room-reply.wav").stat().st_size <= 44  # nothing played there

    # Both rooms heard the wake; the quieter one stood down at the hub's word.
    wakes = {e["room"]: e for s in (kitchen, living) for e in s.events() if e["event"] == "wake"}
    assert set(wakes) == {"kitchen", "living_room"}
    assert wakes["kitchen"]["level_db"] > wakes["living_room"]["level_db"] + 6
    assert any(e["event"] == "stop" and e["why"] == "stand_down" for e in living.events())

    # Idle audio never left a room: frames only between the wake and the utterance's end.
    frames = {room: [m for m in recorder.messages(f"hermes/audioServer/{room}/audioFrame")
                     if m.payload[8:12] == b"WAVE"]  # not our garbage above
              for room in ("kitchen", "living_room")}
    detected = {m.json()["siteId"]: m.at for m in recorder.messages("samantha/site/")
                if "/hotword/" in m.topic and m.payload not in {p for _t, p in garbage}}
    for room, seen in frames.items():
        assert seen and min(m.at for m in seen) >= detected[room] - 0.01
    # The wake phrase's audio (leadS) goes at once, then a few frames while the hub arbitrated.
    listen = next(e for e in living.events() if e["event"] == "listen")
    lead_frames = math.ceil(listen["lead_s"] / 0.032)
    assert 0 < lead_frames <= len(frames["living_room"]) < lead_frames + 15
    assert 20 < len(frames["kitchen"]) < 120  # the command, ~2 s at 32 ms per frame

    # Every JSON message on hermes/# and on the rooms' own topics (samantha/site/<room>/...,
    # Hermes topics under a room prefix) parses with the independent rhasspy-hermes classes.
    checked = 0
    garbage_topics = {t for t, _ in garbage}
    room_topics = set()
    for m in recorder.messages("hermes/") + recorder.messages("samantha/site/"):
        if AudioFrame.is_topic(m.topic) or AudioPlayBytes.is_topic(m.topic):
            if m.payload.startswith(b"RIFF") and AudioPlayBytes.is_topic(m.topic):
                assert m.payload[8:12] == b"WAVE"
            continue
        if m.topic in garbage_topics and m.payload in {p for _t, p in garbage}:
            continue
        topic = m.topic
        if topic.startswith("samantha/site/"):
            room_topics.add(topic)
            topic = "hermes/" + topic.split("/", 3)[3]
        cls = next(c for c in JSON_CLASSES if c.is_topic(topic))
        parsed = cls.from_json(m.payload.decode())
        assert getattr(parsed, "site_id", "kitchen") in {"kitchen", "living_room"}
        checked += 1
    for needed in ("hermes/asr/textCaptured", "hermes/dialogueManager/sessionStarted",
                   "hermes/dialogueManager/sessionEnded", "hermes/tts/sayFinished",
                   "hermes/audioServer/kitchen/playFinished", "hermes/intent/HassTurnOn"):
        # The last of these are sent as the satellites finish: the broker may still be
        # passing them on to the recorder when the processes have exited.
        recorder.wait_for(lambda m, topic=needed: m.topic == topic, 5, needed)
    topics = {m.topic for m in recorder.messages("hermes/")}
    assert checked >= 10
    # Wakes and the hub's orders travelled on each room's own topics (an ACL pins them).
    assert {"samantha/site/kitchen/hotword/hey_samantha/detected",
            "samantha/site/living_room/hotword/hey_samantha/detected",
            "samantha/site/kitchen/asr/startListening",
            "samantha/site/living_room/asr/stopListening"} <= room_topics
    assert not {t for t in topics if t.startswith(("hermes/hotword/", "hermes/asr/st"))}
    # Malformed input was logged once per topic and ignored; the hub lives on.
    log = hub.stderr()
    assert log.count("ignoring malformed message on samantha/site/kitchen/hotword/") == 1
    assert log.count("siteId 'garage' is not a room") == 1
    assert log.count("siteId 'kitchen' on living_room's topic: a satellite speaks only") == 1
    assert log.count("ignoring malformed message on hermes/audioServer/kitchen/audioFrame") == 1
    assert hub.alive()


def test_satellite_killed_mid_utterance_leaves_the_hub_serving_others(
        hub: Hub, sat_broker: Mosquitto, recorder: Recorder, recordings: Recordings,
        tmp_path: Path) -> None:
    config = satellite_config(tmp_path, sat_broker.port)
    kitchen = satellite(config, "kitchen", recordings.loud, tmp_path, name="doomed")
    try:
        kitchen.start()
        recorder.wait_for(lambda m: m.topic == "hermes/audioServer/kitchen/audioFrame", 30,
                          "kitchen audio")
        time.sleep(0.3)  # mid-utterance
        kitchen.kill()  # SIGKILL: no goodbye, only the broker's last will
    finally:
        kitchen.kill()
    gone = recorder.wait_for(lambda m: m.topic == "samantha/hub/sites/kitchen"
                             and m.json()["available"] is False, 10, "kitchen marked unavailable")
    # The hub let go of everything it held for the room: conversation, audio, recognizer.
    assert gone.json() | {"since": 0} == {"room": "kitchen", "available": False, "since": 0,
                                          "conversation": False, "held_audio_s": 0.0,
                                          "recognizer": False}
    ended = recorder.wait_for(lambda m: m.topic == "hermes/dialogueManager/sessionEnded"
                              and m.json()["siteId"] == "kitchen", 10, "kitchen session end")
    assert ended.json()["termination"]["reason"] == "error"
    assert recorder.messages(LIGHT_TOPIC) == []
    assert hub.alive()

    # Another room is served meanwhile.
    run_all(satellite(config, "living_room", recordings.loud, tmp_path))
    assert [(i["intent"]["intentName"], i["siteId"]) for i in intents(recorder)] == [
        ("HassTurnOn", "living_room")]

    # The kitchen comes back without restarting the hub, and is served again.
    recorder.clear()
    run_all(satellite(config, "kitchen", recordings.loud, tmp_path, name="reborn"))
    available = [m.json()["available"] for m in recorder.messages("samantha/hub/sites/kitchen")]
    assert available[:1] == [True]
    assert [m.payload for m in recorder.messages(LIGHT_TOPIC)] == [b"ON"]
    assert hub.alive()
    assert "Traceback" not in hub.stderr()


def test_health_is_retained_status_with_a_last_will(
        hub: Hub, sat_broker: Mosquitto, recorder: Recorder, recordings: Recordings,
        tmp_path: Path) -> None:
    config = satellite_config(tmp_path, sat_broker.port)
    run_all(satellite(config, "bedroom", recordings.silence, tmp_path))
    # Its last word, sent as it exits: the broker may still be passing it on.
    recorder.wait_for(lambda m: m.topic == "samantha/satellite/bedroom/status"
                      and m.payload == b"offline", 5, "the satellite's offline status")
    statuses = [m for m in recorder.messages("samantha/satellite/bedroom/status")]
    detailed = [json.loads(m.payload) for m in statuses if m.payload.startswith(b"{")]
    assert detailed and detailed[-1]["room"] == "bedroom" and detailed[-1]["muted"] is False
    assert {"cpu", "version", "online"} <= set(detailed[-1])
    assert statuses[-1].payload == b"offline"  # a clean exit says so, as the will would
    assert not [m for m in recorder.messages("hermes/audioServer/bedroom/audioFrame")]
    late = Recorder(sat_broker.port, topics=("samantha/satellite/bedroom/status",)).start()
    try:
        retained = late.wait_for(lambda m: m.retain, 5, "retained status")
        assert retained.payload == b"offline"
    finally:
        late.stop()
