"""Continued conversation: after a reply the same room listens again without the wake word."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sat_harness import LIGHT_TOPIC, Hub, Recorder, Recordings, hub_config, satellite
from sat_harness import satellite_config as sat_config

from harness.mosquitto import Mosquitto


@pytest.fixture(scope="module")
def chatty_hub(sat_broker: Mosquitto, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    work = tmp_path_factory.mktemp("chatty-hub")
    running = Hub(hub_config(work, sat_broker.port, follow_up_s=4.0), work).start()
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


def test_follow_up_needs_no_wake_word(chatty_hub: Hub, sat_broker: Mosquitto,
                                      recorder: Recorder, recordings: Recordings,
                                      tmp_path: Path) -> None:
    config = sat_config(tmp_path, sat_broker.port)
    sat = satellite(config, "kitchen", recordings.follow_up, tmp_path).start()
    try:
        assert sat.wait(60) == 0, sat.stderr()[-2000:]
    finally:
        sat.kill()
    events = sat.events()
    assert [e["event"] for e in events].count("wake") == 1
    assert [m.payload for m in recorder.messages(LIGHT_TOPIC)] == [b"ON", b"OFF"], (
        f"{events}\n{recorder.json_on('hermes/asr/textCaptured')}\n"
        f"--- hub ---\n{chatty_hub.stderr()[-6000:]}")
    intents = [m.json() for m in recorder.messages("hermes/intent/")]
    assert [i["intent"]["intentName"] for i in intents] == ["HassTurnOn", "HassTurnOff"]
    assert len({i["sessionId"] for i in intents}) == 1  # one conversation
    listens = recorder.json_on("samantha/site/kitchen/asr/startListening")  # its own topic
    assert listens[0].get("wakewordId") == "hey_samantha"
    assert all("wakewordId" not in s for s in listens[1:]) and len(listens) >= 2
    # Nothing was streamed while the reply played, and the conversation ended by itself.
    plays = [e for e in events if e["event"] == "play"]
    assert len(plays) == 2
    ended = recorder.json_on("hermes/dialogueManager/sessionEnded")
    assert [e["termination"]["reason"] for e in ended] == ["timeout"]
    assert chatty_hub.alive()
