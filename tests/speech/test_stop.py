""""Stop" while the house speaks cuts the spoken reply off (real espeak-ng voice, a sink that
plays in real time) before any intent matching: not HassMediaPause, the music plays on."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from speech.persona_room import persona_kitchen

from harness.openai_server import Reply, ScriptedOpenAI
from harness.waiting import until
from samantha.hardware.sinks import NullSink
from samantha.house import House
from samantha.plugins.speech.messages import ReplyStarted
from samantha.plugins.speech.service import SpeechService

CONFIG = """\
rooms: [{name: Living Room}]
devices:
  - {name: Lamp, room: Living Room, kind: light}
  - {name: Stereo, room: Living Room, kind: media_player, state: {on: true, playback: playing}}
speech:
  wake: {engine: pocketsphinx, phrases: [hey samantha]}
  stt: {engine: pocketsphinx, mode: grammar}
  tts: {engine: espeak, voice: en-us}
"""

LONG = ("Once upon a time there was a house that loved to talk, and it talked about the "
        "weather, the lights, the garden, the neighbours and the price of tea for a very long "
        "time without ever stopping for breath.")


async def test_stop_cuts_off_the_speaking_voice_and_what_was_queued(tmp_path: Path) -> None:
    cfg = tmp_path / "samantha.yaml"
    cfg.write_text(CONFIG)
    started: list[str] = []
    house = House.prepare(cfg)
    async with house:
        service = SpeechService(house, house.section("speech"), report=lambda m: started.append(
            m.text) if isinstance(m, ReplyStarted) else None)
        sink = NullSink(realtime=True)
        room = await service.add_room("living room", sink=sink)
        try:
            await house.handle_text("turn on the lamp", "living room")
            # Let the lamp's reply finish, so what the sink is given next is the long one (it
            # counts a reply's samples when it starts playing it).
            await until(lambda: started and not room.speech_tasks, 20, "the lamp's reply said")
            first = sink.samples_played
            await house.speak("living_room", LONG)
            await house.speak("living_room", "And another thing.")
            await until(lambda: sink.samples_played > first, 20, "the long reply playing")
            assert started[-1] == LONG
            assert house.activity["living_room"] == "speaking"
            length = (sink.samples_played - first) / sink.sample_rate
            assert length > 8  # seconds of speech ahead
            outcome = await house.handle_text("stop", "living room")
            cut_after = await until(lambda: not room.speech_tasks, 2, "the speech cut off")
            assert outcome.intent == "SamanthaStop" and outcome.reply == ""
            assert house.activity["living_room"] == "idle"
            assert cut_after < 1.0
            # the queued reply never started; the music was not the "stop"'s business
            assert started == ["Okay, the Lamp is on.", LONG]
            assert house.home.devices["living_room.stereo"].state["playback"] == "playing"
            # the exchange ended too: "it" no longer means the lamp
            asked = await house.handle_text("turn it off", "living room")
            assert house.home.devices["living_room.lamp"].state["on"] is True
            assert "what do you mean" in asked.reply
            # and the house speaks again afterwards
            await until(lambda: started[-1] == asked.reply, 5, "the next reply")
        finally:
            await service.stop()
    # Stopped mid-sentence, the service left no espeak-ng behind, running or unreaped (the
    # event loop that would reap it is about to close).
    assert _espeak_children() == []


def _espeak_children() -> list[str]:
    """This process's espeak-ng children (zombies too), as "pid state"."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, rest = stat.read_text().split(" (", 1)
        except OSError:
            continue  # gone meanwhile
        name, fields = rest.rsplit(") ", 1)
        state, ppid = fields.split()[:2]
        if name.startswith("espeak") and int(ppid) == os.getpid():
            found.append(f"{pid} {state}")
    return found


async def test_stop_also_drops_the_rest_of_a_reply_still_streaming_in(tmp_path: Path) -> None:
    with ScriptedOpenAI(token_interval=0.05) as server:
        server.script(Reply(text="Octopuses have three hearts and blue blood. Two hearts pump "
                                 "blood to the gills, one to the rest. They taste with their "
                                 "arms. Isn't that lovely?"))
        started: list[str] = []
        async with persona_kitchen(tmp_path, server, started.append) as (house, _room):
            story = asyncio.get_running_loop().create_task(
                house.handle_text("tell me something about octopuses", "kitchen"))
            await until(lambda: house.activity.get("kitchen") == "speaking", 20,
                        "the kitchen speaking")
            stop = await house.handle_text("stop", "kitchen")
            assert stop.intent == "SamanthaStop"
            answered = await story  # the model's turn still ends normally
            assert answered.source == "llm"
    assert started == ["Octopuses have three hearts and blue blood."]
