"""A Mosquitto ACL confining each satellite to its own room (username = room = siteId).

Every topic a satellite uses carries its room: audio (`hermes/audioServer/<site>/...`, as in
Hermes), its status, and Samantha's per-room topics for wakes, captured text and the hub's
orders (plugins/satellite/topics.py). So `pattern ... %u` lines give each satellite's user its
own room and nothing else; the hub's user reads and writes everything.

With `shared_topics=True` (Rhasspy satellites) each room's user may also use Hermes' shared
wake/text/order topics, where the siteId is only in the JSON: then a compromised satellite can
claim another room's wake. That is Hermes' limit, documented in docs/satellites.md.
"""

from __future__ import annotations

from collections.abc import Iterable

from samantha.plugins.satellite import hermes
from samantha.plugins.satellite.topics import SATELLITE_SENDS, SATELLITE_TAKES, SiteTopics


def _shared(cls: type[hermes.HermesMessage]) -> str:
    return cls.subscription()


def mosquitto_acl(rooms: Iterable[str], *, hub_user: str = "samantha",
                  status_topic: str = "samantha/satellite", site_topic: str = "samantha/site",
                  shared_topics: bool = False,
                  hub_topics: Iterable[str] = ("hermes/#", "samantha/#", "homeassistant/#")
                  ) -> str:
    """The text of an `acl_file`: the hub's user, then what each satellite's user may do."""
    lines = ["# Samantha: the hub, then each satellite (username = room = siteId).",
             f"user {hub_user}"]
    lines += [f"topic readwrite {topic}" for topic in hub_topics]
    if shared_topics:
        for room in rooms:
            lines += ["", f"# {room}: Hermes' shared topics (any room's siteId fits in them)",
                      f"user {room}"]
            lines += [f"topic write {_shared(cls)}" for cls in SATELLITE_SENDS]
            lines += [f"topic read {_shared(cls)}" for cls in SATELLITE_TAKES]
    lines += ["", "# Every user, with %u replaced by its username: its own room only."]
    lines += SiteTopics(site_topic).acl_patterns(SATELLITE_SENDS, SATELLITE_TAKES)
    lines += ["pattern readwrite hermes/audioServer/%u/#",
              f"pattern readwrite {status_topic}/%u/#"]
    return "\n".join(lines) + "\n"
