"""The hub's speech decoders are kept, not rebuilt (issue 19: the chaos soak's memory growth).

Real pocketsphinx decoders (the bundled model) and, end to end, a hub on a real Mosquitto whose
satellites come and go: a room that comes back takes its own decoder again, rooms that talk in
turn share one, parked decoders are bounded by the home's rooms and freed after a while, and
every decoder is built on one thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import uuid
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from harness.mosquitto import Mosquitto
from harness.waiting import until
from samantha.plugins.mqtt.client import MqttClient
from samantha.plugins.mqtt.settings import MqttSettings
from samantha.plugins.satellite.malloc import give_back_memory
from samantha.plugins.satellite.recognizers import SWEEP_S, NoDecoder, Recognizers
from samantha.plugins.satellite.status import SatelliteStatus
from samantha.plugins.speech.settings import SpeechSettings, SttSettings
from samantha.plugins.speech.sphinx_engines import SphinxStt


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def recognizers(rooms: int, clock: Clock | None = None, online: set[str] | None = None,
                ) -> tuple[Recognizers, list[str]]:
    """Recognizers building real decoders; the list names the thread of each build. `online`:
    the rooms whose satellites are online."""
    threads: list[str] = []

    def build() -> SphinxStt:
        threads.append(threading.current_thread().name)
        return SphinxStt(None, {})

    ready = asyncio.Event()
    ready.set()
    found = Recognizers(SttSettings(engine="pocketsphinx", mode="free_form"), build, ready,
                        rooms=lambda: rooms, online=lambda: online or set(),
                        **({"clock": clock} if clock else {}))
    return found, threads


async def test_a_room_that_reconnects_20_times_builds_one_decoder() -> None:
    recs, threads = recognizers(rooms=4)
    try:
        first = await recs.for_room("kitchen")
        for _ in range(20):
            recs.release("kitchen")  # its satellite went offline (a broker restart)
            assert "kitchen" not in recs.by_room
            assert await recs.for_room("kitchen") is first
        # Two rooms that come and go in turn need no more than two.
        for _ in range(10):
            await recs.for_room("living_room")
            recs.release("kitchen")
            recs.release("living_room")
            await recs.for_room("kitchen")
        assert recs.built == 2
        assert recs.dropped == 0
        assert threads and set(threads) == {threads[0]}  # one builder thread
        assert threads[0].startswith("hub-decoders")
    finally:
        recs.close()


async def test_a_new_grammar_sets_up_parked_decoders_on_the_builder_thread() -> None:
    """Parked decoders get a new grammar on the builder thread (one malloc arena), one in use
    on the event loop (it is fed there); a room taking its parked one waits for it."""
    recs, _ = recognizers(rooms=4)
    seen: list[tuple[str, str]] = []
    configure = recs.configure

    def recording(stt: SphinxStt, room: str = "") -> None:
        time.sleep(0.05)  # a grammar takes a while: the room below must wait for it
        seen.append((room, threading.current_thread().name))
        configure(stt, room)

    try:
        await asyncio.gather(recs.for_room("kitchen"), recs.for_room("office"))
        recs.release("office")
        recs.configure = recording  # type: ignore[method-assign]
        recs.grammar_changed()
        await recs.for_room("office")
        assert ("kitchen", threading.current_thread().name) in seen
        assert [name.startswith("hub-decoders") for room, name in seen if room == "office"] == [
            True]
    finally:
        recs.close()


async def test_rooms_take_a_parked_decoder_before_one_is_built() -> None:
    recs, _ = recognizers(rooms=3)
    try:
        spare = SphinxStt(None, {})
        await recs.add_spare(spare)
        assert await recs.for_room("kitchen") is spare  # the warmed first one: no build
        recs.release("kitchen")
        for n in range(30):  # many rooms, one at a time: they share the one decoder
            room = f"room-{n}"
            assert await recs.for_room(room) is spare
            recs.release(room)
        assert recs.built == 0
        assert list(recs.parked) == ["room-29"]
    finally:
        recs.close()


async def test_a_flood_of_rooms_leaves_the_parked_decoders_bounded() -> None:
    recs, _ = recognizers(rooms=2)
    try:
        rooms = [f"flood-{uuid.uuid4().hex[:8]}" for _ in range(4)]
        # Four rooms talking at once hold four decoders while they talk...
        held = await asyncio.gather(*(recs.for_room(r) for r in rooms))
        assert len({id(stt) for stt in held}) == 4
        assert recs.built == 4
        # ...but once they are gone, no more are kept than the home has rooms.
        for room in rooms:
            recs.release(room)
        assert len(recs.parked) == 2
        assert recs.dropped == 2
        assert list(recs.parked) == rooms[2:]  # the latest ones
        for n in range(50):
            room = f"random-{n}"
            await recs.for_room(room)
            recs.release(room)
            assert len(recs.parked) <= 2
        assert recs.built == 4  # every one of them reused a parked decoder
        assert not recs.by_room
        assert recs.alive == len(recs.parked) == 2
    finally:
        recs.close()


async def test_parked_decoders_are_dropped_after_a_while_but_one() -> None:
    clock = Clock()
    recs, _ = recognizers(rooms=4, clock=clock)
    try:
        await asyncio.gather(recs.for_room("kitchen"), recs.for_room("office"))
        recs.release("kitchen")
        clock.now += 10
        recs.release("office")
        await recs.sweep()
        assert list(recs.parked) == ["kitchen", "office"]  # not yet
        clock.now += recs.park_s - 5
        await recs.sweep()
        assert list(recs.parked) == ["office"]  # kitchen's is older than park_s
        clock.now += recs.park_s * 3
        await recs.sweep()
        assert list(recs.parked) == ["office"]  # the last one stays for the next wake
        assert recs.dropped == 1
        # A room in use keeps its decoder, and then no parked one needs to stay.
        await recs.for_room("bedroom")
        recs.release("office")
        clock.now += recs.park_s * 3
        await recs.sweep()
        assert recs.dropped == 1  # office's went to the bedroom: nothing was parked
        assert list(recs.by_room) == ["bedroom"]
    finally:
        recs.close()


async def test_a_room_woken_by_anyone_borrows_a_parked_decoder_and_gives_it_back() -> None:
    """Wakes for a room without a satellite (a hostile peer on an open broker) build nothing
    while the satellites' rooms are idle; the satellite's room gets a decoder back without a
    build; the borrower's is let go after a while."""
    clock = Clock()
    online = {"kitchen", "living_room"}
    recs, _ = recognizers(rooms=4, clock=clock, online=online)
    try:
        for room in ("kitchen", "living_room"):  # both satellites online: one parked for each
            await recs.for_room(room, take_any=False)
            recs.release(room)
        assert recs.built == 2
        for _ in range(10):  # the bedroom is woken again and again
            await recs.for_room("bedroom")
            recs.release("bedroom")
        assert recs.built == 2
        assert list(recs.parked) == ["living_room", "bedroom"]  # it borrowed the kitchen's
        # The kitchen's satellite comes back (after a broker restart): it takes the bedroom's
        # decoder (a room without a satellite), not the living room's, and builds none.
        await recs.for_room("kitchen", take_any=False)
        recs.release("kitchen")
        assert recs.built == 2
        assert list(recs.parked) == ["living_room", "kitchen"]
        # The bedroom again: the longest parked is lent. Meanwhile the living room's satellite
        # comes back: it is not warmed up with a new decoder (there are as many as satellites),
        # and once the bedroom is done, the next sweep gives the decoder back to the room that
        # lent it (set up for it again): nothing dropped, nothing built.
        await recs.for_room("bedroom")
        with pytest.raises(NoDecoder):
            await recs.for_room("living_room", take_any=False)
        recs.release("bedroom")
        assert set(recs.parked) == {"kitchen", "bedroom"}
        clock.now += SWEEP_S
        await recs.sweep()
        assert set(recs.parked) == online
        assert recs.built == 2 and recs.dropped == 0
        # A room that talks while its warm-up gives up still gets a decoder.
        await recs.for_room("bedroom")
        warm = asyncio.create_task(recs.for_room("kitchen", take_any=False))
        stt = await recs.for_room("kitchen")
        [warmed] = await asyncio.gather(warm, return_exceptions=True)
        assert warmed is stt or isinstance(warmed, NoDecoder)
        recs.release("kitchen")
        recs.release("bedroom")
        clock.now += SWEEP_S
        await recs.sweep()
        assert set(recs.parked) == online and recs.built == 2 and recs.alive == 2
        # Two satellites coming online at once (as after a broker restart) while the bedroom
        # holds one: neither warm-up builds a third.
        await recs.for_room("bedroom")
        await asyncio.gather(*(recs.for_room(r, take_any=False) for r in sorted(online)),
                             return_exceptions=True)
        assert recs.built == 2 and recs.alive == 2
        for room in (*sorted(online), "bedroom"):
            recs.release(room)
        # An idle satellite's room keeps its decoder however long; without satellites online,
        # all but one are dropped.
        clock.now += recs.park_s * 10
        await recs.sweep()
        assert set(recs.parked) == online
        online.clear()
        clock.now += recs.park_s + 1
        await recs.sweep()
        assert len(recs.parked) == 1 and recs.dropped == 1
    finally:
        recs.close()


async def test_satellites_coming_online_during_a_sweep_are_both_warmed_up() -> None:
    """A sweep that lends the spare to a satellite's room as it comes online, before that
    room's own warm-up runs: the warm-up takes the lent decoder instead of building one more,
    so the other room coming online with it is not refused (a parallel test run once stranded
    it there, with no decoder until someone spoke)."""
    clock = Clock()
    online: set[str] = set()
    recs, _ = recognizers(rooms=4, clock=clock, online=online)
    try:
        await recs.add_spare(SphinxStt(None, {}))
        online |= {"kitchen", "living_room"}  # both statuses are in; no warm-up has run yet
        clock.now += SWEEP_S
        sweep = asyncio.create_task(recs.sweep())
        await asyncio.sleep(0)  # the sweep lends the spare to the first room and sets it up
        first = next(iter(online))  # the room the sweep picked
        other = ({"kitchen", "living_room"} - {first}).pop()

        async def warm(room: str) -> None:
            with contextlib.suppress(NoDecoder):
                await recs.for_room(room, take_any=False)
                recs.release(room)

        warms = [asyncio.create_task(warm(first)), asyncio.create_task(warm(other))]
        await asyncio.gather(sweep, *warms)
        assert recs.has("kitchen") and recs.has("living_room"), (recs.by_room, recs.parked)
        assert recs.built == 1 and recs.dropped == 0 and recs.alive == 2
    finally:
        recs.close()


def test_freed_memory_is_given_back_on_glibc() -> None:
    assert give_back_memory() is True  # Debian: glibc


def _status(client: paho.Client, room: str, online: bool) -> None:
    client.publish(f"samantha/satellite/{room}/status",
                   SatelliteStatus(online=online, room=room).payload(), qos=1,
                   retain=True).wait_for_publish(5)


async def test_satellites_reconnecting_and_a_flood_of_fake_rooms_build_no_decoders(
        tmp_path: Path) -> None:
    """End to end: a hub on a real broker; the kitchen's satellite comes back 20 times (as
    after broker restarts), and 200 satellites with made-up room names announce themselves."""
    from samantha.house import House
    from samantha.plugins.satellite.hub import SatelliteHub
    from samantha.plugins.satellite.settings import SatelliteSettings

    with Mosquitto(workdir=tmp_path / "broker") as broker:
        broker.start("plain")
        client = MqttClient(MqttSettings(host=broker.host, port=broker.port,
                                         client_id="hub-test", outbox_path=tmp_path / "o.db"))
        await client.start()
        sats = paho.Client(CallbackAPIVersion.VERSION2, client_id="fake-satellites")
        seen: list[tuple[str, bool]] = []
        sats.on_message = lambda _c, _u, m: seen.append(
            (m.topic.split("/")[-1], json.loads(m.payload)["available"]))
        sats.connect("127.0.0.1", broker.port)
        sats.loop_start()
        sats.subscribe("samantha/hub/sites/+", 1)
        house = House.prepare(None)
        speech = SpeechSettings.model_validate({"stt": {
            "engine": "pocketsphinx", "mode": "free_form"}})

        async def announced(room: str, available: bool, count: int) -> None:
            await until(lambda: seen.count((room, available)) >= count, 10,
                        f"the hub to announce {room} {available}")

        try:
            async with house:
                hub = SatelliteHub(house, SatelliteSettings(), client, speech)
                await hub.start()
                await asyncio.wait_for(hub._ready.wait(), 60)
                recs = hub.recognizers
                rooms = ("kitchen", "living_room")
                for n in range(1, 21):  # both satellites come back, as after a broker restart
                    for room in rooms:
                        _status(sats, room, True)
                    for room in rooms:
                        await announced(room, True, n)
                    await until(lambda: all(recs.has(room) for room in rooms), 20,
                                f"decoders for the rooms (return {n})", state=lambda: (
                                    f"in use {sorted(recs.by_room)}, parked "
                                    f"{sorted(recs.parked)}, building {sorted(recs._building)}, "
                                    f"alive {recs.alive}, built {recs.built}"))
                    for room in rooms:
                        _status(sats, room, False)
                    for room in rooms:
                        await announced(room, False, n)
                # The warmed spare went to one room; one decoder was built for the other; in
                # 19 more returns, both took their own back.
                assert recs.built == 1
                assert sorted(recs.parked) == sorted(rooms)
                for n in range(200):
                    _status(sats, f"fake_{n}_{uuid.uuid4().hex[:6]}", True)
                _status(sats, "office", True)
                await announced("office", True, 1)
                await until(lambda: recs.has("office"), 10, "a decoder for the office")
                assert recs.built == 1  # the office took a parked one; none for fake rooms
                assert len(recs.parked) + len(recs.by_room) <= 2
                assert hub.stats["bad_messages"] >= 200  # each fake room refused, once logged
                await hub.stop()
        finally:
            sats.loop_stop()
            sats.disconnect()
            await client.stop()
