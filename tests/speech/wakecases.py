"""What the wake tests and the wake benchmark say to the rooms: commands and ordinary talk."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

# Commands of the example houses; the wake tests need their first words, not the grammar.
COMMANDS = ["turn off the lights", "turn on the kitchen lights", "close the kitchen blinds",
            "turn off the reading lamp", "set the thermostat to twenty two degrees",
            "what is the temperature in the living room", "turn on the desk lamp",
            "dim the ceiling light to thirty percent"]

# Ordinary talk without the wake phrase; a third of it names Samantha.
ORDINARY = ["I told Samantha about it", "samantha is my sister's name",
            "have you seen samantha today", "Samantha and I went to the market",
            "call samantha later", "hey sam can you pass the salt",
            "what is the weather like today", "turn on the kitchen lights",
            "the meeting starts at nine", "I think we should paint the hallway",
            "hey there how are you", "my name is Sam Anthony", "did you feed the cat",
            "let's have pasta for dinner", "the bus was late again this morning",
            "can you hear the rain outside", "she said hey to everyone",
            "I need to buy more coffee", "that movie was really good", "hey man what's up",
            "Samantha's car is in the garage", "we could go hiking on Saturday",
            "the kids are asleep upstairs", "where did I leave my keys",
            "hey and hello are greetings", "please close the door behind you",
            "semantics is a hard subject", "the manta ray swam past",
            "say hi to Samantha for me", "I like the new sofa"]

TUNED_VOICES = ("slt", "rms", "awb")
HELD_OUT_VOICES = ("kal", "kal16", "joe")  # joe: piper's en_US voice


def background(samples: np.ndarray, seconds: float = 5.0, lead: float = 0.25) -> np.ndarray:
    """The recording's first `lead` seconds (its room before anyone speaks; the corpus leads
    with 0.3 s) repeated: a room's microphone runs all the time, so engines have heard the
    room's background before."""
    quiet = samples[: int(lead * 16000)]
    return np.tile(quiet, int(seconds / lead) + 1)[: int(seconds * 16000)]


def chunks(samples: np.ndarray, size: int = 512) -> Iterator[tuple[int, bytes]]:
    """(end sample, pcm) blocks as a room's microphone delivers them."""
    pcm = samples.astype("<i2").tobytes()
    for start in range(0, len(pcm), size * 2):
        block = pcm[start:start + size * 2]
        yield (start + len(block)) // 2, block
