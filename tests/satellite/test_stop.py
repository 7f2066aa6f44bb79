""""Stop" while a satellite plays the house's reply: the hub cuts the reply off and the
satellite stops playing at once (real broker, real espeak voice, a sink that plays in real
time); before intent matching, so the room's music is not paused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.mosquitto import Mosquitto
from harness.waiting import until
from samantha.hardware.sinks import NullSink
from samantha.house import House
from samantha.plugins.mqtt.client import MqttClient
from samantha.plugins.mqtt.settings import MqttSettings
from samantha.plugins.satellite.engines import wake_engine
from samantha.plugins.satellite.hub import SatelliteHub
from samantha.plugins.satellite.satellite import Satellite
from samantha.plugins.satellite.settings import SatelliteSettings
from samantha.plugins.speech.settings import SpeechSettings

CONFIG = """\
rooms: [{name: Kitchen}]
devices:
  - {name: Radio, room: Kitchen, kind: media_player, state: {on: true, playback: playing}}
"""
LONG = ("Here is a long story about the kitchen, the garden, the neighbours, the weather and "
        "the price of tea, told slowly and at length so that nobody could possibly wait for "
        "the end of it without saying stop.")


async def test_stop_cuts_off_a_satellites_reply(tmp_path: Path) -> None:
    cfg = tmp_path / "samantha.yaml"
    cfg.write_text(CONFIG)
    events: list[dict[str, Any]] = []
    with Mosquitto(workdir=tmp_path / "broker") as broker:
        broker.start("plain")

        def client(name: str) -> MqttClient:
            return MqttClient(MqttSettings(host=broker.host, port=broker.port, client_id=name,
                                           outbox_path=tmp_path / f"{name}.db"))

        hub_client, sat_client = client("hub"), client("sat")
        await hub_client.start()
        await sat_client.start()
        speech = SpeechSettings()
        sink = NullSink(realtime=True)
        sat = Satellite("kitchen", SatelliteSettings(), speech, sat_client,
                        wake=wake_engine(speech), sink=sink, report=events.append)
        house = House.prepare(cfg)
        try:
            async with house:
                hub = SatelliteHub(house, SatelliteSettings(), hub_client)
                await hub.start()
                await sat.start()
                await until(lambda: hub.available("kitchen"), 10, "the satellite online")
                await hub._ready.wait()
                await house.speak("kitchen", LONG)
                await until(lambda: any(e["event"] == "play" for e in events), 20,
                            "the reply playing")
                play = next(e for e in events if e["event"] == "play")
                assert play["seconds"] > 8 and sat.playing
                assert house.activity["kitchen"] == "speaking"
                outcome = await house.handle_text("stop", "kitchen")
                assert outcome.intent == "SamanthaStop" and outcome.reply == ""
                cut_after = await until(lambda: not sat.playing, 2, "the satellite silent")
                assert cut_after < 1.0
                assert [e["replies"] for e in events if e["event"] == "stopped"] == [1]
                await until(lambda: house.activity["kitchen"] == "idle", 2, "the room idle")
                radio = house.home.devices["kitchen.radio"]
                assert radio.state["playback"] == "playing"  # "stop" was not about the radio
                # nothing more of that reply comes; the next one plays as usual
                await house.speak("kitchen", "Okay.")
                await until(lambda: len([e for e in events if e["event"] == "play"]) == 2, 20,
                            "the next reply")
                await hub.stop()
                await sat.stop()
        finally:
            await sat_client.stop()
            await hub_client.stop()
