"""True refusals: "I don't know a room called X" only when X was really said as a name.

A sentence the home's recognizer cannot match is tried again with unknown names allowed (hassil's
unmatched entities). That reading is a guess: a wildcard happily swallows "is the" ("is the floor
wet?"), "home" or "are any second" ("are any second floor windows open"). A refusal is only
spoken when the words taken for a room, floor or device could really be one:

- a few words, none of them words that never belong to a name ("is", "every", "anyone", ...);
- not the whole home ("home", "house": that is everywhere, not a room);
- a room or floor right before a singular device word ("the ceiling fan", "the outside
  temperature") is the start of a device's name, not a room: rooms have lights, plural;
- a device only for commands: a question about something unknown ("what is the meaning of
  life") is the persona's.

Of the readings that pass, the one with fewest unknown names, then most literal words, wins.
Everything else goes to the persona.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from hassil.recognize import RecognizeResult

MIN_LITERAL_CHARS = 5  # hassil counts matched literal characters; "the" alone is not a command
MAX_UNKNOWN_WORDS = 3
PLACE_SLOTS = {"area": "room", "floor": "floor"}
# Slots whose words are a short fixed list (the follow-up sentences' "brighter", "a bit"): when
# one of them is unmatched, the reading is wrong, whatever else it says.
CLOSED_SLOTS = frozenset({"change", "amount"})

# Intents about something to know rather than do: an unknown "device" there is usually not one.
QUESTION_INTENTS = frozenset({
    "HassGetState", "HassClimateGetTemperature", "HassGetWeather", "HassGetCurrentTime",
    "HassGetCurrentDate", "HassTimerStatus", "HassRespond", "HassNevermind", "HassBroadcast",
    "HassStartTimer", "HassCancelTimer", "HassCancelAllTimers", "HassIncreaseTimer",
    "HassDecreaseTimer", "HassPauseTimer", "HassUnpauseTimer",
})
LIST_INTENTS = frozenset({"HassListAddItem", "HassListCompleteItem", "HassListRemoveItem"})

# English words that never start, end or sit inside a room's or device's name when people speak.
NEVER_IN_NAMES = frozenset({
    "is", "are", "am", "was", "were", "be", "been", "do", "does", "did", "can", "could", "would",
    "should", "will", "shall", "may", "might", "must", "any", "all", "every", "each",
    "everything", "everyone", "everybody", "anyone", "anybody", "someone", "somebody", "no",
    "none", "what", "which", "who", "whom", "whose", "how", "why", "when", "where", "there",
    "here", "this", "that", "these", "those", "it", "its", "them", "they", "we", "us", "you",
    "your", "yours", "i", "me", "my", "mine", "our", "ours", "he", "she", "his", "her", "him",
    "please", "turn", "switch", "put", "add", "set", "make", "tell", "show", "give", "let",
    "check", "and", "or", "but", "not", "if", "then", "than", "so", "percent", "degree",
    "degrees", "kelvin", "minutes", "hours", "at", "in", "on", "to", "from", "with", "by",
    "for", "about", "into", "onto"
})
WHOLE_HOME = frozenset({"home", "house", "apartment", "flat", "everywhere"})
ARTICLES = frozenset({"the", "my", "our", "a", "an"})
# Singular device words: a room named right before one is really a device's name, and a device
# name said with one is meant with it ("the overhead light").
DEVICE_WORDS = frozenset({
    "light", "lamp", "fan", "switch", "blind", "shade", "curtain", "shutter", "awning",
    "thermostat", "heater", "lock", "door", "window", "gate", "speaker", "tv", "television",
    "radio", "sensor", "plug", "outlet", "socket", "valve", "vacuum", "mower", "camera", "alarm"
})
# What a device measures: "the outside temperature" names a sensor, not a room called outside.
MEASURE_WORDS = frozenset({"temperature", "humidity", "heating"})
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


@dataclass(frozen=True)
class Unknown:
    """A name the sentence said that the home does not have."""

    slot: str  # area, floor or name
    text: str


def _clean(text: str) -> str:
    """The words as a name: lower case, without leading articles ("the garage" -> "garage")."""
    words = text.casefold().split()
    while words and words[0] in ARTICLES:
        words = words[1:]
    return " ".join(words)


def plausible_name(text: str) -> bool:
    """Whether words a wildcard caught could be what someone calls a room, floor or device."""
    words = _WORD.findall(text.casefold())
    return (0 < len(words) <= MAX_UNKNOWN_WORDS
            and not any(w in NEVER_IN_NAMES for w in words)
            and not (len(words) == 1 and words[0] in WHOLE_HOME))


def _word_after(sentence: str, span: str) -> str | None:
    """The word right after `span` in the sentence (both as said)."""
    at = sentence.casefold().find(span.casefold())
    if at < 0:
        return None
    rest = _WORD.findall(sentence[at + len(span):].casefold())
    return rest[0] if rest else None


def _known_place(text: str, after: str | None, places: frozenset[str]) -> bool:
    """Whether words taken for an unknown room or floor hold a room or floor the home has
    ("kitchen play corner" is the kitchen's play corner; "first" + "floor" is the first floor)."""
    padded = f" {text} "
    return (after is not None and f"{text} {after}" in places) or any(
        f" {place} " in padded for place in places)


def _unknowns(sentence: str, result: RecognizeResult, language: str,
              places: frozenset[str]) -> list[Unknown] | None:
    """The result's unknown names, or None when any of them can't be a real name."""
    found = []
    for entity in result.unmatched_entities_list:
        if entity.name in CLOSED_SLOTS:
            # A word slot with a fixed vocabulary unmatched too ("turn off the lights at home"
            # read as "turn <area> lights <change>"): the sentence is not this template at all.
            return None
        if entity.name not in {"area", "floor", "name"}:
            continue
        raw = getattr(entity, "text", "")
        text = _clean(raw)
        if not plausible_name(text):
            return None
        after = _word_after(sentence, raw.strip()) if language == "en" else None
        if entity.name in PLACE_SLOTS and (after in DEVICE_WORDS or after in MEASURE_WORDS
                                           or text.split()[-1] in DEVICE_WORDS
                                           or _known_place(text, after, places)):
            return None  # "the ceiling fan": a device's name, not a room with a fan
        if entity.name == "name" and after in DEVICE_WORDS and not text.endswith(after):
            text = f"{text} {after}"  # "the overhead light": the name the person used
        found.append(Unknown(entity.name, text))
    return found or None


def refusal(sentence: str, results: Iterable[RecognizeResult], language: str,
            places: Iterable[str] = (), devices: Iterable[str] = ()) -> str | None:
    """A true "I don't know a ... called ..." for a sentence, or None (the persona's).

    `places` are the names and aliases of the home's rooms and floors, `devices` its devices'.
    """
    known = frozenset(_clean(p) for p in places)
    things = known | frozenset(_clean(d) for d in devices)
    readings: list[tuple[tuple[int, int], str, list[Unknown]]] = []
    for result in results:
        if result.text_chunks_matched < MIN_LITERAL_CHARS:
            continue
        unknowns = _unknowns(sentence, result, language, known)
        if not unknowns or any(u.text in things for u in unknowns):
            continue  # "the temperature of the furnace" where the furnace is a sensor here
        said = _reply(result.intent.name, unknowns)
        if said is not None:
            readings.append(((len(unknowns), -result.text_chunks_matched), said, unknowns))
    if not readings:
        return None
    _rank, said, unknowns = min(readings, key=lambda r: r[0])
    place = next((u for u in unknowns if u.slot in PLACE_SLOTS), None)
    if place is not None and any(u.slot == "name" and u.text == place.text
                                 for r in readings for u in r[2]):
        # "play corner lights": a room's lights or a device called that; both are unknown
        return f"I don't know a room or a device called {place.text}."
    return said


def _reply(intent: str, unknowns: list[Unknown]) -> str | None:
    for unknown in unknowns:
        if unknown.slot in PLACE_SLOTS:
            # "on the second floor" read as a room is still a floor
            kind = "floor" if unknown.text.endswith(" floor") or unknown.text in (
                "upstairs", "downstairs") else PLACE_SLOTS[unknown.slot]
            return f"I don't know a {kind} called {unknown.text}."
    if intent in QUESTION_INTENTS:
        return None
    what = "list" if intent in LIST_INTENTS else "device"
    return f"I don't know a {what} called {unknowns[0].text}."
