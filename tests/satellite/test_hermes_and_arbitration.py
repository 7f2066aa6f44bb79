"""Hermes messages round-trip and parse with the independent rhasspy-hermes classes;
wake arbitration picks exactly one room."""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest
from rhasspyhermes.asr import AsrTextCaptured as RhAsrTextCaptured
from rhasspyhermes.dialogue import DialogueSessionEnded as RhSessionEnded
from rhasspyhermes.nlu import NluIntent as RhNluIntent
from rhasspyhermes.tts import TtsSay as RhTtsSay
from rhasspyhermes.wake import HotwordDetected as RhHotwordDetected

from samantha.plugins.satellite import hermes
from samantha.plugins.satellite.arbitration import WakeArbiter, WakeClaim, pick_winner

SAMPLES: list[hermes.HermesMessage] = [
    hermes.HotwordDetected(model_id="hey_samantha", site_id="kitchen", level_db=-20.5,
                           detected_at=12.5),
    hermes.HotwordToggleOff(site_id="kitchen", reason="ttsSay"),
    hermes.AsrStartListening(site_id="kitchen", session_id="s1", wakeword_id="hey_samantha"),
    hermes.AsrTextCaptured(text="turn on the lights", likelihood=0.9, seconds=1.2,
                           site_id="kitchen", session_id="s1"),
    hermes.NluIntent(input="turn on the lights", intent=hermes.Intent(intent_name="HassTurnOn"),
                     site_id="kitchen", session_id="s1",
                     slots=[hermes.Slot(entity="area", slot_name="area", raw_value="kitchen",
                                        value=hermes.SlotValue(value="kitchen"))]),
    hermes.NluIntentNotRecognized(input="sing", site_id="office"),
    hermes.DialogueSessionStarted(session_id="s1", site_id="kitchen"),
    hermes.DialogueSessionEnded(session_id="s1", site_id="kitchen",
                                termination=hermes.SessionTermination(reason="nominal")),
    hermes.TtsSay(text="Okay.", site_id="kitchen", id="r1", session_id="s1"),
    hermes.TtsSayFinished(site_id="kitchen", id="r1"),
    hermes.AudioPlayFinished(id="r1"),
    hermes.HermesError(error="boom", site_id="kitchen"),
]


@pytest.mark.parametrize("message", SAMPLES, ids=lambda m: type(m).__name__)
def test_round_trip(message: hermes.HermesMessage) -> None:
    again = type(message).from_payload(message.payload())
    assert again == message
    assert all(k[0].islower() and "_" not in k for k in json.loads(message.payload()))


def test_rhasspy_hermes_parses_what_we_send() -> None:
    detected = RhHotwordDetected.from_json(SAMPLES[0].payload().decode())
    assert detected.site_id == "kitchen" and detected.model_id == "hey_samantha"
    text = RhAsrTextCaptured.from_json(SAMPLES[3].payload().decode())
    assert text.text == "turn on the lights" and text.session_id == "s1"
    intent = RhNluIntent.from_json(SAMPLES[4].payload().decode())
    assert intent.intent.intent_name == "HassTurnOn" and intent.slots[0].value["value"] == "kitchen"
    ended = RhSessionEnded.from_json(SAMPLES[7].payload().decode())
    assert ended.termination.reason.value == "nominal"
    say = RhTtsSay.from_json(SAMPLES[8].payload().decode())
    assert say.text == "Okay." and say.site_id == "kitchen"


def test_we_parse_what_rhasspy_hermes_sends() -> None:
    theirs = RhHotwordDetected(model_id="porcupine", site_id="office")
    ours = hermes.HotwordDetected.from_payload(theirs.to_json())
    assert ours.site_id == "office" and ours.level_db is None


def test_topics() -> None:
    assert hermes.HotwordDetected.topic(wakeword_id="x") == RhHotwordDetected.topic(
        wakeword_id="x")
    assert hermes.HotwordDetected.subscription() == "hermes/hotword/+/detected"
    assert hermes.HotwordDetected.is_topic("hermes/hotword/samantha/detected")
    assert hermes.NluIntent.topic_part("hermes/intent/HassTurnOn", "intent_name") == "HassTurnOn"
    assert hermes.play_bytes_topic("kitchen", "r1") == "hermes/audioServer/kitchen/playBytes/r1"


def test_wav_payload_round_trip_and_bad_payload() -> None:
    samples = (np.sin(np.arange(1600) / 5) * 8000).astype(np.int16)
    again, rate = hermes.read_wav_bytes(hermes.wav_bytes(samples))
    assert rate == 16000 and np.array_equal(again[:, 0], samples)
    with pytest.raises(ValueError, match="not a WAV payload"):
        hermes.read_wav_bytes(b"garbage")


def test_winner_is_loudest_among_near_simultaneous_claims() -> None:
    a = WakeClaim("kitchen", -30, received=0.000)
    b = WakeClaim("living_room", -18, received=0.020)
    c = WakeClaim("office", -5, received=0.120)  # loud but clearly later
    assert pick_winner([a, b, c], tie=0.05) is b
    assert pick_winner([a, c], tie=0.05) is a


async def test_arbiter_one_answer_per_round_and_late_claims_stand_down() -> None:
    arbiter = WakeArbiter(window=0.05, tie=0.03, late=0.3)
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    quiet = asyncio.create_task(arbiter.claim(WakeClaim("kitchen", -30, received=t0)))
    # One loop step lets the quiet claim open the round; the loud one's 10 ms are in its
    # `received`. (A 10 ms sleep here let a stalled loop close the 50 ms round first.)
    await asyncio.sleep(0)
    loud = asyncio.create_task(arbiter.claim(WakeClaim("office", -10, received=t0 + 0.01)))
    assert await loud is True and await quiet is False
    assert await arbiter.claim(WakeClaim("bedroom", -1, received=t0 + 0.1)) is False
    # a new utterance later opens a new round
    assert await arbiter.claim(WakeClaim("bedroom", -40, received=t0 + 0.5)) is True


def test_per_room_topics_carry_the_room() -> None:
    from samantha.plugins.satellite.acl import mosquitto_acl
    from samantha.plugins.satellite.topics import SiteTopics

    topics = SiteTopics("samantha/site")
    wake = topics.of(hermes.HotwordDetected, "kitchen", wakeword_id="hey_samantha")
    assert wake == "samantha/site/kitchen/hotword/hey_samantha/detected"
    assert topics.subscription(hermes.HotwordDetected) == "samantha/site/+/hotword/+/detected"
    assert topics.room_in(wake) == "kitchen"
    assert topics.room_in("hermes/hotword/hey_samantha/detected") is None
    assert topics.hermes_part(hermes.HotwordDetected, wake, "wakeword_id") == "hey_samantha"
    assert topics.of(hermes.AsrStopListening, "bedroom") == (
        "samantha/site/bedroom/asr/stopListening")
    # Shared Hermes topics only when asked for, per room user; per-room patterns always.
    plain = mosquitto_acl(["kitchen"])
    assert "hermes/hotword" not in plain and "user kitchen" not in plain
    assert "pattern write samantha/site/%u/hotword/+/detected" in plain
    shared = mosquitto_acl(["kitchen"], shared_topics=True)
    assert "user kitchen\ntopic write hermes/hotword/+/detected" in shared
