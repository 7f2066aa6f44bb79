"""The precompiled recognizer gives exactly plain hassil's answers, only faster."""

from __future__ import annotations

import random

from hassil import recognize_best

from samantha.house import BEST_METADATA, BEST_SLOT, House
from samantha.sampling import sample_intents

EXTRA = ["turn on the lights", "turn on the Kitchen-Ceiling-Light", "set the desk lamp to 55%",
         "set the desk lamp brightness to fifty five percent", "what's the temperature",
         "open the living room blinds to 30%", "is the front door locked", "never mind",
         "good night", "turn off the lights upstairs", "the purple elephant sings", "",
         "turn on the lights in the garage", "TURN OFF THE HALL LIGHT!", "set timer for 5 minutes"]


async def test_same_results_as_hassil_on_sampled_sentences(demo: House) -> None:
    ours = demo.recognizer()
    rng = random.Random(3)
    rooms = list(demo.home.rooms)
    sentences = [t for _, t in sample_intents(ours.intents, ours.slot_lists, per_template=1,
                                              seed=11)]
    sentences = rng.sample(sentences, 250) + EXTRA
    kwargs = {"best_metadata_key": BEST_METADATA, "best_slot_name": BEST_SLOT}
    recognized = 0
    for text in sentences:
        room = rng.choice(rooms)
        a = recognize_best(text, ours.intents, slot_lists=ours.slot_lists,
                           intent_context={"area": room}, language="en", **kwargs)
        b = ours.recognize_best(text, {"area": room}, **kwargs)
        assert (a is None) == (b is None), text
        if a and b:
            recognized += 1
            assert a.intent.name == b.intent.name, text
            assert {k: v.value for k, v in a.entities.items()} == {
                k: v.value for k, v in b.entities.items()}, text
    assert recognized > 150  # the comparison means something only if most sentences match


async def test_recognizer_follows_home_changes(demo: House) -> None:
    first = demo.recognizer()
    assert demo.recognizer() is first
    demo.home.ensure_room("Garage")
    assert demo.recognizer() is not first
    outcome = await demo.handle_text("turn on the lights in the garage", "kitchen")
    assert outcome.reply == "There are no lights in the Garage."
