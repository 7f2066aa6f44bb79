"""A fair mood: venting about someone else is empathy, not an insult to the house; insults aimed
at the house cool it; kindness warms it. Offline (no model): the mood needs none."""

from __future__ import annotations

import pytest

from samantha.house import House
from samantha.plugins.persona.runtime import runtime_of
from samantha.plugins.persona.treatment import treatment

from .conftest import WriteConfig

VENTING = ["my boss is an idiot", "you know, my colleagues are useless and I hate them",
           "this traffic is awful, the drivers are so stupid"]
INSULTS = ["you are an idiot", "shut up, you useless machine", "Samantha, you're so stupid"]
KINDNESS = ["thank you, that's lovely", "you're wonderful", "I love you"]


@pytest.mark.parametrize(("said", "kind"), [
    *((s, "venting") for s in VENTING), *((s, "insult") for s in INSULTS),
    *((s, "kindness") for s in KINDNESS),
    ("I feel really lonely tonight", "venting"), ("I got the job!", "good_news"),
    ("I hate you", "insult"), ("can you believe my brother, he is so rude", "venting"),
    ("turn on the kitchen light", "neutral"),
])
def test_who_a_sentence_is_aimed_at(said: str, kind: str) -> None:
    assert treatment(said, frozenset({"samantha"})).kind == kind


async def mood_after(cfg: WriteConfig, sentences: list[str]) -> tuple[float, str]:
    path = cfg()
    for stale in path.parent.glob("memory.db*"):  # each phase starts from a resting mood
        stale.unlink()
    async with House.prepare(path) as house:
        for said in sentences:
            await house.handle_text(said, "kitchen")
        mood = runtime_of(house).mood
        return mood.warmth, mood.describe()


async def test_venting_is_empathy_insults_hurt_kindness_warms(write_config: WriteConfig) -> None:
    vented, feels = await mood_after(write_config, VENTING * 2)
    assert vented >= 0 and not feels.startswith("a little hurt"), feels
    insulted, feels = await mood_after(write_config, INSULTS * 2)
    assert insulted <= -0.3 and feels.startswith("a little hurt"), feels
    thanked, feels = await mood_after(write_config, KINDNESS * 2)
    assert thanked >= 0.3 and feels.startswith("warm"), feels
