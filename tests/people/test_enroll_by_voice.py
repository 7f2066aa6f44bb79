"""Learning a voice by voice, with real synthetic voices (flite slt = Anna, rms = Ben, awb = a
stranger) through the identification API the speech pipelines call: `heard` then `respond`."""

from __future__ import annotations

import subprocess
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from samantha.house import House
from samantha.plugins.people.enrollment import ASK_WHO, NO_AUDIO, enrollment_of
from samantha.plugins.people.identify import heard, respond
from samantha.plugins.people.speaker import MIN_SCORE

RATE = 16000
SENTENCES = [
    "This morning I walked the dog along the river before breakfast.",
    "We are planning a small garden party for the neighbours next month.",
    "My favourite book is about a sailor who crosses the ocean alone.",
    "Could you play some quiet music while I am cooking dinner?",
]
HOUSE = """\
name: Voices
rooms: [{name: Kitchen}, {name: Office}]
devices: [{name: Kitchen Light, room: Kitchen, kind: light}]
people:
  anna: {aliases: [annie]}
  ben: {rooms: [Kitchen]}
persona: {memory: {path: memory.db, by_meaning: false}}
"""


def pcm(tmp: Path, voice: str, text: str) -> bytes:
    raw, out = tmp / "raw.wav", tmp / "out.wav"
    subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(raw)], check=True,
                   timeout=60)
    subprocess.run(["sox", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(out)],
                   check=True, timeout=60)
    with wave.open(str(out), "rb") as w:
        return w.readframes(w.getnframes())


@pytest.fixture(scope="module")
def voices(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[bytes]]:
    tmp = tmp_path_factory.mktemp("enroll-voices")
    return {voice: [pcm(tmp, voice, text) for text in SENTENCES] for voice in ("slt", "rms", "awb")}


@pytest.fixture
async def house(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[House]:
    monkeypatch.setenv("SAMANTHA_DATA_DIR", str(tmp_path / "data"))
    (tmp_path / "house.yaml").write_text(HOUSE)
    async with House.prepare(tmp_path / "house.yaml") as running:
        yield running


async def say(house: House, room: str, text: str, audio: bytes = b"") -> str:
    """As a speech pipeline does: who spoke (from the audio), then handle the sentence."""
    voice = await heard(house, audio, RATE) if audio else None
    return (await respond(house, text, room, voice, audio, RATE)).reply


async def test_three_sentences_teach_a_voice_and_the_house_then_knows_it(
        house: House, voices: dict[str, list[bytes]]) -> None:
    slt, rms = voices["slt"], voices["rms"]
    assert NO_AUDIO in await say(house, "office", "learn my voice")  # typed: nothing heard
    assert (await say(house, "office", "learn my voice", slt[0])).endswith(ASK_WHO)
    started = await say(house, "office", "this is annie", slt[0])
    assert "Anna" in started and started.endswith("What's the first one?")
    assert "bit short" in await say(house, "office", "hello", slt[0][: RATE])  # 0.5 s
    assert "that's one" in await say(house, "office", "", slt[0])  # words need not be caught
    other = await say(house, "office", "turn on the kitchen light", rms[1])
    assert "same voice" in other
    assert house.home.devices["kitchen.kitchen_light"].state["on"] is False  # a sample only
    assert "that's two" in await say(house, "office", "something", slt[1])
    assert "I know your voice now" in await say(house, "office", "more", slt[2])
    assert "office" not in enrollment_of(house).sessions
    anna = await heard(house, slt[3], RATE)
    assert anna is not None and anna.person == "anna" and anna.score >= MIN_SCORE
    await say(house, "kitchen", "turn on the kitchen light", slt[3])  # a command again
    assert house.home.devices["kitchen.kitchen_light"].state["on"] is True
    stranger = await heard(house, voices["awb"][3], RATE)
    assert stranger is not None and stranger.person is None


async def test_a_known_voice_is_never_taken_over_and_forget_my_voice_erases_it(
        house: House, voices: dict[str, list[bytes]]) -> None:
    slt, rms, awb = voices["slt"], voices["rms"], voices["awb"]
    await say(house, "office", "this is anna", slt[0])
    for sample in slt[:3]:
        await say(house, "office", "", sample)
    # A stranger claiming to be Anna cannot replace her voice.
    hijack = await say(house, "office", "this is anna learn my voice", awb[0])
    assert "only Anna can teach it" in hijack and not enrollment_of(house).sessions
    # Ben's room, Ben's voice, not enrolled yet: a voice the house does not know is a guest.
    assert await say(house, "kitchen", "learn my voice", rms[0]) == ASK_WHO
    await say(house, "kitchen", "my name is ben", rms[0])
    assert "stopped" in await say(house, "kitchen", "stop", rms[1])  # changed his mind
    await say(house, "kitchen", "my name is ben", rms[0])
    replies = [await say(house, "kitchen", "", sample) for sample in rms[:3]]
    assert "Thank you, Ben" in replies[-1]
    assert "sound like Anna" in await say(house, "kitchen", "this is ben", slt[3])
    ben = await heard(house, rms[3], RATE)
    assert ben is not None and ben.person == "ben"
    # Anna, in her own voice, can teach it again; and forget it.
    assert "What's the first one?" in await say(house, "office", "this is anna", slt[3])
    assert "stopped" in await say(house, "office", "cancel", slt[3])
    assert "forgotten your voice" in await say(house, "office", "forget my voice", slt[3])
    gone = await heard(house, slt[3], RATE)
    assert gone is not None and gone.person is None  # only Ben's voice is left
