"""The per-room array processing chain: DC removal, dead channels, DOA, beamforming, AGC.

Input is the mapped mic channels as float32 ``(n, mics)`` at the device rate; output is
mono float32 at the same rate plus the latest direction estimate. Expensive estimates
(dead channels, GCC-PHAT) run on a sliding window every half window, not per frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from samantha.hardware import arrays
from samantha.hardware.frames import Direction
from samantha.hardware.profiles import ProcessingConfig


@dataclass(frozen=True, slots=True)
class ProcessingResult:
    mono: npt.NDArray[np.float32]
    direction: Direction | None
    channel: int | None
    dead: tuple[int, ...]


class ArrayProcessor:
    """Streaming processor for one room; ``geometry_mm`` enables azimuth and steering.

    Steering only updates on windows clearly louder than the tracked noise floor, so
    the beam stays on the last talker during pauses instead of chasing noise.
    """

    def __init__(
        self,
        config: ProcessingConfig,
        *,
        channels: int,
        sample_rate: int,
        geometry_mm: list[tuple[float, ...]] | None = None,
    ) -> None:
        self.config = config
        self.channels = channels
        self.sample_rate = sample_rate
        self.positions = arrays.mic_positions_m(geometry_mm) if geometry_mm else None
        if self.positions is not None:
            self.max_delay = arrays.max_delay_samples(self.positions, sample_rate) + 1.0
        else:
            self.max_delay = float(config.max_delay_samples)
        self._dc = arrays.DcBlocker(channels, sample_rate) if config.dc_removal else None
        self._window = max(64, sample_rate * config.doa_window_ms // 1000)
        self._hop = self._window // 2
        self._history = np.zeros((0, channels), dtype=np.float32)
        self._since_update = 0
        self._noise_floor: float | None = None
        self.delays = np.zeros(channels)
        self.live = np.ones(channels, dtype=bool)
        self.channel = config.channel if config.mode == "channel" else 0
        self.direction: Direction | None = None
        self._beam = (
            arrays.DelayAndSum(channels, self.max_delay)
            if config.mode == "beamform" and channels > 1
            else None
        )
        self._agc = (
            arrays.AutomaticGain(
                target_dbfs=config.agc_target_dbfs, max_gain_db=config.agc_max_gain_db
            )
            if config.agc
            else None
        )

    def process(self, block: npt.NDArray[np.float32], timestamp: float = 0.0) -> ProcessingResult:
        x = self._dc.process(block) if self._dc is not None else block
        if self.channels > 1:
            self._history = np.concatenate([self._history, x])[-self._window :]
            self._since_update += len(x)
            if self._since_update >= self._hop and len(self._history) >= self._window:
                self._since_update = 0
                self._update(self._history, timestamp)
        if self._beam is not None:
            mono = self._beam.process(x, self.delays, self.live.astype(np.float64))
        else:
            mono = x[:, self.channel]
        if self._agc is not None:
            mono = self._agc.process(mono)
        dead = tuple(int(i) for i in np.flatnonzero(~self.live))
        channel = None if self._beam is not None else self.channel
        return ProcessingResult(mono.astype(np.float32, copy=False), self.direction, channel, dead)

    def _update(self, window: npt.NDArray[np.float32], timestamp: float) -> None:
        cfg = self.config
        if cfg.dead_channel_check:
            live = ~arrays.dead_channels(window, relative_db=cfg.dead_channel_db)
            self.live = live if live.any() else np.ones(self.channels, dtype=bool)
        level = float(np.mean(arrays.rms(window)[self.live]))
        floor = self._noise_floor
        # Minimum tracker that creeps up slowly, so a room getting noisier is followed.
        self._noise_floor = level if floor is None else min(level, floor * 1.02)
        # The floor guard keeps digital silence (floor 0) from making everything 'loud'.
        loud = floor is not None and level > 2.0 * max(floor, 1e-4)
        if cfg.mode == "best_channel" and not self.live[self.channel]:
            self.channel = int(np.flatnonzero(self.live)[0])
        if not loud:
            return
        if cfg.mode == "best_channel":
            snrs = arrays.snr_db(window, self.sample_rate, frame_ms=10.0)
            self.channel = arrays.best_channel(snrs, ~self.live)
        if not (cfg.doa or cfg.mode == "beamform"):
            return
        live_idx = np.flatnonzero(self.live)
        ref = int(live_idx[0])
        delays, peaks = arrays.gcc_phat(window[:, live_idx], ref=0, max_delay=self.max_delay)
        measured = np.zeros(self.channels)
        measured[live_idx] = delays
        confidence = float(np.mean(np.delete(peaks, 0))) if len(live_idx) > 1 else 0.0
        if confidence < cfg.doa_min_confidence:
            # Incoherent window (diffuse noise, not a talker): keep the last steering.
            return
        if self.positions is not None and len(live_idx) >= 2:
            est = arrays.doa_from_delays(delays, self.positions[live_idx], self.sample_rate)
            steer = arrays.steering_delays(est.unit, self.positions, self.sample_rate)
            self.delays = steer - steer[ref]
            self.direction = Direction(
                azimuth_deg=est.azimuth_deg if cfg.doa else None,
                delays=tuple(float(d) for d in measured),
                confidence=confidence,
                ambiguous=est.ambiguous,
                timestamp=timestamp,
            )
        else:
            self.delays = measured
            self.direction = Direction(
                None, tuple(float(d) for d in measured), confidence, timestamp=timestamp
            )
