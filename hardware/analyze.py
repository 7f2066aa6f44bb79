"""``samantha audio analyze``: levels, delays, direction, dead channels and SNR of a file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import BaseModel

from samantha.hardware import arrays
from samantha.hardware.errors import ChannelCountError
from samantha.hardware.profiles import AudioProfile
from samantha.hardware.wavio import read_audio


class ChannelReport(BaseModel):
    index: int
    rms_dbfs: float
    peak_dbfs: float
    delay_samples: float
    correlation: float
    snr_db: float
    dead: bool


class DirectionReport(BaseModel):
    azimuth_deg: float
    ambiguous: bool
    residual_samples: float


class AnalysisReport(BaseModel):
    file: str
    profile: str | None
    sample_rate: int
    channels: int
    duration_s: float
    per_channel: list[ChannelReport]
    dead_channels: list[int]
    best_channel: int
    direction: DirectionReport | None
    snr_best_channel_db: float
    snr_beamformed_db: float | None
    beamforming_gain_db: float | None


def analyze_file(path: str | Path, profile: AudioProfile | None = None) -> AnalysisReport:
    """Analyse a recording; with a profile, map channels and estimate the azimuth.

    Without a profile only geometry-free measures are reported: delays come from
    GCC-PHAT within ±``max_delay_samples`` and ``direction`` is null.
    """
    samples, rate = read_audio(path)
    x = samples.astype(np.float32) / 32768.0 if samples.dtype == np.int16 else samples
    max_delay = 64.0
    positions = None
    if profile is not None:
        mics = profile.mic_channels
        if x.shape[1] == profile.channels:
            x = x[:, mics]
        elif x.shape[1] != len(mics):
            raise ChannelCountError(
                str(path),
                f"has {x.shape[1]} channels; profile {profile.name!r} expects "
                f"{profile.channels} (device) or {len(mics)} (mics only)",
            )
        max_delay = profile.processing.max_delay_samples
        if profile.geometry_mm:
            positions = arrays.mic_positions_m(profile.geometry_mm)  # type: ignore[arg-type]
            max_delay = arrays.max_delay_samples(positions, rate) + 1.0
    x = arrays.remove_dc(x)
    n_ch = x.shape[1]
    dead = arrays.dead_channels(x)
    live = np.flatnonzero(~dead)
    ref = int(live[0]) if live.size else 0
    delays = np.zeros(n_ch)
    peaks = np.zeros(n_ch)
    if n_ch > 1:
        delays, peaks = arrays.gcc_phat(x, ref=ref, max_delay=max_delay)
        delays = delays - delays[0]
    snrs = arrays.snr_db(x, rate)
    best = arrays.best_channel(snrs, dead)
    direction = None
    snr_beam = None
    if n_ch > 1 and live.size > 1:
        if positions is not None:
            est = arrays.doa_from_delays(delays[live] - delays[ref], positions[live], rate)
            direction = DirectionReport(
                azimuth_deg=round(est.azimuth_deg, 1),
                ambiguous=est.ambiguous,
                residual_samples=round(est.residual, 3),
            )
        beam = arrays.delay_and_sum(x, delays, (~dead).astype(np.float64))
        snr_beam = float(arrays.snr_db(beam[:, None], rate)[0])
    peak = np.max(np.abs(x), axis=0)
    per_channel = [
        ChannelReport(
            index=i,
            rms_dbfs=round(float(arrays.dbfs(arrays.rms(x[:, i : i + 1]))[0]), 2),
            peak_dbfs=round(float(arrays.dbfs(peak[i])), 2),
            delay_samples=round(float(delays[i]), 2),
            correlation=round(float(peaks[i]) if i != ref else 1.0, 3),
            snr_db=round(float(snrs[i]), 2),
            dead=bool(dead[i]),
        )
        for i in range(n_ch)
    ]
    return AnalysisReport(
        file=str(path),
        profile=profile.name if profile else None,
        sample_rate=rate,
        channels=n_ch,
        duration_s=round(x.shape[0] / rate, 3),
        per_channel=per_channel,
        dead_channels=[int(i) for i in np.flatnonzero(dead)],
        best_channel=best,
        direction=direction,
        snr_best_channel_db=round(float(snrs[best]), 2),
        snr_beamformed_db=None if snr_beam is None else round(snr_beam, 2),
        beamforming_gain_db=None if snr_beam is None else round(snr_beam - float(snrs[best]), 2),
    )
