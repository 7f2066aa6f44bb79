"""Per-satellite credentials, the documented Mosquitto ACL, and TLS."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sat_harness import Hub, Recorder, Recordings, hub_config, satellite, satellite_config

from harness.mosquitto import Mosquitto
from samantha.plugins.satellite import hermes
from samantha.plugins.satellite.acl import mosquitto_acl

USERS = {"samantha": "hub secret", "kitchen": "kitchen secret", "living_room": "lounge secret",
         "bedroom": "bedroom secret"}
ROOMS = ["kitchen", "living_room", "bedroom"]


class AclBroker(Mosquitto):
    """A broker with one user per satellite and the ACL from docs/satellites.md; with mode
    "tls" it requires the passwords too (TLS + users + ACL, as in a real house)."""

    def _write_passwd(self) -> None:
        passwd = self.workdir / "passwd"
        passwd.write_text("")
        for user, password in USERS.items():
            subprocess.run(["mosquitto_passwd", "-b", str(passwd), user, password], check=True,
                           capture_output=True)
        os.chmod(passwd, 0o600)

    def _config(self, port: int) -> str:
        text = super()._config(port)
        if self.mode == "tls":
            self._write_passwd()
            text = text.replace("allow_anonymous true", "allow_anonymous false\n"
                                f"password_file {self.workdir / 'passwd'}")
        return text


def _acl(tmp_path: Path) -> Path:
    acl = tmp_path / "acl"
    acl.write_text(mosquitto_acl(ROOMS, hub_topics=("hermes/#", "samantha/#", "test/#")))
    return acl


@pytest.fixture
def acl_broker(tmp_path: Path) -> Iterator[AclBroker]:
    broker = AclBroker(tmp_path / "broker", extra_config=f"acl_file {_acl(tmp_path)}")
    broker.start("password")
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
def tls_acl_broker(tmp_path: Path) -> Iterator[AclBroker]:
    broker = AclBroker(tmp_path / "broker", extra_config=f"acl_file {_acl(tmp_path)}")
    broker.start("tls")
    try:
        yield broker
    finally:
        broker.stop()


def client(broker: Mosquitto, user: str) -> paho.Client:
    c = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"{user}-probe")
    c.username_pw_set(user, USERS[user])
    if broker.tls_files is not None:
        c.tls_set(ca_certs=str(broker.tls_files.ca_cert))
    subscribed = threading.Event()
    c.on_subscribe = lambda *_a: subscribed.set()
    c.connect("127.0.0.1", broker.port)
    c.loop_start()
    c.subscribed = subscribed  # type: ignore[attr-defined]
    return c


def tls_recorder(broker: AclBroker, user: str = "samantha") -> Recorder:
    rec = Recorder(broker.port, username=user, password=USERS[user])
    assert broker.tls_files is not None
    rec.client.tls_set(ca_certs=str(broker.tls_files.ca_cert))
    return rec.start()


def attempts_for(site: str) -> list[tuple[str, bytes]]:
    """Everything a satellite could send to wake, stream or answer for `site`."""
    wake = json.dumps({"modelId": "hey_samantha", "siteId": site}).encode()
    text = json.dumps({"text": "turn on the lights", "siteId": site}).encode()
    return [(f"samantha/site/{site}/hotword/hey_samantha/detected", wake),
            ("hermes/hotword/hey_samantha/detected", wake),  # Hermes' shared topic
            (f"hermes/audioServer/{site}/audioFrame", hermes.wav_bytes(np.zeros(512, np.int16))),
            (f"samantha/site/{site}/asr/textCaptured", text),
            ("hermes/asr/textCaptured", text),
            (f"hermes/audioServer/{site}/playFinished", b'{"id": "r1"}'),
            (f"samantha/satellite/{site}/status", b"offline")]


def test_the_acl_confines_a_satellite_to_its_own_room(tls_acl_broker: AclBroker) -> None:
    hub = tls_recorder(tls_acl_broker)
    kitchen = client(tls_acl_broker, "kitchen")
    heard: list[str] = []
    kitchen.on_message = lambda _c, _u, m: heard.append(m.topic)
    try:
        kitchen.subscribe([("hermes/#", 1), ("samantha/#", 1)])
        assert kitchen.subscribed.wait(5)  # type: ignore[attr-defined]
        for site in ("kitchen", "bedroom"):
            for topic, payload in attempts_for(site):
                kitchen.publish(topic, payload, qos=1)
        kitchen.publish("hermes/intent/HassTurnOn", b"{}", qos=1)  # only the hub may
        kitchen.publish("test/kitchen_lights/set", b"ON", qos=1)
        mine = {"test/done"}
        for site in ("kitchen", "bedroom"):
            for order in ("asr/startListening", "asr/stopListening", "hotword/toggleOff",
                          "dialogueManager/sessionEnded"):
                mine.add(f"samantha/site/{site}/{order}")
            mine.add(f"hermes/audioServer/{site}/playBytes/r1")
        for topic in sorted(mine):
            hub.client.publish(topic, b"{}", qos=1)
        hub.wait_for(lambda m: m.topic == "test/done", 5, "hub's own message")
        allowed = {"samantha/site/kitchen/hotword/hey_samantha/detected",
                   "hermes/audioServer/kitchen/audioFrame",
                   "samantha/site/kitchen/asr/textCaptured",
                   "hermes/audioServer/kitchen/playFinished",
                   "samantha/satellite/kitchen/status"}
        orders = {"samantha/site/kitchen/asr/startListening",
                  "samantha/site/kitchen/asr/stopListening",
                  "samantha/site/kitchen/hotword/toggleOff",
                  "samantha/site/kitchen/dialogueManager/sessionEnded",
                  "hermes/audioServer/kitchen/playBytes/r1"}
        # The kitchen's messages come over its own connection, the hub's orders reach the
        # kitchen over its own: neither is ordered with test/done. Wait (bounded) for what
        # must arrive, then give anything that must not a moment to show up.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (
                allowed <= {m.topic for m in hub.messages()} and orders <= set(heard)):
            time.sleep(0.02)
        time.sleep(0.5)
        from_kitchen = {m.topic for m in hub.messages()} - mine
        assert from_kitchen == allowed
        # It hears its own room's orders and replies, nothing of the bedroom's.
        assert sorted(set(heard) - from_kitchen) == sorted(orders)
    finally:
        kitchen.loop_stop()
        kitchen.disconnect()
        hub.stop()


def test_kitchen_credentials_cannot_wake_stream_or_answer_for_the_bedroom(
        tls_acl_broker: AclBroker, tmp_path: Path) -> None:
    """A running hub on TLS + users + ACL: everything the kitchen's user sends for the bedroom
    is dropped by the broker or refused by the hub; the kitchen's own wake works."""
    assert tls_acl_broker.tls_files is not None
    auth = (f"  username: samantha\n  password: {USERS['samantha']}\n"
            f"  tls: {{ca_certs: {tls_acl_broker.tls_files.ca_cert}}}\n")
    work = tmp_path / "hub"
    work.mkdir()
    hub = Hub(hub_config(work, tls_acl_broker.port, mqtt_extra=auth), work).start()
    watch = tls_recorder(tls_acl_broker)
    kitchen = client(tls_acl_broker, "kitchen")
    try:
        hub.wait_ready()
        for topic, payload in attempts_for("bedroom"):
            kitchen.publish(topic, payload, qos=1)
        # The kitchen's own topic, claiming the bedroom in the JSON: the hub refuses it.
        kitchen.publish("samantha/site/kitchen/hotword/hey_samantha/detected",
                        b'{"modelId": "hey_samantha", "siteId": "bedroom"}', qos=1)
        # The hub logs the refusal in its own process: wait (bounded) for that line, and
        # give a wrongly woken bedroom the same 1.5 s as before to show up.
        deadline = time.monotonic() + 10
        while ("siteId 'bedroom' on kitchen's topic" not in hub.stderr()
               and time.monotonic() < deadline):
            time.sleep(0.05)
        time.sleep(1.5)
        claim = "samantha/site/kitchen/hotword/hey_samantha/detected"
        assert not [m for m in watch.messages() if m.topic != claim and (
            "bedroom" in m.topic or b'"bedroom"' in m.payload)], "the bedroom was woken"
        assert "siteId 'bedroom' on kitchen's topic" in hub.stderr()
        # The same user may wake its own room: the hub answers on the kitchen's topic.
        kitchen.publish("samantha/site/kitchen/hotword/hey_samantha/detected",
                        b'{"modelId": "hey_samantha", "siteId": "kitchen"}', qos=1)
        started = watch.wait_for(lambda m: m.topic == "samantha/site/kitchen/asr/startListening",
                                 10, "the kitchen's own wake answered")
        assert started.json()["siteId"] == "kitchen"
        assert "Traceback" not in hub.stderr()
    finally:
        kitchen.loop_stop()
        kitchen.disconnect()
        watch.stop()
        hub.stop()


def test_satellite_with_its_own_credentials_from_the_environment(
        acl_broker: AclBroker, recordings: Recordings, tmp_path: Path) -> None:
    auth = "  username: kitchen\n  password: !secret kitchen_mqtt_password\n"
    config = satellite_config(tmp_path, acl_broker.port, mqtt_extra=auth)
    hub = Recorder(acl_broker.port, username="samantha", password=USERS["samantha"]).start()
    try:
        good = satellite(config, "kitchen", recordings.silence, tmp_path, name="good",
                         env={"KITCHEN_MQTT_PASSWORD": USERS["kitchen"]}).start()
        assert good.wait(40) == 0, good.stderr()[-2000:]
        status = [m for m in hub.messages("samantha/satellite/kitchen/status")]
        assert any(m.payload.startswith(b'{"online":true') for m in status)
        bad = satellite(config, "kitchen", recordings.silence, tmp_path, name="bad",
                        env={"KITCHEN_MQTT_PASSWORD": "guess"}).start()
        assert bad.wait(40) != 0
        assert "refused user 'kitchen'" in bad.stderr()
        assert "guess" not in bad.stderr() + bad.stdout()
    finally:
        hub.stop()


def test_satellite_over_tls(recordings: Recordings, tmp_path: Path) -> None:
    broker = Mosquitto(tmp_path / "tls-broker").start("tls")
    try:
        assert broker.tls_files is not None
        tls = f"  tls: {{ca_certs: {broker.tls_files.ca_cert}}}\n"
        config = satellite_config(tmp_path, broker.port, mqtt_extra=tls)
        sat = satellite(config, "kitchen", recordings.silence, tmp_path).start()
        # Exit 0 after a replay means the satellite connected (it refuses to replay otherwise).
        assert sat.wait(40) == 0, sat.stderr()[-2000:]
        untrusted = satellite_config(tmp_path, broker.port, mqtt_extra="  tls: {}\n",
                                     name="untrusted.yaml")
        refused = satellite(untrusted, "kitchen", recordings.silence, tmp_path,
                            name="untrusted").start()
        assert refused.wait(40) != 0
        assert "certificate verify failed" in refused.stderr()
    finally:
        broker.stop()
