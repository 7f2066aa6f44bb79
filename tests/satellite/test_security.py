"""Per-satellite credentials, the documented Mosquitto ACL, and TLS."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sat_harness import Recorder, Recordings, satellite, satellite_config

from harness.mosquitto import Mosquitto
from samantha.plugins.satellite.acl import mosquitto_acl

USERS = {"samantha": "hub secret", "kitchen": "kitchen secret", "living_room": "lounge secret"}


class AclBroker(Mosquitto):
    """A password broker with one user per satellite and the ACL from docs/satellites.md."""

    def _write_passwd(self) -> None:
        passwd = self.workdir / "passwd"
        passwd.write_text("")
        for user, password in USERS.items():
            subprocess.run(["mosquitto_passwd", "-b", str(passwd), user, password], check=True,
                           capture_output=True)
        os.chmod(passwd, 0o600)


@pytest.fixture
def acl_broker(tmp_path: Path) -> Iterator[AclBroker]:
    acl = tmp_path / "acl"
    acl.write_text(mosquitto_acl(["kitchen", "living_room"],
                                 hub_topics=("hermes/#", "samantha/#", "test/#")))
    broker = AclBroker(tmp_path / "broker", extra_config=f"acl_file {acl}").start("password")
    try:
        yield broker
    finally:
        broker.stop()


def client(broker: Mosquitto, user: str) -> paho.Client:
    c = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"{user}-probe")
    c.username_pw_set(user, USERS[user])
    c.connect("127.0.0.1", broker.port)
    c.loop_start()
    return c


def test_a_satellite_cannot_speak_or_listen_for_another_site(acl_broker: AclBroker) -> None:
    hub = Recorder(acl_broker.port, username="samantha", password=USERS["samantha"]).start()
    kitchen = client(acl_broker, "kitchen")
    heard: list[str] = []
    kitchen.on_message = lambda _c, _u, m: heard.append(m.topic)
    try:
        kitchen.subscribe([("hermes/audioServer/+/playBytes/+", 1), ("hermes/asr/#", 1)])
        time.sleep(0.3)
        for site in ("kitchen", "living_room"):
            kitchen.publish(f"hermes/audioServer/{site}/audioFrame", b"RIFF....WAVE", qos=1)
            kitchen.publish(f"samantha/satellite/{site}/status", b"offline", qos=1)
        kitchen.publish("hermes/hotword/hey_samantha/detected", b"{}", qos=1)
        kitchen.publish("hermes/intent/HassTurnOn", b"{}", qos=1)  # only the hub may
        kitchen.publish("test/kitchen_lights/set", b"ON", qos=1)
        hub_client = hub.client
        for site in ("kitchen", "living_room"):
            hub_client.publish(f"hermes/audioServer/{site}/playBytes/r1", b"RIFF", qos=1)
        hub_client.publish("hermes/asr/stopListening", b'{"siteId": "kitchen"}', qos=1)
        hub.wait_for(lambda m: m.topic == "hermes/asr/stopListening", 5, "hub's own message")
        time.sleep(0.5)
        from_kitchen = {m.topic for m in hub.messages() if m.topic != "hermes/asr/stopListening"
                        and "playBytes" not in m.topic}
        assert from_kitchen == {"hermes/audioServer/kitchen/audioFrame",
                                "samantha/satellite/kitchen/status",
                                "hermes/hotword/hey_samantha/detected"}
        assert sorted(heard) == ["hermes/asr/stopListening",
                                 "hermes/audioServer/kitchen/playBytes/r1"]
    finally:
        kitchen.loop_stop()
        kitchen.disconnect()
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
