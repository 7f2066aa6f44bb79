"""A running hub (its own process, a real Mosquitto) under a flood of fuzzed Hermes traffic:
frames are decoded only during a conversation, so the flood opens conversations and streams
hostile frames into them. Afterwards a real satellite's wake and command still work, the hub
logged no traceback, and its memory stayed within 50 MB (at its peak and after the flood)."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import paho.mqtt.client as paho
import pytest
from hostile import audio_payloads, json_payloads, valid_frame
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from paho.mqtt.enums import CallbackAPIVersion
from sat_harness import LIGHT_TOPIC, Hub, Recorder, Recordings, satellite, satellite_config

from harness.fuzzcount import Record, report_fuzz
from harness.mosquitto import Mosquitto
from samantha.plugins.satellite import hermes

FLOOD = 20_000 if os.environ.get("SAMANTHA_FUZZ") == "1" else 2_000
PER_CONVERSATION = 250
MAX_GROWTH_MB = 50.0
# Frames that cost the unchecked hub most: 1 Hz (a 172 MB resampling), a prime rate, no audio.
KILLERS = [hermes.wav_bytes(np.zeros(1024, np.int16), 1),
           hermes.wav_bytes(np.zeros(1024, np.int16), 47_999),
           hermes.wav_bytes(np.zeros(0, np.int16), 16_000)]
JSON_TOPICS = ["samantha/site/bedroom/hotword/hey_samantha/detected",
               "samantha/site/bedroom/asr/textCaptured",
               "samantha/site/no_such_room/hotword/hey_samantha/detected",
               "hermes/hotword/hey_samantha/detected", "hermes/asr/textCaptured",
               "hermes/audioServer/bedroom/playFinished", "samantha/satellite/bedroom/status",
               "samantha/satellite/garage/status"]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


class PeakRss(threading.Thread):
    """Samples a process's resident memory every 10 ms: a short spike counts too."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0.0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, rss_mb(self.pid))
            self._done.wait(0.01)

    def stop(self) -> float:
        self._done.set()
        self.join(5)
        return self.peak


def fuzzed_traffic(count: int) -> list[tuple[str, bytes]]:
    """`count` hostile messages from the fuzzers' strategies: frames and JSON, by kind."""
    found: list[tuple[str, bytes]] = []

    @settings(max_examples=count, derandomize=True, phases=[Phase.generate], database=None,
              deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.one_of(audio_payloads.map(lambda p: ("frame", p)),
                     json_payloads.map(lambda p: ("json", p))))
    def collect(item: tuple[str, bytes]) -> None:
        found.append(item)

    collect()
    return found


class Flooder:
    """A hostile peer that also plays the bedroom's speaker (answers playBytes at once)."""

    def __init__(self, port: int) -> None:
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id="flooder")
        self.client.on_message = self._play
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        self.client.subscribe("hermes/audioServer/bedroom/playBytes/+")

    def _play(self, _c: Any, _u: Any, msg: paho.MQTTMessage) -> None:
        request = msg.topic.rsplit("/", 1)[-1]
        self.client.publish("hermes/audioServer/bedroom/playFinished",
                            json.dumps({"id": request}), qos=1)

    def wake(self) -> None:
        wake = json.dumps({"modelId": "hey_samantha", "siteId": "bedroom"})
        self.client.publish("samantha/site/bedroom/hotword/hey_samantha/detected", wake, qos=1)
        self.client.publish("hermes/hotword/hey_samantha/detected", wake, qos=1)  # Hermes' own

    def send(self, batch: list[tuple[str, bytes]], n: int) -> None:
        for i, (kind, payload) in enumerate(batch):
            if kind == "frame":
                topic = "hermes/audioServer/bedroom/audioFrame"
            else:
                topic = JSON_TOPICS[(n + i) % len(JSON_TOPICS)]
            self.client.publish(topic, payload, qos=0)
            if i % 5 == 0:  # real audio too, so the conversation stays open and decodes
                self.client.publish("hermes/audioServer/bedroom/audioFrame", valid_frame(), qos=0)
            if i % 50 == 0:
                self.client.publish("hermes/audioServer/bedroom/audioFrame",
                                    KILLERS[(n + i) % len(KILLERS)], qos=0)
                time.sleep(0.01)

    def stop(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def conversation(recorder: Recorder, flooder: Flooder, batch: list[tuple[str, bytes]],
                 n: int) -> None:
    for _attempt in range(5):
        recorder.clear()
        flooder.wake()
        answer = recorder.wait_for(
            lambda m: m.topic.endswith(("asr/startListening", "asr/stopListening"))
            and m.payload.startswith(b"{") and m.json().get("siteId") == "bedroom",
            10, "the hub's answer to the bedroom's wake")
        if answer.topic.endswith("startListening"):
            break
        # Stood down: the flood ended the last conversation (a fuzzed "offline" status) less
        # than late_s after its wake, so this wake counts as the same one heard late.
        time.sleep(1.1)
    else:
        raise AssertionError("the bedroom's wake was never answered")
    flooder.send(batch, n)
    # A batch may carry up to a minute of (fuzzed) audio, all of which is decoded: on a loaded
    # 2-core machine that alone can take half a minute.
    recorder.wait_for(lambda m: m.topic == "hermes/dialogueManager/sessionEnded"
                      and m.json().get("siteId") == "bedroom", 120, "bedroom session end")


@pytest.mark.fuzz
def test_a_flood_of_fuzzed_frames_leaves_the_hub_serving_in_bounded_memory(
        hub: Hub, sat_broker: Mosquitto, recorder: Recorder, recordings: Recordings,
        tmp_path: Path, record_property: Record) -> None:
    traffic = fuzzed_traffic(FLOOD)
    flooder = Flooder(sat_broker.port)
    try:
        # Warm up: the bedroom's recognizer is built, a reply is recognised, said and played.
        for _ in range(2):
            conversation(recorder, flooder, [("frame", valid_frame())] * 60, 1)
        time.sleep(1.0)
        baseline = rss_mb(hub.pid)
        peak = PeakRss(hub.pid)
        peak.start()
        sent = 0
        for n in range(0, len(traffic), PER_CONVERSATION):
            batch = traffic[n:n + PER_CONVERSATION]
            conversation(recorder, flooder, batch, n)
            sent += len(batch)
        highest = peak.stop()
    finally:
        flooder.stop()
    time.sleep(2.0)  # the source has gone away
    after = rss_mb(hub.pid)
    assert highest - baseline <= MAX_GROWTH_MB, f"peak {highest:.0f} MB from {baseline:.0f} MB"
    assert after - baseline <= MAX_GROWTH_MB, f"{after:.0f} MB after, from {baseline:.0f} MB"

    # A real satellite is still served: wake word, command, light.
    recorder.clear()
    config = satellite_config(tmp_path, sat_broker.port)
    kitchen = satellite(config, "kitchen", recordings.loud, tmp_path).start()
    try:
        assert kitchen.wait(60) == 0, kitchen.stderr()[-2000:]
    finally:
        kitchen.kill()
    assert [m.payload for m in recorder.messages(LIGHT_TOPIC)] == [b"ON"], (
        f"{kitchen.events()}\n{recorder.json_on('hermes/asr/textCaptured')}\n"
        f"--- hub ---\n{hub.stderr()[-6000:]}")

    log = hub.stderr()
    assert "Traceback" not in log, log[log.find("Traceback") - 500:][:3000]
    # Bad input was logged once per source and kind of message, not once per message.
    bad_lines = [line for line in log.splitlines() if "ignoring malformed message" in line]
    assert 0 < len(bad_lines) <= 20, bad_lines[:30]
    assert hub.alive()
    report_fuzz(record_property, "Hermes flood at a running hub", sent)
    print(f"flood: {sent} fuzzed messages; hub {baseline:.0f} MB, peak {highest:.0f} MB, "
          f"after {after:.0f} MB")
