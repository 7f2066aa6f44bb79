"""Wake arbitration: when several rooms hear the same wake word, exactly one answers.

The first detection opens a round of `window` seconds. When it closes, the winner is the loudest
of the detections that arrived within `tie` seconds of the first (the first one alone when the
rest came later); everyone else stands down. A detection arriving after the round closed but
within `late` seconds of its start is the same utterance heard late, and also stands down.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class WakeClaim:
    room: str
    level_db: float | None = None
    received: float = field(default_factory=time.monotonic)


@dataclass
class _Round:
    started: float
    claims: list[WakeClaim] = field(default_factory=list)
    decided: asyncio.Future[WakeClaim] | None = None


def pick_winner(claims: list[WakeClaim], tie: float) -> WakeClaim:
    first = min(claims, key=lambda c: c.received)
    close = [c for c in claims if c.received - first.received <= tie]
    return max(close, key=lambda c: (c.level_db if c.level_db is not None else -math.inf,
                                     -c.received))


class WakeArbiter:
    """Decides which room answers a wake word heard in several rooms at once."""

    def __init__(self, window: float = 0.15, tie: float = 0.05, late: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if not 0 <= tie <= window <= late:
            raise ValueError("need 0 <= tie <= window <= late")
        self.window, self.tie, self.late, self.clock = window, tie, late, clock
        self._round: _Round | None = None

    async def claim(self, claim: WakeClaim) -> bool:
        """Wait until the round is decided; True when `claim`'s room should answer."""
        now = claim.received
        current = self._round
        if current is not None and current.decided is not None and current.decided.done():
            if now - current.started <= self.late:
                return False  # the same utterance, heard late in another room
            current = None
        if current is None:
            current = self._round = _Round(started=now)
            current.decided = asyncio.get_running_loop().create_future()
            current.claims.append(claim)
            await asyncio.sleep(max(0.0, self.window - (self.clock() - now)))
            current.decided.set_result(pick_winner(current.claims, self.tie))
        else:
            current.claims.append(claim)
        assert current.decided is not None
        return (await asyncio.shield(current.decided)) is claim
