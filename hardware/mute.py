"""The per-room mute switch.

Muting **drops** frames; it does not zero them. Nothing captured while muted - not
even silence or a level - reaches array processing, DOA, wake word or the network,
and downstream sees a gap in timestamps rather than fake audio. Frames that were
captured before an unmute but are delivered after it (queued in a driver or a
satellite link) are dropped too: a frame passes only if its first sample was
captured after the most recent unmute.
"""

from __future__ import annotations

import time

from samantha.hardware.frames import AudioFrame


class MuteGate:
    def __init__(self, *, muted: bool = False) -> None:
        self._muted = muted
        self._unmuted_at = float("inf") if muted else float("-inf")
        self.dropped = 0

    @property
    def muted(self) -> bool:
        return self._muted

    def mute(self) -> None:
        self._muted = True

    def unmute(self) -> None:
        if self._muted:
            self._unmuted_at = time.monotonic()
        self._muted = False

    def passes(self, frame: AudioFrame) -> bool:
        """True if the frame may leave the source; counts the ones dropped."""
        if self._muted or frame.timestamp < self._unmuted_at:
            self.dropped += 1
            return False
        return True
