"""The dashboard in a real browser (Debian's Chromium through chromedriver) against a real
`samantha run --headless` process with a real Mosquitto and an MQTT light.

Screenshots of each page go to tests/web/artifacts/.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select

from harness.browser import shot, wait
from harness.mosquitto import Mosquitto, free_port
from harness.waiting import wait_until

PASSWORD = "open sesame, kindly"
LAMP_TOPIC = "test/porch/set"


def house_config(tmp_path: Path, broker: Mosquitto, port: int) -> Path:
    (tmp_path / "secrets.yaml").write_text(f"dashboard_password: {PASSWORD}\n")
    config = tmp_path / "samantha.yaml"
    config.write_text(f"""\
name: Browser House
rooms:
  - name: Kitchen
  - name: Porch
devices:
  - {{name: Kitchen Light, room: Kitchen, kind: light}}
  - {{name: Front Door, room: Porch, kind: lock}}
automations:
  - id: porch_follows_kitchen
    alias: Porch light follows the kitchen
    triggers: [{{trigger: state, device: Kitchen Light, to: "on"}}]
    actions: [{{command: turn_on, device: Porch Lamp}}]
persona:
  memory: {{path: {tmp_path / "memory.db"}}}
mqtt:
  host: 127.0.0.1
  port: {broker.port}
  client_id: samantha-browser-{time.monotonic_ns()}
  outbox_path: {tmp_path / "outbox.sqlite3"}
  discovery: false
  announce_rooms: false
  connect_timeout: 2
  devices:
    - {{name: Porch Lamp, kind: light, room: Porch, command_topic: {LAMP_TOPIC},
       payload_on: "ON", payload_off: "OFF"}}
web:
  port: {port}
  password: !secret dashboard_password
""")
    return config


@pytest.fixture
def lamp(broker: Mosquitto) -> Iterator[list[str]]:
    """An MQTT device: records every command the house sends to the porch lamp."""
    received: list[str] = []
    ready = threading.Event()
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"lamp-{time.monotonic_ns()}")
    client.on_connect = lambda c, *_: (c.subscribe(LAMP_TOPIC, qos=1), ready.set())
    client.on_message = lambda _c, _u, m: received.append(m.payload.decode())
    client.connect(broker.host, broker.port)
    client.loop_start()
    assert ready.wait(5)
    try:
        yield received
    finally:
        client.loop_stop()
        client.disconnect()


@pytest.fixture
def house_process(tmp_path: Path, broker: Mosquitto) -> Iterator[str]:
    port = free_port()
    config = house_config(tmp_path, broker, port)
    exe = Path(sys.executable).parent / "samantha"
    log = (tmp_path / "house.log").open("w+")
    proc = subprocess.Popen([str(exe), "run", "--headless", "-c", str(config)], stdout=log,
                            stderr=subprocess.STDOUT, text=True)
    address = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while f"dashboard at {address}" not in (tmp_path / "house.log").read_text():
            assert proc.poll() is None, (tmp_path / "house.log").read_text()
            assert time.monotonic() < deadline, "the house did not print its dashboard"
            time.sleep(0.05)
        yield address
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_unauthenticated_requests_are_refused(house_process: str) -> None:
    for path in ("api/rooms", "api/devices", "api/events"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(house_process + path, timeout=5)
        assert err.value.code == 401
        assert "log in" in json.loads(err.value.read())["error"]
    post = urllib.request.Request(house_process + "api/devices/porch.front_door",
                                  data=b'{"action":"unlock","confirm":true}', method="POST",
                                  headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(post, timeout=5)
    assert err.value.code == 401


def test_log_in_talk_to_the_house_and_steer_an_mqtt_light(
        house_process: str, browser: webdriver.Chrome, lamp: list[str]) -> None:
    b = browser
    b.get(house_process + "turns")
    wait(b).until(ec.url_contains("/login"))
    shot(b, "login")
    b.find_element(By.ID, "password").send_keys("wrong")
    b.find_element(By.ID, "login").click()
    wait(b).until(ec.presence_of_element_located((By.ID, "login-error")))
    b.find_element(By.ID, "password").send_keys(PASSWORD)
    b.find_element(By.ID, "login").click()
    wait(b).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-page")
                  == "rooms")

    # Rooms.
    wait(b).until(ec.presence_of_element_located((By.ID, "room-kitchen")))
    assert "idle" in b.find_element(By.CSS_SELECTOR, "#room-kitchen .activity").text
    shot(b, "rooms")

    # A sentence typed in the page: the light changes and the turn shows up live with timings.
    b.get(house_process + "turns")
    wait(b).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
    wait(b).until(lambda d: "on" in d.find_element(By.ID, "live").get_attribute("class"))
    Select(b.find_element(By.ID, "say-room")).select_by_value("kitchen")
    b.find_element(By.ID, "say-text").send_keys("turn on the kitchen light")
    typed = time.monotonic()
    b.find_element(By.CSS_SELECTOR, "#say button").click()
    turn = wait(b).until(lambda d: next(
        (t for t in d.find_elements(By.CSS_SELECTOR, "#turns .turn")
         if "turn on the kitchen light" in t.text and t.find_elements(By.CSS_SELECTOR, ".reply")
         and t.find_elements(By.CSS_SELECTOR, '[data-step="state"]')), None))
    assert time.monotonic() - typed < 3
    assert "HassTurnOn" in turn.text
    steps = {s.get_attribute("data-step"): s.text
             for s in turn.find_elements(By.CSS_SELECTOR, ".step")}
    assert {"sentence", "intent", "command", "reply"} <= set(steps)
    assert steps["reply"].startswith("reply +") and steps["reply"].endswith(" ms")
    # The automation the kitchen light triggers switched the MQTT porch lamp on.
    wait_until(lambda: "ON" in lamp, 5, "the porch lamp switched ON")
    shot(b, "turns")

    # Devices: toggling the MQTT lamp from the page reaches the device on the broker.
    b.get(house_process + "devices")
    row = wait(b).until(ec.presence_of_element_located(
        (By.XPATH, "//tbody/tr[starts-with(normalize-space(td[1]), 'Porch Lamp')]")))
    before = len(lamp)
    row.find_element(By.CSS_SELECTOR, '[data-action="turn_off"]').click()
    wait_until(lambda: len(lamp) != before, 5, "a command to the porch lamp")
    assert lamp[before:] == ["OFF"]
    # Unlocking asks for confirmation; dismissing it leaves the door locked.
    door = b.find_element(By.ID, "device-porch.front_door")
    door.find_element(By.CSS_SELECTOR, '[data-action="unlock"]').click()
    alert = wait(b).until(ec.alert_is_present())
    assert "confirm" in alert.text
    alert.dismiss()
    assert "locked=true" in b.find_element(By.ID, "device-porch.front_door").text
    shot(b, "devices")

    # Automations: the run's trace, step by step.
    b.get(house_process + "automations")
    row = wait(b).until(ec.presence_of_element_located(
        (By.ID, "automation-porch_follows_kitchen")))
    row.find_element(By.TAG_NAME, "button").click()
    wait(b).until(lambda d: "finished" in d.find_element(By.ID, "traces").text)
    shot(b, "automations")

    b.get(house_process + "memory")
    wait(b).until(lambda d: "Persona" in d.find_element(By.ID, "persona").text)
    shot(b, "memory")
