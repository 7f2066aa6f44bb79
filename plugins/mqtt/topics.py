"""MQTT topic validation: what may go into a SUBSCRIBE or a PUBLISH.

Topics reach Samantha from the network (discovery payloads name the topics to follow and to
command). One the broker considers malformed (a NUL, invalid UTF-8, a misplaced wildcard)
makes Mosquitto drop the whole connection, and it would be sent again on every reconnect; so
every topic is checked here before it can reach paho.

Rules (MQTT 3.1.1 section 4.7 and Mosquitto's UTF-8 checks): non-empty; valid UTF-8 of at
most 65,535 bytes; no U+0000, no control characters (U+0001-U+001F, U+007F-U+009F) and no
Unicode non-characters (Mosquitto refuses them); a topic *name* (publish, or a state topic
Samantha follows) has no `+`/`#`; in a topic *filter* `+` fills a whole level and `#` only
the last one.
"""

from __future__ import annotations

import re

MAX_TOPIC_BYTES = 65_535  # the length prefix of an MQTT string is 16 bits

# Mosquitto's mosquitto_validate_utf8 refuses these code points in topics.
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]")


class InvalidTopic(ValueError):
    """A topic that must not reach the broker; the message says why."""


def topic_problem(topic: object, *, wildcards: bool = False) -> str | None:
    """Why `topic` cannot be used (None if it can). wildcards=True: a subscription filter."""
    if not isinstance(topic, str):
        return f"a topic must be text, not {type(topic).__name__}"
    if not topic:
        return "the topic is empty"
    if len(topic) > MAX_TOPIC_BYTES:  # cheap bound before encoding a huge string
        return f"the topic is longer than {MAX_TOPIC_BYTES} bytes"
    bad = _FORBIDDEN.search(topic)
    if bad is None:
        # Plane-16 non-characters (U+xFFFE/U+xFFFF above the BMP) are rare: test them apart.
        bad = next((m for m in _astral_nonchars(topic)), None)
    if bad is not None:
        char = bad if isinstance(bad, str) else bad.group()
        what = "a NUL" if char == "\x00" else f"the character U+{ord(char):04X}"
        return f"the topic contains {what}"
    if len(topic.encode("utf-8")) > MAX_TOPIC_BYTES:
        return f"the topic is longer than {MAX_TOPIC_BYTES} bytes"
    if not wildcards:
        if "+" in topic or "#" in topic:
            return "the topic contains a wildcard (+ or #) where a concrete topic is needed"
        return None
    levels = topic.split("/")
    for i, level in enumerate(levels):
        if "#" in level and (level != "#" or i != len(levels) - 1):
            return "'#' must be a whole level and the last one"
        if "+" in level and level != "+":
            return "'+' must be a whole level"
    return None


def check_topic(topic: object, *, wildcards: bool = False) -> str:
    """Return `topic` if valid; raise InvalidTopic with the reason otherwise."""
    problem = topic_problem(topic, wildcards=wildcards)
    if problem is not None:
        raise InvalidTopic(f"{problem}: {_show(topic)}")
    assert isinstance(topic, str)
    return topic


def _astral_nonchars(topic: str) -> list[str]:
    if topic.isascii():
        return []
    return [c for c in topic if ord(c) > 0xFFFF and (ord(c) & 0xFFFE) == 0xFFFE]


def _show(topic: object, limit: int = 80) -> str:
    """A short, printable rendering of a (possibly huge or binary) topic for a log line."""
    text = repr(topic)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(str(topic))} chars)"
