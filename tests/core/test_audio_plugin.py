"""The audio plugin: the `audio` CLI group and LED rings following room activity."""

from __future__ import annotations

import json

from harness.cli import samantha_cli
from samantha.hardware.leds import LoggingLedRing, RoomActivity
from samantha.house import House
from samantha.plugins.audio import attach_led_ring


async def test_led_ring_shows_room_activity(demo: House) -> None:
    ring = LoggingLedRing("kitchen")
    attach_led_ring(demo, "kitchen", ring)
    await demo.set_activity("kitchen", "listening")
    await demo.set_activity("kitchen", "speaking")
    await demo.set_muted("kitchen", True)
    await demo.set_activity("office", "thinking")  # another room's ring is not touched
    assert ring.history == [RoomActivity.LISTENING, RoomActivity.SPEAKING, RoomActivity.MUTED]


async def test_broken_ring_never_breaks_the_room(demo: House) -> None:
    class Broken:
        def show(self, activity: RoomActivity) -> None:
            raise OSError("SPI bus gone")

    attach_led_ring(demo, "office", Broken())
    await demo.set_activity("office", "listening")
    assert demo.activity["office"] == "listening"
    assert not [f for f in demo.host.failures if f.hook == "samantha_room_activity"]


def test_audio_cli_is_registered_by_the_plugin() -> None:
    out = samantha_cli("audio", "devices", "--json")
    assert out.returncode == 0, out.stderr
    assert isinstance(json.loads(out.stdout), (list, dict))
