"""The offline self: small talk and honest limits from templates, no model needed."""

from __future__ import annotations

import re
from datetime import datetime

TOPICS: list[tuple[str, re.Pattern[str]]] = [
    ("greeting", re.compile(r"^(hi|hello|hey|hiya|good (morning|afternoon|evening)|howdy)\b")),
    ("how_are_you", re.compile(r"\bhow are you\b|\bhow('s| is) it going\b|\bhow do you feel\b")),
    ("thanks", re.compile(r"\b(thanks|thank you|cheers)\b")),
    ("who_are_you", re.compile(r"\b(who are you|what('s| is) your name|what are you)\b")),
    ("time", re.compile(r"\bwhat time is it\b|\bwhat('s| is) the time\b")),
    ("date", re.compile(r"\bwhat day is (it|today)\b|\bwhat('s| is) the date\b")),
    ("joke", re.compile(r"\b(tell me a joke|make me laugh|something funny)\b")),
    ("abilities", re.compile(r"\bwhat can you do\b|\bhelp me\b|^help$")),
    ("goodbye", re.compile(r"^(bye|goodbye|see you|see ya)\b")),
    ("love", re.compile(r"\bi love you\b")),
]

DEFAULT_LINES: dict[str, list[str]] = {
    "greeting": ["Hi, I'm here.", "Hello. What can I do for you?"],
    "how_are_you": ["I'm well, thank you. The house is {mood}, and so am I."],
    "thanks": ["You're welcome.", "Any time."],
    "who_are_you": ["I'm {name}. I look after this home with you."],
    "time": ["It's {time}."],
    "date": ["It's {date}."],
    "joke": ["I'd tell you a joke about the thermostat, but it runs hot and cold."],
    "abilities": ["I can switch lights and fans, open blinds, set the heating, tell you what's "
                  "on, and remember things for you. Just ask."],
    "goodbye": ["Bye for now.", "See you later."],
    "love": ["That's kind of you. I'm glad to be here."],
    "not_understood": ["Sorry, I didn't understand that."],
}


def topic_of(text: str) -> str | None:
    lowered = " ".join(re.sub(r"[^\w\s']", " ", text.casefold()).split())
    for topic, pattern in TOPICS:
        if pattern.search(lowered):
            return topic
    return None


def clock_values(now: datetime | None = None) -> dict[str, str]:
    now = now or datetime.now()
    hour = now.hour % 12 or 12
    return {"time": f"{hour}:{now.minute:02d} {'in the morning' if now.hour < 12 else 'pm'}",
            "date": now.strftime("%A, %B ") + str(now.day)}
