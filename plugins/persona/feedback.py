"""What people tell the house about how it talks: "shorter please", "that was funny", a sigh.

Pure: `detect(text, last_reply)` returns the feedback in a sentence; relationship.py applies it
within the owner's bounds. Any phrasing works because this looks for the words, not a sentence
template; the model still answers the sentence (and sees the changed relationship).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["shorter", "longer", "funny", "no_jokes", "dislike"]

SHORTER = re.compile(
    r"\b(?:you talk too much|talk less|too long|too wordy|shorter(?: please| answers| replies)?|"
    r"keep it (?:short|brief)|be (?:brief|briefer|concise)|less (?:chatty|talk|words)|"
    r"get to the point|(?:stop|quit) (?:rambling|going on|talking so much)|tl;?dr|"
    r"you ramble|rambling)\b")
LONGER = re.compile(
    r"\b(?:tell me more|more detail|longer (?:answers|replies)|you can say more|"
    r"don'?t be so (?:short|brief|curt)|more than that please)\b")
FUNNY = re.compile(
    r"\b(?:that was (?:funny|hilarious|a good one)|you'?re (?:funny|hilarious)|good one|"
    r"haha+|hehe+|lol|lmao|made me laugh|that'?s funny)\b")
NO_JOKES = re.compile(
    r"\b(?:stop joking|no (?:more )?jokes|not funny|(?:don'?t|do not) joke|quit joking|"
    r"enough (?:with the )?jokes|be serious|this is(?:n'?t| not) (?:funny|a joke))\b")
DISLIKE = re.compile(
    r"\b(?:i (?:don'?t|do not) like (?:it )?when you|i hate (?:it )?when you|"
    r"please (?:don'?t|do not)|(?:don'?t|do not) ever|stop) (?P<what>[\w' ,-]{3,60})")
SIGH = re.compile(r"^\W*(?:\*?sigh\*?|ugh+|oh my god|omg|ok+ ok+)\W*$")
LONG_REPLY_WORDS = 25  # a sigh after a reply this long means "too long"


@dataclass(frozen=True)
class Feedback:
    kind: Kind
    reason: str  # why, for the log a person can read ("said 'you talk too much'")
    what: str = ""  # for a dislike: what they don't like


def detect(text: str, last_reply: str | None = None) -> list[Feedback]:
    """The feedback in one sentence (often none). Never raises."""
    lowered = " ".join(text.casefold().split())[:500]
    quoted = " ".join(text.split())[:120]
    found: list[Feedback] = []
    if SHORTER.search(lowered):
        found.append(Feedback("shorter", f"said {quoted!r}"))
    elif LONGER.search(lowered):
        found.append(Feedback("longer", f"said {quoted!r}"))
    elif SIGH.match(lowered) and last_reply and len(last_reply.split()) >= LONG_REPLY_WORDS:
        found.append(Feedback("shorter", f"sighed ({quoted!r}) after a "
                              f"{len(last_reply.split())}-word answer"))
    if NO_JOKES.search(lowered):
        found.append(Feedback("no_jokes", f"said {quoted!r}"))
    elif FUNNY.search(lowered):
        found.append(Feedback("funny", f"said {quoted!r}"))
    if not any(f.kind == "no_jokes" for f in found):
        match = DISLIKE.search(lowered)
        if match is not None:
            what = match.group("what").strip(" ,.-'")
            # "stop joking" / "stop rambling" are handled above; "stop the music" is a command
            if what and not SHORTER.search(what) and not what.startswith(("the ", "it")):
                found.append(Feedback("dislike", f"said {quoted!r}", what=what))
    return found
