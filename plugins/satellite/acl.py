"""A Mosquitto ACL confining each satellite to its own site (username = room = siteId).

Hermes puts the siteId in the topic for audio, so `pattern ... %u` confines audio both ways. Wake
detections, captured text and the hub's listen/stop orders share one topic for all sites (the
siteId is in the JSON): a satellite may publish detections and read orders there, and the hub
ignores what does not come from a room of the home; it cannot stop a compromised satellite from
claiming another room's wake. That is Hermes' limit, documented in docs/satellites.md.
"""

from __future__ import annotations

from collections.abc import Iterable

SATELLITE_WRITES = ("hermes/hotword/+/detected", "hermes/asr/textCaptured")
SATELLITE_READS = ("hermes/asr/startListening", "hermes/asr/stopListening",
                   "hermes/hotword/toggleOn", "hermes/hotword/toggleOff",
                   "hermes/dialogueManager/sessionEnded")


def mosquitto_acl(rooms: Iterable[str], *, hub_user: str = "samantha",
                  status_topic: str = "samantha/satellite",
                  hub_topics: Iterable[str] = ("hermes/#", "samantha/#", "homeassistant/#")
                  ) -> str:
    """The text of an `acl_file`: the hub's user, then one user per satellite room."""
    lines = ["# Samantha: the hub, then one user per satellite (username = room = siteId).",
             f"user {hub_user}"]
    lines += [f"topic readwrite {topic}" for topic in hub_topics]
    for room in rooms:
        lines += ["", f"user {room}"]
        lines += [f"topic write {topic}" for topic in SATELLITE_WRITES]
        lines += [f"topic read {topic}" for topic in SATELLITE_READS]
    lines += ["", "# Every user, with %u replaced by its username: its own audio and status only.",
              "pattern readwrite hermes/audioServer/%u/#",
              f"pattern readwrite {status_topic}/%u/#"]
    return "\n".join(lines) + "\n"
