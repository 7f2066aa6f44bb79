"""The `satellite:` config section: the hub's side (arbitration, follow-up) and the rooms'.

One file can serve both: the hub (`samantha run`) reads `hub`, a satellite (`samantha
satellite --room ROOM`) reads `rooms[ROOM]`. A satellite's wake word, endpointing and local
recognizer come from the `speech:` section, so they are configured once for the whole house.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from samantha.config import Section
from samantha.plugins.satellite.topics import SiteTopics
from samantha.plugins.speech.settings import RoomInput, RoomOutput


class HubSettings(Section):
    enabled: bool = Field(True, description="Serve satellites from `samantha run`.")
    window_s: float = Field(0.15, gt=0, le=2, description="Wake arbitration: how long after "
                            "the first detection other rooms may still claim the wake.")
    tie_s: float = Field(0.05, ge=0, le=2, description="Detections this close to the first "
                         "are simultaneous: the loudest of them answers.")
    late_s: float = Field(1.0, gt=0, le=10, description="Detections this long after the first "
                          "are the same utterance heard late: they stand down.")
    follow_up_s: float = Field(0.0, ge=0, le=30, description="Listen again without the wake "
                               "word for this long after every reply (0: only after questions).")
    question_follow_up_s: float = Field(6.0, ge=0, le=30, description="After a reply that asks "
                                        "a question, listen this long for the answer.")
    frame_gap_s: float = Field(1.0, gt=0, le=10, description="A site whose audio stops this "
                               "long mid-utterance has finished (or died): end the utterance.")
    play_timeout_s: float = Field(5.0, gt=0, description="Wait this much beyond a reply's "
                                  "length for the satellite's playFinished.")

    @model_validator(mode="after")
    def _order(self) -> HubSettings:
        if not self.tie_s <= self.window_s <= self.late_s:
            raise ValueError("need tie_s <= window_s <= late_s")
        return self


class SiteSettings(Section):
    """One satellite: where it hears and plays, and where speech is recognised."""

    input: RoomInput = Field(
        default_factory=RoomInput, description="Where the satellite hears: a device and/or a "
        "hardware profile.")
    output: RoomOutput = Field(
        default_factory=RoomOutput, description="Where the satellite plays replies.")
    stt: Literal["stream", "local"] = Field(
        "stream", description="stream: send the utterance's audio to the hub after a wake; "
        "local: recognise on the satellite (speech.stt) and send text.")
    agc: bool = Field(False, description="Automatic gain on the satellite's mic. Off by "
                      "default: arbitration compares wake levels between rooms, and AGC "
                      "would make every room equally loud.")


class SatelliteSettings(Section):
    """Satellites (one process per room) and the hub that serves them over MQTT (Hermes)."""

    status_topic: str = Field("samantha/satellite", description="Satellites publish retained "
                              "health at <status_topic>/<room>/status (last will: offline).")
    hub_topic: str = Field("samantha/hub", description="The hub publishes each site's "
                           "availability, retained, at <hub_topic>/sites/<room>.")
    site_topic: str = Field("samantha/site", description="Per-room topics of wakes, captured "
                            "text and the hub's orders: <site_topic>/<room>/hotword/<id>/"
                            "detected, .../asr/textCaptured, .../asr/startListening, ... A "
                            "broker ACL pins each to the room's user.")
    shared_topics: bool = Field(False, description="Also speak Hermes' shared topics "
                                "(hermes/hotword/+/detected, hermes/asr/...) for Rhasspy "
                                "satellites. Then any satellite may claim another room's wake.")
    wakeword_id: str = Field("hey_samantha", description="Hermes wakewordId of detections.")
    status_interval_s: float = Field(10.0, gt=0, description="How often satellites refresh "
                                     "their health status.")
    hub: HubSettings = Field(
        default_factory=HubSettings, description="The hub's side: arbitration between rooms and "
        "follow-up.")
    rooms: dict[str, SiteSettings] = Field(default_factory=dict, description="Satellites by "
                                           "room id (the Hermes siteId).")

    @field_validator("status_topic", "hub_topic", "site_topic", "wakeword_id")
    @classmethod
    def _plain(cls, value: str) -> str:
        value = value.strip("/")
        if not value or any(c in value for c in "#+\0"):
            raise ValueError(f"{value!r} is not a valid topic part")
        return value

    def topics(self) -> SiteTopics:
        return SiteTopics(self.site_topic, self.shared_topics)

    def status_of(self, room: str) -> str:
        return f"{self.status_topic}/{room}/status"

    def availability_of(self, room: str) -> str:
        return f"{self.hub_topic}/sites/{room}"
