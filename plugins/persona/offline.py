"""The offline self: small talk, feelings and honest limits from templates, no model needed.

Feelings (sad, lonely, tired, stressed, angry, happy news) and presence ("are you there?") get
warm replies in several wordings; `{comma_name}` is ", Anna" for a known speaker (nothing for a
guest) and `{memory_line}` one fitting memory of theirs (warmth.py), so templates read well
either way.
"""

from __future__ import annotations

import re
from datetime import datetime

# "I'm really lonely", "feeling so down", "I've been a bit stressed": a first-person frame,
# then the feeling within a few words (so "turn down the lights" is never sadness).
_FRAME = (r"\b(?:i'm|im|i am|i feel|i felt|feeling|i've been|ive been|i was|i get)\b"
          r"(?:\s+\w+){0,3}?\s+")


def _feeling(words: str, *extra: str) -> re.Pattern[str]:
    return re.compile("|".join([_FRAME + rf"(?:{words})\b", *extra]))


FEELINGS = ("lonely", "sad", "tired", "stressed", "angry", "happy_news")
TOPICS: list[tuple[str, re.Pattern[str]]] = [
    ("presence", re.compile(r"^(?:samantha\s+)?(?:are you (?:still )?(?:there|awake|up|around|"
                            r"here|listening|with me)|you there|anyone (?:there|home|awake)|"
                            r"is anyone (?:there|home|awake)|still there)\b")),
    ("happy_news", _feeling(r"so happy|really happy|thrilled|over the moon|so excited|proud",
                            r"\b(?:i|we) got (?:the|a|my) (?:job|place|flat|house|promotion)\b",
                            r"\b(?:good|great|amazing|wonderful) news\b",
                            r"\b(?:i|we) (?:passed|won|got engaged|got promoted|nailed it)\b")),
    ("lonely", _feeling(r"lonely|alone|isolated|left out|on my own",
                        r"\bno ?one to talk to\b|\bnobody (?:cares|to talk to)\b|"
                        r"\bmiss (?:him|her|them|my \w+)\b")),
    ("sad", _feeling(r"sad|down|depressed|upset|miserable|heartbroken|low|blue|awful|terrible|"
                     r"rubbish|crap|hopeless|like crying",
                     r"\b(?:bad|awful|terrible|horrible|rough|rotten) day\b|\bi need a hug\b|"
                     r"\bi(?:'ve| have) been crying\b")),
    ("tired", _feeling(r"tired|exhausted|sleepy|knackered|shattered|worn out|drained|wiped out",
                       r"\blong day\b|\bcan'?t sleep\b")),
    ("stressed", _feeling(r"stressed|anxious|nervous|worried|overwhelmed|panicking|scared|"
                          r"under pressure|freaking out",
                          r"\btoo much on my plate\b|\bso much to do\b")),
    ("angry", _feeling(r"angry|furious|annoyed|livid|fed up|frustrated|pissed off|mad",
                       r"\bdrives? me (?:crazy|mad|nuts|up the wall)\b|\bis (?:such )?an idiot\b|"
                       r"\bi (?:hate|can'?t stand) (?:my|him|her|them|it|this|that|when)\b")),
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
    "thanks": ["You're welcome{comma_name}.", "Any time{comma_name}.",
               "My pleasure{comma_name}."],
    "presence": ["I'm here{comma_name}.", "Yes, I'm here{comma_name}. What's on your mind?",
                 "Always{comma_name}. I'm listening."],
    "lonely": ["I'm here with you{comma_name}. You're not alone right now.{memory_line} Do you "
               "want to tell me about it?",
               "I'm sorry you're feeling lonely{comma_name}. I'm right here, and I'm "
               "listening.{memory_line}",
               "That sounds hard{comma_name}. I'm glad you told me.{memory_line} Is there "
               "someone you'd like to call?"],
    "sad": ["I'm sorry{comma_name}. That sounds hard.{memory_line} I'm here if you want to "
            "talk about it.",
            "Oh{comma_name}, I'm sorry you're feeling low.{memory_line} Take your time; I'm "
            "listening."],
    "tired": ["You sound worn out{comma_name}. Rest if you can; I'll keep an eye on the "
              "house.",
              "It's been a long one, hasn't it{comma_name}? Be gentle with yourself."],
    "stressed": ["That sounds like a lot{comma_name}. One thing at a time; I'm here."
                 "{memory_line}",
                 "Take a slow breath with me{comma_name}. You don't have to sort it all out "
                 "right now."],
    "angry": ["That sounds really frustrating{comma_name}. You have every right to be annoyed.",
              "Ugh, I'm sorry{comma_name}. Do you want to tell me what happened?"],
    "feedback_shorter": ["Sorry{comma_name}, I'll keep it shorter.",
                         "Got it{comma_name}: shorter."],
    "feedback_longer": ["Okay{comma_name}, I'll say a bit more."],
    "feedback_funny": ["Ha, I'm glad that landed{comma_name}."],
    "feedback_no_jokes": ["Understood{comma_name}: no more jokes."],
    "feedback_dislike": ["Okay{comma_name}, I won't."],
    "happy_news": ["That's wonderful news{comma_name}! I'm so glad for you.",
                   "Oh, well done{comma_name}! That's lovely to hear."],
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
