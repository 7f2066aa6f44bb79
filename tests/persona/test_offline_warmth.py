"""Offline warmth: with no model server at all, feelings, "are you there?" and thanks get warm
replies with the person's name and, where it fits, one of their own memories; a guest gets
neither; and an open thread waits for the model to follow up."""

from __future__ import annotations

import json

from harness.openai_server import Reply, ScriptedOpenAI
from samantha.house import House
from samantha.plugins.people.speaker import speaking
from samantha.plugins.persona.runtime import runtime_of
from samantha.plugins.persona.sentences import SentenceSplitter

from .conftest import WriteConfig, llm_block

FEELINGS = {
    "I feel really lonely tonight": "lonely",
    "I'm so sad today": "sad",
    "I'm exhausted": "tired",
    "I'm really stressed about work": "stressed",
    "my boss is an idiot, he drives me crazy": "angry",
    "I got the job!": "happy_news",
}


async def test_feelings_offline_get_warmth_a_memory_and_a_thread(
        write_config: WriteConfig) -> None:
    async with House.prepare(write_config()) as house:  # no model configured anywhere
        rt = runtime_of(house)
        rt.memory.add("Anna calls her mum when she feels lonely", "anna")
        rt.memory.add("the bins go out on tuesday")  # the household's: not a comfort
        lonely = await house.handle_text("I feel really lonely tonight", "living room")
        assert lonely.source == "offline"
        assert "didn't understand" not in lonely.reply and "think deeply" not in lonely.reply
        assert "Anna" in lonely.reply
        assert "I remember you call your mum when you feel lonely." in lonely.reply
        replies = {}
        for said in FEELINGS:
            replies[said] = (await house.handle_text(said, "living room")).reply
        for said, reply in replies.items():
            assert "didn't understand" not in reply and "Anna" in reply, (said, reply)
        assert "wonderful" in replies["I got the job!"] or "well done" in replies[
            "I got the job!"]
        again = await house.handle_text("I feel really lonely tonight", "living room")
        assert again.reply != lonely.reply  # several wordings, in turn
        for said in ("are you there?", "are you awake?"):
            present = await house.handle_text(said, "living room")
            assert present.reply.startswith(("I'm here", "Yes, I'm here", "Always")), \
                present.reply
            assert "Anna" in present.reply
        thanks = await house.handle_text("thank you", "living room")
        assert "Anna" in thanks.reply and "didn't understand" not in thanks.reply
        threads = rt.conversations.threads("anna")
        assert any("I feel really lonely tonight" in t.text and "lonely" in t.text
                   for t in threads)
        assert {t.person for t in threads} == {"anna"}


async def test_a_guest_gets_warmth_but_no_name_no_memory_and_no_thread(
        write_config: WriteConfig) -> None:
    async with House.prepare(write_config()) as house:
        rt = runtime_of(house)
        rt.memory.add("Anna calls her mum when she feels lonely", "anna")
        with speaking(None, 0.2):
            reply = (await house.handle_text("I feel really lonely tonight",
                                             "living room")).reply
        assert "didn't understand" not in reply
        assert "lonely" in reply.casefold() or "not alone" in reply
        assert "Anna" not in reply and "mum" not in reply
        assert rt.conversations.threads("anna") == []


async def test_the_thread_reaches_the_model_when_it_is_back(
        server: ScriptedOpenAI, write_config: WriteConfig) -> None:
    cfg = write_config(llm_block("http://127.0.0.1:9/v1", timeout=2, first_sentence_timeout=1))
    async with House.prepare(cfg) as house:  # a model configured, but nothing listening
        failed = await house.handle_text("I feel really lonely tonight", "living room")
        assert failed.source == "offline" and "Anna" in failed.reply
        assert "think deeply" not in failed.reply
    cfg = write_config(llm_block(server.base_url, timeout=3, first_sentence_timeout=2))
    async with House.prepare(cfg) as house:  # the model is back
        server.script(Reply(text="Hi Anna. How are you feeling now?"))
        await house.handle_text("hello again, what a day", "living room")
        data = json.loads(server.requests[-1].messages[1]["content"].split("\n", 1)[1])
        assert any("I feel really lonely tonight" in t["about"] for t in data["follow_up_now"])


async def test_offline_replies_get_shorter_after_you_talk_too_much(
        write_config: WriteConfig) -> None:
    async with House.prepare(write_config()) as house:
        before = await house.handle_text("I feel really lonely tonight", "living room")
        assert len(SentenceSplitter().feed(before.reply + " ")) >= 2
        for _ in range(3):
            ack = await house.handle_text("you talk too much", "living room")
            assert "shorter" in ack.reply and "Anna" in ack.reply  # in its own words
        after = await house.handle_text("I feel really lonely tonight", "living room")
        assert len(SentenceSplitter().feed(after.reply + " ")) == 1 and "Anna" in after.reply
