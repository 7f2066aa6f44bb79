"""Commands survive broker restarts and Samantha restarts: none lost, none duplicated."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from mqtt_sims import SimDevice, settings_for
from paho.mqtt.enums import CallbackAPIVersion

from harness.mosquitto import Mosquitto
from harness.waiting import wait_until
from samantha.plugins.mqtt.client import MqttClient
from samantha.plugins.mqtt.outbox import Outbox, OutboxBusyError, OutboxFullError

REPO = Path(__file__).resolve().parents[2]


def _sink(broker: Mosquitto) -> SimDevice:
    sink = SimDevice(broker, "sink")
    sink.subscriptions = ["dev/sink/set"]
    return sink.start()


async def test_broker_restart_mid_stream_delivers_each_command_once_in_order(
    broker: Mosquitto, tmp_path: Path
) -> None:
    sink = _sink(broker)
    client = MqttClient(settings_for(broker, tmp_path))
    await client.start()
    try:
        futures = []
        for i in range(200):
            futures.append(client.send_command("dev/sink/set", str(i)))
            if i % 10 == 0:
                await asyncio.sleep(0.002)  # a stream, not a burst
            if i == 70:
                broker.stop()  # blocks the loop: some commands are in flight right now
                await asyncio.sleep(0.3)  # commands issued below are queued in the outbox
            if i == 120:
                # Bring the broker and the device back before Samantha's next retry can run
                # (its retry is an asyncio timer and this code does not yield meanwhile).
                sink.subscribed.clear()
                broker.start(port=broker.port)
                sink.wait_resubscribed()
        await asyncio.wait_for(asyncio.gather(*futures), 15)
        received = await sink.received_async(200)
        await asyncio.sleep(0.2)  # a late duplicate would show up here
        payloads = [int(p) for _, p in sink.received]
        assert payloads == list(range(200)), f"lost/duplicated/reordered: {payloads}"
        assert len(received) == 200
        assert len(client.outbox) == 0
    finally:
        await client.stop()
        sink.stop()


async def test_outbox_survives_a_new_client_object(broker: Mosquitto, tmp_path: Path) -> None:
    port = broker.port
    broker.stop()
    settings = settings_for(broker, tmp_path)
    first = MqttClient(settings)
    await first.start(wait=False)
    for i in range(5):
        first.send_command("dev/sink/set", f"queued-{i}")
    await first.stop()  # Samantha shuts down with the broker still down
    box = Outbox(settings.outbox_path)
    assert len(box) == 5
    box.close()

    broker.start(port=port)
    sink = _sink(broker)
    second = MqttClient(settings)
    await second.start()
    try:
        got = await sink.received_async(5)
        await asyncio.sleep(0.2)
        assert [p.decode() for _, p in sink.received] == [f"queued-{i}" for i in range(5)]
        assert len(got) == 5
        assert len(second.outbox) == 0
    finally:
        await second.stop()
        sink.stop()


def test_outbox_has_one_user_at_a_time(tmp_path: Path) -> None:
    # Two Samanthas draining one outbox would each deliver its commands: twice in total.
    first = Outbox(tmp_path / "o.sqlite3")
    with pytest.raises(OutboxBusyError, match="another running Samantha"):
        Outbox(tmp_path / "o.sqlite3")
    first.close()
    Outbox(tmp_path / "o.sqlite3").close()


def test_outbox_full_refuses_instead_of_dropping(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3", max_size=3)
    ids = [box.put("t", b"%d" % i).id for i in range(3)]
    assert len(set(ids)) == 3
    with pytest.raises(OutboxFullError, match="full"):
        box.put("t", b"x")
    assert [i.payload for i in box.items()] == [b"0", b"1", b"2"]
    box.remove(ids[0])
    box.put("t", b"3")
    box.close()
    again = Outbox(tmp_path / "o.sqlite3", max_size=3)
    assert [i.payload for i in again.items()] == [b"1", b"2", b"3"]
    again.close()


def test_last_will_marks_offline_when_the_process_is_killed(
    broker: Mosquitto, tmp_path: Path
) -> None:
    states: list[bytes] = []
    watcher = paho.Client(CallbackAPIVersion.VERSION2, client_id="watcher")
    watcher.on_message = lambda c, u, m: states.append(m.payload)
    watcher.connect(broker.host, broker.port)
    watcher.subscribe("samantha/status", 1)
    watcher.loop_start()
    script = textwrap.dedent(
        f"""
        import asyncio
        from samantha.plugins.mqtt.client import MqttClient
        from samantha.plugins.mqtt.settings import MqttSettings
        async def main():
            s = MqttSettings(host="{broker.host}", port={broker.port}, keepalive=5,
                             outbox_path="{tmp_path / 'child.sqlite3'}")
            c = MqttClient(s)
            await c.start()
            print("connected", flush=True)
            await asyncio.sleep(60)
        asyncio.run(main())
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, cwd=REPO, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "connected"
        wait_until(lambda: b"online" in states, 5, what="the child's 'online' status")
        assert states[-1:] == [b"online"]
        os.kill(child.pid, signal.SIGKILL)
        child.wait(5)
        wait_until(lambda: states[-1:] == [b"offline"], 5, what="its will, 'offline'")
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(5)
        watcher.loop_stop()
        watcher.disconnect()
