"""A persona that grows: feedback changes the relationship with a person (kept across days and
restarts), the next system prompt and reply limit show it, the owner's bounds hold, and
`samantha persona status --person` tells what changed and why."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from harness.cli import samantha_cli
from harness.openai_server import Received, Reply, ScriptedOpenAI
from samantha.house import House
from samantha.plugins.people import clock
from samantha.plugins.persona.care import relationship

from .conftest import WriteConfig, llm_block

JOKE = "Why did the lamp break up with the switch? It felt turned off."


@pytest.fixture(autouse=True)
def evening() -> Iterator[None]:
    """19:00 tomorrow; each test moves on by whole days."""
    clock.reset()
    target = (datetime.now() + timedelta(days=1)).replace(hour=19, minute=0, second=0)
    clock.advance(target.timestamp() - time.time())
    yield
    clock.reset()


def chats(server: ScriptedOpenAI) -> list[Received]:
    return [r for r in server.requests if len(r.messages) > 1
            and r.messages[1]["content"].startswith("HOUSE DATA")]


def system(request: Received) -> str:
    return str(request.messages[0]["content"])


def data(request: Received) -> dict:
    return json.loads(request.messages[1]["content"].split("\n", 1)[1])


def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env["SAMANTHA_DATA_DIR"] = str(tmp_path / "data")
    return env


async def test_talking_too_much_three_times_changes_the_prompt_and_the_limit_for_days(
        server: ScriptedOpenAI, write_config: WriteConfig, tmp_path: Path) -> None:
    cfg = write_config(llm_block(server.base_url, timeout=3, first_sentence_timeout=2))
    async with House.prepare(cfg) as house:
        await house.handle_text("I walked by the river this afternoon", "living room")
        for _ in range(3):
            server.script(Reply(text="Sorry. I will try to say less, and keep my answers "
                                "short from now on, because I know that long answers are "
                                "tiring to listen to at the end of a day."))
            await house.handle_text("you talk too much", "living room")
        await house.handle_text("what should I cook tonight", "living room")
        first, after = chats(server)[0], chats(server)[-1]
        assert "Answer in one or two short sentences" in system(first)
        assert first.body["max_tokens"] == 300  # nobody asked for a length yet
        assert system(after) != system(first)
        assert "Answer in one short sentence" in system(after)
        assert "Anna asked for shorter replies 3 times" in system(after)
        assert after.body["max_tokens"] == 60
        assert data(after)["relationship"]["reply_length"] == "terse"
        # A joke they laugh at becomes a shared reference; "stop joking" stops the jokes.
        server.script(Reply(text=JOKE))
        await house.handle_text("tell me something silly", "living room")
        await house.handle_text("haha that was funny", "living room")
        assert JOKE in data(chats(server)[-1])["relationship"]["shared_references"]
        await house.handle_text("ok stop joking now please", "living room")
        await house.handle_text("please don't call me sweetie", "living room")
        last = chats(server)[-1]
        assert "No jokes with Anna (Anna asked you to stop joking)" in system(last)
        assert data(last)["relationship"]["asked_you_not_to"] == ["call me sweetie"]
        assert "sweetie" not in system(last) and JOKE not in system(last)  # data, not rules
        familiarity_day1 = relationship(house, "anna").familiarity
    clock.advance(2 * 86400)  # two days later, after a restart
    async with House.prepare(cfg) as house:
        server.requests.clear()
        await house.handle_text("good evening, I'm home", "living room")
        later = chats(server)[-1]
        assert "Answer in one short sentence" in system(later) and later.body["max_tokens"] == 60
        assert "No jokes with Anna" in system(later)
        assert relationship(house, "anna").familiarity > familiarity_day1
    out = samantha_cli("persona", "status", "--person", "anna", "-c", str(cfg), "--json",
                       env=cli_env(tmp_path))
    assert out.returncode == 0, out.stderr
    status = json.loads(out.stdout)
    lengths = [e for e in status["events"] if e["what"] == "reply length"]
    assert lengths[0]["reason"] == "said 'you talk too much'"
    assert len(lengths) == 3 and (lengths[0]["before"], lengths[0]["after"]) == ("brief",
                                                                                "terse")
    assert {e["what"] for e in status["events"]} >= {"reply length", "humour", "dislike",
                                                     "shared reference"}
    assert status["relationship"]["verbosity"] == "terse"
    text = samantha_cli("persona", "status", "--person", "anna", "-c", str(cfg),
                        env=cli_env(tmp_path)).stdout
    assert "reply length: brief -> terse  because anna said 'you talk too much'" in text
    assert "humour" in text and "limit 60 tokens" in text


async def test_the_owner_bounds_hold_and_a_guest_changes_nothing(
        server: ScriptedOpenAI, write_config: WriteConfig) -> None:
    cfg = write_config(llm_block(server.base_url, timeout=3, first_sentence_timeout=2))
    cfg.write_text(cfg.read_text().replace(
        "      style: Speaks softly.\n",
        "      style: Speaks softly.\n      growth: {shortest: brief, humour_min: 0.3}\n"))
    async with House.prepare(cfg) as house:
        for said in ("you talk too much", "shorter please", "stop joking"):
            await house.handle_text(said, "living room")
        last = chats(server)[-1]
        assert "Answer in one or two short sentences" in system(last)  # held at brief
        assert "No jokes" not in system(last)  # humour never below 0.3
        held = relationship(house, "anna")
        assert held.verbosity == "brief" and held.humour == pytest.approx(0.3)
        events = house_events(house)
        assert "held at the owner's limit: brief..chatty" in events[0]["reason"]
        before = len(events)
        from samantha.plugins.people.speaker import speaking

        with speaking(None, 0.1):  # a guest's feedback is nobody's relationship
            await house.handle_text("you talk too much", "living room")
        assert len(house_events(house)) == before


def house_events(house: House) -> list[dict]:
    from samantha.plugins.persona.runtime import runtime_of

    return runtime_of(house).relationships.events("anna")
