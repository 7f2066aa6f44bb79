"""Where each room's Hermes messages travel: per-room topics a broker ACL can pin to a user.

Hermes puts wake detections, captured text and the hub's orders on topics shared by every
site (the siteId is only in the JSON), so one satellite's credentials could wake or answer for
another room. Samantha moves those messages under `<site_topic>/<room>/...` (by default
`samantha/site/kitchen/hotword/<wakewordId>/detected`, `.../asr/textCaptured`,
`.../asr/startListening`, ...): the room is in the topic, Mosquitto's `pattern ... %u` confines
each satellite's user to its own room, and the hub takes the room from the topic (a siteId in
the JSON that names another room is refused). Audio (`hermes/audioServer/<site>/...`) was
per-site in Hermes already and stays where it is.

`shared_topics: true` keeps the Hermes topics as well, for Rhasspy satellites; then the hub
cannot tell who sent a wake (docs/satellites.md).
"""

from __future__ import annotations

from samantha.plugins.satellite import hermes

_HERMES = "hermes/"


class SiteTopics:
    def __init__(self, site_topic: str = "samantha/site", shared: bool = False) -> None:
        self.prefix = site_topic.strip("/")
        self.shared = shared
        self._depth = len(self.prefix.split("/"))

    def of(self, cls: type[hermes.HermesMessage], room: str, **parts: str) -> str:
        """`cls`'s topic for one room, e.g. samantha/site/kitchen/asr/textCaptured."""
        return f"{self.prefix}/{room}/{cls.topic(**parts).removeprefix(_HERMES)}"

    def subscription(self, cls: type[hermes.HermesMessage]) -> str:
        """The pattern of `cls`'s topics for every room."""
        return f"{self.prefix}/+/{cls.subscription().removeprefix(_HERMES)}"

    def room_in(self, topic: str) -> str | None:
        """The room of a per-room topic; None for a Hermes shared topic."""
        if not topic.startswith(self.prefix + "/"):
            return None
        return topic.split("/")[self._depth]

    def hermes_part(self, cls: type[hermes.HermesMessage], topic: str, name: str) -> str:
        """`{name}` of a topic of `cls`, per-room or shared (e.g. the wakewordId)."""
        if self.room_in(topic) is not None:
            rest = topic.split("/", self._depth + 1)[-1]
            topic = _HERMES + rest
        return cls.topic_part(topic, name)

    def acl_patterns(self, writes: tuple[type[hermes.HermesMessage], ...],
                     reads: tuple[type[hermes.HermesMessage], ...]) -> list[str]:
        """Mosquitto `pattern` lines confining each user (username = room) to its topics."""
        lines = [f"pattern write {self.of(cls, '%u', **_wild(cls))}" for cls in writes]
        lines += [f"pattern read {self.of(cls, '%u', **_wild(cls))}" for cls in reads]
        return lines


def _wild(cls: type[hermes.HermesMessage]) -> dict[str, str]:
    """`+` for every `{part}` of the topic template."""
    return {part[1:-1]: "+" for part in cls.TOPIC.split("/") if part.startswith("{")}


# What a satellite sends to the hub, and the orders it takes from the hub.
SATELLITE_SENDS: tuple[type[hermes.HermesMessage], ...] = (
    hermes.HotwordDetected, hermes.AsrTextCaptured)
SATELLITE_TAKES: tuple[type[hermes.HermesMessage], ...] = (
    hermes.AsrStartListening, hermes.AsrStopListening, hermes.HotwordToggleOn,
    hermes.HotwordToggleOff, hermes.DialogueSessionEnded)
