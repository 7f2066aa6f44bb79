"""Commands that would act twice ("press", "next track") are sent at most once.

A QoS1 command whose PUBACK is lost in a broker restart is sent again by the outbox (at least
once): right for absolute commands, wrong for relative ones. These tests lose the PUBACK for
sure: the broker is frozen (SIGSTOP) while the command is written, then killed and started
again, so the command was never read.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sqlite3
from pathlib import Path

import pytest
from mqtt_sims import SimDevice, settings_for

from harness.mosquitto import Mosquitto
from samantha.plugins.mqtt.client import MqttClient, MqttUncertainError
from samantha.plugins.mqtt.outbox import Outbox


def _sink(broker: Mosquitto) -> SimDevice:
    sink = SimDevice(broker, "sink")
    sink.subscriptions = ["dev/sink/set"]
    return sink.start()


async def _lose_the_puback(broker: Mosquitto, client: MqttClient, sink: SimDevice,
                           first: str, repeatable: bool) -> list[asyncio.Future[None]]:
    pid = broker.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)  # takes nothing off the socket, acknowledges nothing
    futures = [client.send_command("dev/sink/set", first, repeatable=repeatable),
               client.send_command("dev/sink/set", "after")]
    await asyncio.sleep(0.3)  # the pump wrote the first one; it waits for its PUBACK
    assert len(client.outbox) == 2
    sink.subscribed.clear()
    broker.restart(hard=True)  # SIGKILL works on a stopped process: the socket closes
    sink.wait_resubscribed()
    return futures


async def test_a_command_that_acts_twice_is_not_sent_again_after_a_lost_puback(
    broker: Mosquitto, tmp_path: Path
) -> None:
    sink = _sink(broker)
    client = MqttClient(settings_for(broker, tmp_path))
    await client.start()
    try:
        press, after = await _lose_the_puback(broker, client, sink, "press", repeatable=False)
        with pytest.raises(MqttUncertainError, match="may not have arrived"):
            await asyncio.wait_for(press, 10)
        await asyncio.wait_for(after, 10)  # the next command is delivered as usual
        await sink.received_async(1)
        await asyncio.sleep(0.3)  # a late "press" would show up here
        assert [p for _, p in sink.received] == [b"after"]
        assert len(client.outbox) == 0
    finally:
        await client.stop()
        sink.stop()


async def test_an_absolute_command_is_sent_again_after_a_lost_puback(
    broker: Mosquitto, tmp_path: Path
) -> None:
    sink = _sink(broker)
    client = MqttClient(settings_for(broker, tmp_path))
    await client.start()
    try:
        futures = await _lose_the_puback(broker, client, sink, "on", repeatable=True)
        await asyncio.wait_for(asyncio.gather(*futures), 10)
        await sink.received_async(2)
        assert [p for _, p in sink.received] == [b"on", b"after"]
    finally:
        await client.stop()
        sink.stop()


async def test_an_attempted_once_command_left_by_a_crash_is_not_sent(
    broker: Mosquitto, tmp_path: Path
) -> None:
    settings = settings_for(broker, tmp_path)
    box = Outbox(settings.outbox_path)
    box.mark_attempted(box.put("dev/sink/set", b"press", repeatable=False))
    box.put("dev/sink/set", b"next", repeatable=False)  # never attempted: sent
    box.put("dev/sink/set", b"on")
    box.close()  # Samantha died waiting for the first one's PUBACK
    sink = _sink(broker)
    client = MqttClient(settings)
    await client.start()
    try:
        await sink.received_async(2)
        await asyncio.sleep(0.3)
        assert [p for _, p in sink.received] == [b"next", b"on"]
        assert len(client.outbox) == 0
    finally:
        await client.stop()
        sink.stop()


def test_an_outbox_file_from_an_older_version_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL "
               "UNIQUE, topic TEXT NOT NULL, payload BLOB NOT NULL, qos INTEGER NOT NULL, "
               "retain INTEGER NOT NULL, created REAL NOT NULL)")
    db.execute("INSERT INTO outbox (id, topic, payload, qos, retain, created) "
               "VALUES ('a', 't', x'6f6e', 1, 0, 0)")
    db.commit()
    db.close()
    box = Outbox(path)
    (item,) = box.items()
    assert (item.payload, item.repeatable, item.attempted) == (b"on", True, False)
    box.put("t", b"press", repeatable=False)
    box.close()
    again = Outbox(path)
    assert [(i.payload, i.repeatable) for i in again.items()] == [(b"on", True),
                                                                  (b"press", False)]
    again.close()


async def test_a_reply_cut_off_by_a_broker_restart_logs_no_traceback(
    broker: Mosquitto, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A callback that answers (the microphone switch's state) while the broker goes away:
    # the chaos soak saw one traceback per answer in flight at each broker restart.
    caplog.set_level(logging.INFO, logger="samantha.plugins.mqtt")
    client = MqttClient(settings_for(broker, tmp_path))
    await client.start()
    asked = asyncio.Event()
    answered = asyncio.Event()
    pid = broker.pid
    assert pid is not None

    async def answer(_message: object) -> None:
        os.kill(pid, signal.SIGSTOP)  # the answer is written, its PUBACK never comes
        asked.set()  # seen once publish() below awaits its PUBACK, with the answer written
        try:
            await client.publish("dev/answer", "ON", retain=True)
        finally:
            answered.set()

    try:
        await client.subscribe("dev/ask", answer)
        sink = _sink(broker)
        sink.publish("dev/ask", "x", retain=False)
        # Restart only once the callback froze the broker: restarted sooner, it would freeze
        # the new broker instead (and the answer would wait for its PUBACK for ever).
        await asyncio.wait_for(asked.wait(), 10)
        await asyncio.sleep(0.3)
        broker.restart(hard=True)
        await asyncio.wait_for(answered.wait(), 10)
        await asyncio.sleep(0.1)
        assert not [r for r in caplog.records if r.exc_info], caplog.text
        assert "could not answer" in caplog.text
        sink.stop()
    finally:
        await client.stop()
