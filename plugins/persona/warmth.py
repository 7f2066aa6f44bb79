"""The offline self's warmth: a fitting memory of the speaker's, and a thread to pick up later.

When the model is missing or failing, someone saying "I feel really lonely tonight" still gets
a warm reply from templates (offline.py). This adds, for a known speaker only (privacy: a guest
gets neither, docs/people.md):

- one of their own memories that fits what they said (by meaning, as the model's prompt gets
  them), in the second person: "I remember you like jasmine tea.";
- an open thread in their conversation memory, due now, so the next model turn (or the
  proactive scheduler) sees in `follow_up_now` that they said it while the house could only
  answer from templates, and asks how they are.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from samantha.plugins.people import clock

if TYPE_CHECKING:
    from .runtime import Runtime

log = logging.getLogger(__name__)

WITH_MEMORY = frozenset({"lonely", "sad", "stressed"})  # where a memory can comfort
MIN_MEMORY_SIMILARITY = 0.25  # stricter than recall for a prompt: a wrong memory here jars
IRREGULAR = {"is": "are", "has": "have", "does": "do", "was": "were", "goes": "go"}


NOT_NOUNS = frozenset({"up", "down", "out", "in", "on", "off", "to", "and", "or", "when", "with",
                       "a", "the", "so", "feel", "laugh", "smile", "calm"})


def _base(verb: str) -> str:
    """"likes" -> "like", "is" -> "are": the verb after "you"."""
    lowered = verb.casefold()
    if lowered in IRREGULAR:
        return IRREGULAR[lowered]
    if lowered.endswith("ies") and len(lowered) > 4:
        return verb[:-3] + "y"
    if lowered.endswith(("ches", "shes", "sses", "xes")):
        return verb[:-2]
    if lowered.endswith("s") and not lowered.endswith(("ss", "us")):
        return verb[:-1]
    return verb


def _pronouns(rest: str) -> str:
    """she/he -> you (and the verb after), his/her -> your before a noun, him/her -> you."""
    words = rest.split(" ")
    out: list[str] = []
    for index, word in enumerate(words):
        lowered = word.casefold()
        following = words[index + 1].casefold() if index + 1 < len(words) else ""
        if lowered in {"she", "he"}:
            word = "you"
        elif lowered in {"herself", "himself"}:
            word = "yourself"
        elif lowered == "his" or (lowered == "her" and following and following not in NOT_NOUNS):
            word = "your"
        elif lowered in {"her", "him"}:
            word = "you"
        elif out and out[-1] == "you" and index > 0 and words[index - 1].casefold() in {
                "she", "he"}:
            word = _base(word)
        out.append(word)
    return " ".join(out)


def second_person(text: str, person: str) -> str | None:
    """"Anna calls her mum when she feels lonely" -> "you call your mum when you feel lonely";
    None when the memory isn't about them."""
    text = " ".join(text.split()).rstrip(".!")
    name = re.escape(person)
    if (match := re.match(rf"^{name}'s\s+(.+)$", text, re.IGNORECASE)) is not None:
        return "your " + _pronouns(match.group(1))
    match = re.match(rf"^{name}\s+(\w+)(.*)$", text, re.IGNORECASE)
    if match is None:
        return None
    return f"you {_base(match.group(1))}" + _pronouns(match.group(2))


def memory_line(rt: Runtime, person: str | None, topic: str | None, said: str) -> str:
    """" I remember you like jasmine tea." or "" (a guest, no fitting memory, another topic)."""
    if person is None or topic not in WITH_MEMORY:
        return ""
    try:
        found = rt.memory.ranked(said, person, 3)
    except Exception as err:
        log.warning("could not look for a memory to comfort %s: %s", person, err)
        return ""
    for score, memory in found:
        if memory.person != person or score < MIN_MEMORY_SIMILARITY:
            continue  # a household fact is not a personal comfort
        spoken = second_person(memory.text, person)
        if spoken is not None:
            return f" I remember {spoken}."
    return ""


def leave_thread(rt: Runtime, person: str | None, room: str, topic: str, said: str) -> None:
    """Note that they told the offline self how they feel, to pick up when it can think."""
    if person is None:
        return
    what = said.strip()[:200]
    try:
        rt.conversations.add_thread(
            person, room, f'{person.title()} said "{what}" ({topic.replace("_", " ")}) while '
            "the house could only answer from templates: ask how they are now",
            follow_up=clock.now())
    except Exception as err:
        log.warning("could not keep a follow-up for %s: %s", person, err)
