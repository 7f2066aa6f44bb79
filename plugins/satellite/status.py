"""Health messages: a satellite's retained status and the hub's view of each site.

The status topic doubles as the MQTT last will, whose payload the MQTT client fixes to the
plain word `offline` (and `online` right after connecting); `SatelliteStatus.parse` reads
those as well as the JSON form.
"""

from __future__ import annotations

import os
import time
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from samantha import __version__
from samantha.plugins.satellite.limits import MAX_ID_CHARS, parse_json

Short = Annotated[str, StringConstraints(max_length=MAX_ID_CHARS)]


class SatelliteStatus(BaseModel):
    model_config = ConfigDict(extra="ignore")

    online: bool
    room: Short | None = None
    cpu: float | None = Field(None, description="CPU seconds per wall second since the last "
                              "report (1.0 = one core busy).")
    level_db: float | None = Field(None, description="Background level of the mic, dBFS.")
    muted: bool = False
    playing: bool = False
    stt: Short | None = None
    version: Short | None = None

    def payload(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()

    @classmethod
    def parse(cls, payload: bytes) -> SatelliteStatus:
        """JSON status, or the bare `online`/`offline` of the MQTT client; ValueError else."""
        word = payload.strip()
        if word in {b"online", b"offline"}:
            return cls(online=word == b"online")
        return parse_json(cls, payload)


class SiteAvailability(BaseModel):
    """Published retained by the hub: can this room be spoken to right now?"""

    model_config = ConfigDict(extra="ignore")

    room: str
    available: bool
    since: float = Field(default_factory=time.time)
    # What the hub holds for the room: all of it is let go when its satellite goes away.
    conversation: bool = False
    held_audio_s: float = 0.0
    recognizer: bool = False

    def payload(self) -> bytes:
        return self.model_dump_json().encode()


class CpuMeter:
    """This process's CPU use between two readings, as CPU seconds per wall second."""

    def __init__(self) -> None:
        self._last = (time.monotonic(), self._cpu())

    @staticmethod
    def _cpu() -> float:
        times = os.times()
        return times.user + times.system

    def read(self) -> float:
        now, cpu = time.monotonic(), self._cpu()
        wall = now - self._last[0]
        used = cpu - self._last[1]
        self._last = (now, cpu)
        return round(used / wall, 4) if wall > 0 else 0.0


def status_for(room: str, *, cpu: float | None, level_db: float | None, muted: bool,
               playing: bool, stt: str) -> SatelliteStatus:
    return SatelliteStatus(online=True, room=room, cpu=cpu, level_db=level_db, muted=muted,
                           playing=playing, stt=stt, version=__version__)
