"""Where talk starts and pauses, for wake engines: an energy VAD with a fast-following floor."""

from __future__ import annotations

from collections import deque

from samantha.plugins.speech.endpoint import EnergyVad


class RecentFloorVad:
    """Speech when a block is `margin_db` above the quiet end of the last few seconds.

    The wake decides where a person *started* talking, so it needs a noise floor that follows
    a fan switched on within seconds (the endpointer's floor rises 3 dB/s: from a silent room
    to a fan takes ~15 s, and meanwhile the fan looks like speech that started long ago).
    The floor is a low percentile of recent block levels.
    """

    def __init__(self, min_dbfs: float = -45.0, margin_db: float = 10.0, seconds: float = 4.0,
                 percentile: float = 10.0) -> None:
        self.min_dbfs = min_dbfs
        self.margin_db = margin_db
        self.seconds = seconds
        self.percentile = percentile
        self.levels: deque[tuple[float, float]] = deque()
        self.span = 0.0

    def is_speech(self, pcm: bytes, duration: float) -> bool:
        level = EnergyVad.level_dbfs(pcm)
        self.levels.append((level, duration))
        self.span += duration
        while self.span - self.levels[0][1] >= self.seconds:
            self.span -= self.levels.popleft()[1]
        return self.loud(level)

    def loud(self, level: float) -> bool:
        if not self.levels:
            return level > self.min_dbfs
        ordered = sorted(lv for lv, _ in self.levels)
        floor = ordered[int(len(ordered) * self.percentile / 100)]
        return level > max(self.min_dbfs, floor + self.margin_db)

    def trim_to_command(self, trailing: bytes, rate: int = 16000) -> bytes | None:
        """The part of `trailing` (audio after a wake phrase) that belongs to the command.

        After a pause, the command starts after it (the phrase's fading tail must not look
        like the start of the command to the endpointer). None when nothing but quiet follows
        the phrase's end, too briefly to call it a pause: wait for more audio.
        """
        # Only a pause right after the phrase: a later one ends the command itself.
        cut = self.after_pause(trailing, within_s=0.3, pause_s=0.15, rate=rate)
        if cut:
            return trailing[cut:]
        step = rate // 50 * 2
        body = trailing[int(0.1 * rate) * 2:]  # past the phrase's fading end
        if not any(self.loud(EnergyVad.level_dbfs(body[i:i + step]))
                   for i in range(0, len(body) - step + 1, step)):
            return None
        return trailing

    def after_pause(self, pcm: bytes, within_s: float, pause_s: float = 0.1,
                    keep_s: float = 0.04, rate: int = 16000) -> int:
        """Byte offset in `pcm` just before the speech that follows the first pause of at
        least `pause_s` starting in its first `within_s` (or near its end when it ends in that
        pause); 0 when there is none (one breath). Judged against the current floor, in 20 ms
        slices."""
        step = rate // 50 * 2
        run_start: int | None = None
        for offset in range(0, len(pcm) - step + 1, step):
            if not self.loud(EnergyVad.level_dbfs(pcm[offset:offset + step])):
                run_start = offset if run_start is None else run_start
                continue
            if (run_start is not None and run_start / 2 / rate <= within_s
                    and (offset - run_start) / 2 / rate >= pause_s):
                return max(0, offset - int(keep_s * rate) * 2)
            run_start = None
            if offset / 2 / rate > within_s:
                return 0
        if run_start is not None and run_start / 2 / rate <= within_s and (
                len(pcm) - run_start) / 2 / rate >= pause_s:
            return max(0, len(pcm) - int(keep_s * rate) * 2)  # still in the pause
        return 0
