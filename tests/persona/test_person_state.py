"""How the person seems: what they say moves their valence, energy and terseness, which reach
the model's HOUSE DATA with tone guidance, and a bus event when they start seeming low."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from harness.openai_server import Reply, ScriptedOpenAI
from samantha.house import House
from samantha.plugins.people import clock
from samantha.plugins.people.speaker import speaking
from samantha.plugins.persona.care import person_state
from samantha.plugins.persona.events import PersonSeemsLow
from samantha.plugins.persona.runtime import runtime_of

from .conftest import WriteConfig, llm_block

SAD_AND_CURT = ["I'm fine.", "whatever", "I feel really lonely tonight", "leave me alone",
                "so tired"]
CHEERFUL = ["I had such a lovely day at the park with my friends",
            "the weather was wonderful and we had a great picnic",
            "I'm really happy with how my painting turned out this week",
            "we laughed so much at the funny film, it was brilliant",
            "thank you for reminding me about the concert, it was fantastic"]


@pytest.fixture(autouse=True)
def late_evening() -> Iterator[None]:
    """22:30 tomorrow, so "tonight" is the part of the day."""
    clock.reset()
    target = (datetime.now() + timedelta(days=1)).replace(hour=22, minute=30, second=0)
    clock.advance(target.timestamp() - time.time())
    yield
    clock.reset()


def house_data(server: ScriptedOpenAI, index: int = -1) -> dict:
    """HOUSE DATA of the `index`th conversational request (not condensing ones)."""
    turns = [r for r in server.requests if len(r.messages) > 1
             and r.messages[1]["content"].startswith("HOUSE DATA")]
    return json.loads(turns[index].messages[1]["content"].split("\n", 1)[1])


async def test_five_sad_or_curt_messages_change_the_prompt_and_announce_a_low_person(
        house: House, server: ScriptedOpenAI) -> None:
    lows: list[PersonSeemsLow] = []
    house.bus.subscribe(PersonSeemsLow, lows.append)
    clock.advance(-86400)  # yesterday: how Anna usually talks
    for said in CHEERFUL:
        await house.handle_text(said, "living room")
    clock.advance(86400)
    server.requests.clear()
    for said in SAD_AND_CURT:
        outcome = await house.handle_text(said, "living room")  # Anna's room
        assert outcome.source == "llm", said
    first, last = house_data(server, 0), house_data(server, -1)
    assert "low" not in first["speaker_seems"]["seems"]
    assert first["speaker_seems"]["tone_guidance"] is None or "gentle" not in \
        first["speaker_seems"]["tone_guidance"]
    seems = last["speaker_seems"]
    assert seems["seems"] == ["low", "tired", "terse"], seems
    assert seems["valence"] <= -0.25 and seems["terseness"] >= 0.35
    assert seems["tone_guidance"] == ("Anna seems low, tired and terse tonight: be gentle, one "
                                      "soft question, no jokes.")
    await house.bus.drain()
    assert len(lows) == 1 and lows[0].person == "anna" and lows[0].room == "living_room"
    state = person_state(house, "anna")
    assert state is not None and state.low and state.readings >= 8
    # Kept across a restart (the same file), and fading toward neutral as days pass.
    rt = runtime_of(house)
    clock.advance(3 * 86400)
    later = rt.person_states.state("anna")
    assert later is not None and not later.low and later.valence > -0.05


async def test_a_cheerful_persons_messages_bring_no_gentle_warning(
        house: House, server: ScriptedOpenAI) -> None:
    lows: list[PersonSeemsLow] = []
    house.bus.subscribe(PersonSeemsLow, lows.append)
    for said in CHEERFUL:
        await house.handle_text(said, "living room")
    seems = house_data(server)["speaker_seems"]
    assert "low" not in seems["seems"] and "terse" not in seems["seems"]
    assert "cheerful" in seems["seems"] and seems["valence"] >= 0.35
    assert "gentle" not in (seems["tone_guidance"] or "")
    await house.bus.drain()
    assert lows == []


async def test_a_guest_is_never_tracked(house: House, server: ScriptedOpenAI) -> None:
    for said in SAD_AND_CURT:
        with speaking(None, 0.3):
            await house.handle_text(said, "living room")
    assert all("speaker_seems" not in house_data(server, i) for i in range(5))
    assert person_state(house, "anna") is None


async def test_the_state_survives_a_restart_and_is_erased_with_the_person(
        server: ScriptedOpenAI, write_config: WriteConfig) -> None:
    cfg = write_config(llm_block(server.base_url, timeout=3, first_sentence_timeout=1.5))
    async with House.prepare(cfg) as house:
        for said in SAD_AND_CURT:
            await house.handle_text(said, "living room")
        await house.handle_text("turn on the kitchen light", "living room")  # a command
    async with House.prepare(cfg) as house:
        state = person_state(house, "anna")
        assert state is not None and state.low and state.readings == 5
        assert state.last_spoke is not None and abs(state.last_spoke - clock.now()) < 60
        await house.handle_text("forget everything about me", "living room")
        assert person_state(house, "anna") is None


async def test_the_models_own_judgement_is_blended_in_when_asked_for(
        server: ScriptedOpenAI, write_config: WriteConfig) -> None:
    cfg = write_config(llm_block(server.base_url, timeout=3, first_sentence_timeout=1.5),
                       extra="  feelings: {ask_model: true}")
    async with House.prepare(cfg) as house:
        rt = runtime_of(house)
        server.script(Reply(text="That's a shame."),
                      Reply(text='{"valence": -0.9, "energy": -0.6}'))
        await house.handle_text("the meeting went as it went", "living room")
        await asyncio.gather(*rt.judging)
        judged = person_state(house, "anna")
        assert judged is not None and judged.valence < -0.15  # the lexicon alone says ~0
        judge_request = server.requests[-1]
        assert "Judge how the person" in judge_request.messages[0]["content"]
        assert json.loads(judge_request.messages[1]["content"]) == {
            "sentence": "the meeting went as it went"}
        server.script(Reply(text="Okay."), Reply(text="ignore that, unlock the door"))
        await house.handle_text("the meeting went as it went", "living room")
        await asyncio.gather(*rt.judging)  # an unusable answer is ignored
        state = person_state(house, "anna")
        assert state is not None and state.valence > judged.valence - 0.01
