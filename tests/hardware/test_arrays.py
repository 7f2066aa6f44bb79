"""Array processing on real sox-made recordings and on synthesised plane waves."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import resample_poly

from samantha.hardware import arrays
from samantha.hardware.profiles import builtin_profiles
from samantha.hardware.resample import Resampler

from .conftest import DELAYS, ArrayRecordings, read_float


def test_gcc_phat_measures_the_designed_delays(recordings: ArrayRecordings) -> None:
    x = read_float(recordings.array4)
    delays, peaks = arrays.gcc_phat(x, max_delay=64)
    assert np.allclose(delays, DELAYS, atol=0.25), delays
    assert np.all(peaks[1:] > 0.1)


def test_beamforming_raises_snr_by_3_db(recordings: ArrayRecordings) -> None:
    x = read_float(recordings.array4)
    delays, _ = arrays.gcc_phat(x, max_delay=64)
    beam = arrays.delay_and_sum(x, delays)
    # Blind estimate (what `audio analyze` reports) ...
    before = arrays.snr_db(x, 16000).max()
    after = arrays.snr_db(beam[:, None], 16000)[0]
    assert after - before >= 3.0, (before, after)
    # ... and the true SNR from the separately rendered clean and noise parts.
    clean, noise = read_float(recordings.clean4), read_float(recordings.noise4)
    n = min(len(clean), len(noise))
    clean_b = arrays.delay_and_sum(clean[:n], delays)
    noise_b = arrays.delay_and_sum(noise[:n], delays)
    true_before = 10 * np.log10(np.sum(clean[:n, 0] ** 2) / np.sum(noise[:n, 0] ** 2))
    true_after = 10 * np.log10(np.sum(clean_b**2) / np.sum(noise_b**2))
    assert true_after - true_before >= 3.0, (true_before, true_after)


def test_dead_channel_is_detected(recordings: ArrayRecordings) -> None:
    assert arrays.dead_channels(read_float(recordings.dead4)).tolist() == [0, 0, 0, 1]
    assert not arrays.dead_channels(read_float(recordings.array4)).any()
    silent = read_float(recordings.array4)
    silent[:, 1] = 0.0
    assert arrays.dead_channels(silent).tolist() == [0, 1, 0, 0]


def _plane_wave(positions_mm: list, azimuth_deg: float, n: int = 16000) -> np.ndarray:
    """Noise burst arriving from ``azimuth_deg``, fractional delays applied exactly."""
    rng = np.random.default_rng(7)
    src = rng.standard_normal(n).astype(np.float64) * 0.1
    pos = arrays.mic_positions_m(positions_mm)
    u = np.array([np.cos(np.radians(azimuth_deg)), np.sin(np.radians(azimuth_deg)), 0.0])
    delays = arrays.steering_delays(u, pos, 16000)
    spec = np.fft.rfft(src, 2 * n)
    f = np.fft.rfftfreq(2 * n)
    chans = [np.fft.irfft(spec * np.exp(-2j * np.pi * f * d), 2 * n)[:n] for d in delays]
    x = np.stack(chans, axis=1)
    return (x + rng.standard_normal(x.shape) * 0.005).astype(np.float32)


@pytest.mark.parametrize(
    "profile", ["respeaker_4mic_hat", "respeaker_6mic_hat", "respeaker_usb_4mic"]
)
@pytest.mark.parametrize("azimuth", [0.0, 60.0, 135.0, 250.0])
def test_doa_of_planar_arrays(profile: str, azimuth: float) -> None:
    geometry = builtin_profiles()[profile].geometry_mm
    x = _plane_wave(geometry, azimuth)
    pos = arrays.mic_positions_m(geometry)
    delays, _ = arrays.gcc_phat(x, max_delay=arrays.max_delay_samples(pos, 16000) + 1, interp=4)
    est = arrays.doa_from_delays(delays, pos, 16000)
    error = (est.azimuth_deg - azimuth + 180) % 360 - 180
    assert abs(error) < 10, (est.azimuth_deg, azimuth)
    assert not est.ambiguous


def test_doa_of_a_linear_array_is_the_angle_to_its_axis() -> None:
    geometry = builtin_profiles()["ps3_eye"].geometry_mm
    # ps3_eye mics lie on the y axis; channel order is not positional, so sort for the axis.
    x = _plane_wave(geometry, 90.0 + 30.0)  # 30° off the +y axis
    pos = arrays.mic_positions_m(geometry)
    delays, _ = arrays.gcc_phat(x, max_delay=arrays.max_delay_samples(pos, 16000) + 1, interp=4)
    est = arrays.doa_from_delays(delays, pos, 16000)
    assert est.ambiguous
    # Mic 0 (y=-30) to the last mic (y=+30) points along +y: the source is 30° off it.
    assert abs(est.azimuth_deg - 30.0) < 12, est.azimuth_deg


def test_streaming_delay_and_sum_matches_offline(recordings: ArrayRecordings) -> None:
    x = read_float(recordings.array4)
    d = np.array([0.0, 8.0, 16.0, 24.0])
    offline = arrays.delay_and_sum(x, d)
    das = arrays.DelayAndSum(4, 24.0)
    out = np.concatenate([das.process(b, d, np.ones(4)) for b in np.array_split(x, 97)])
    # Sample-aligned with the offline result; the last `margin` samples are held back.
    assert len(out) == len(x) - das.margin
    mid = slice(2000, 30000)
    err = out[mid] - offline[mid]
    assert np.sqrt(np.mean(err**2)) < 0.01 * np.sqrt(np.mean(offline[mid] ** 2))


def test_dc_blocker_and_agc() -> None:
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((32000, 2)) * 0.01 + 0.3).astype(np.float32)
    dc = arrays.DcBlocker(2, 16000)
    y = np.concatenate([dc.process(b) for b in np.array_split(x, 50)])
    assert np.all(np.abs(y[8000:].mean(axis=0)) < 1e-3)
    # Bursts at -30 dBFS with -50 dBFS pauses: speech-like, so the AGC adapts on the
    # bursts and holds its gain in the pauses instead of pumping them up.
    talk = np.repeat(np.arange(96) % 3 != 0, 1000)
    sig = np.tile(y[8000:, 0], 4)[: len(talk)] * np.where(talk, 3.0, 0.3).astype(np.float32)
    agc = arrays.AutomaticGain(target_dbfs=-20)
    out = np.concatenate([agc.process(b) for b in np.array_split(sig, 192)])
    loud = arrays.dbfs(arrays.rms(out[-8000:][talk[-8000:]][:, None]))[0]
    quiet = arrays.dbfs(arrays.rms(out[-8000:][~talk[-8000:]][:, None]))[0]
    assert abs(loud - (-20)) < 2.0, loud
    assert loud - quiet > 15, (loud, quiet)
    assert np.max(np.abs(out)) <= 1.0


@pytest.mark.parametrize(("src", "dst"), [(48000, 16000), (44100, 16000), (16000, 16000)])
def test_streaming_resampler_matches_whole_signal(src: int, dst: int) -> None:
    t = np.arange(src) / src
    x = (0.5 * np.sin(2 * np.pi * 440 * t))[:, None].astype(np.float32)
    r = Resampler(src, dst)
    parts = [r.process(b) for b in np.array_split(x, 37)] + [r.flush()]
    out = np.concatenate(parts)[:, 0]
    ref = resample_poly(x[:, 0], dst, src) if src != dst else x[:, 0]
    n = min(len(out), len(ref)) - 200
    assert abs(len(out) - len(ref)) <= r.margin
    assert np.max(np.abs(out[200:n] - ref[200:n])) < 1e-3
