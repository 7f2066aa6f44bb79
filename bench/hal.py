"""CPU cost of the hardware layer: capture + DC removal + GCC-PHAT DOA + delay-and-sum.

Measures CPU seconds per audio second (time.process_time) for a 4-channel 16 kHz
recording made with numpy at run time, read back through FileSource (fast mode) and
processed by the same ArrayProcessor a room uses. A naive baseline (per-channel
loops, time-domain cross-correlation with scipy.signal.correlate, integer-shift
delay-and-sum) runs on the same frames in the same process, so the ratio is fair.
Target: <= 0.02 CPU-s per audio-s. Writes bench/results/hal.json.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from _results import write_results
from scipy.signal import correlate, lfilter

from samantha.hardware.processing import ArrayProcessor
from samantha.hardware.profiles import ProcessingConfig
from samantha.hardware.sources import FileSource
from samantha.hardware.wavio import write_wav

RATE = 16000
SECONDS = 20.0
FRAME = 512
REPEATS = 5
TARGET = 0.02
DELAYS = (0, 8, 16, 24)


def make_recording(path: Path) -> Path:
    """Bursty noise 'talker' with delays [0, 8, 16, 24] plus independent noise per mic."""
    rng = np.random.default_rng(42)
    n = int(SECONDS * RATE)
    gate = np.repeat(rng.random(n // 3200 + 1) > 0.4, 3200)[:n]
    src = rng.standard_normal(n + 32) * 0.1 * np.concatenate([gate, np.zeros(32, bool)])
    chans = [src[32 - d : 32 - d + n] for d in DELAYS]
    x = np.stack(chans, axis=1) + rng.standard_normal((n, 4)) * 0.01
    return write_wav(path, x.astype(np.float32), RATE)


def ours(path: Path) -> float:
    source = FileSource(path, frame_size=FRAME)
    proc = ArrayProcessor(ProcessingConfig(agc=False), channels=4, sample_rate=RATE)
    start = time.process_time()
    for frame in source.iter_frames():
        proc.process(frame.as_float32(), frame.timestamp)
    return time.process_time() - start


def baseline(path: Path) -> float:
    """Straightforward version: loops over channels, time-domain correlation."""
    source = FileSource(path, frame_size=FRAME)
    window, hop = RATE * 256 // 1000, RATE * 128 // 1000
    history: list[np.ndarray] = []
    zi = [np.zeros(1) for _ in range(4)]
    delays = [0] * 4
    since = 0
    start = time.process_time()
    for frame in source.iter_frames():
        x = frame.as_float32()
        cols = []
        for c in range(4):
            y, zi[c] = lfilter([1.0, -1.0], [1.0, -0.996], x[:, c], zi=zi[c])
            cols.append(y)
        block = np.stack(cols, axis=1)
        history.append(block)
        since += len(block)
        buf = np.concatenate(history)[-window:]
        history = [buf]
        if since >= hop and len(buf) >= window:
            since = 0
            for c in range(1, 4):
                cc = correlate(buf[:, c], buf[:, 0], mode="full", method="direct")
                lags = np.arange(-len(buf) + 1, len(buf))
                keep = np.abs(lags) <= 64
                delays[c] = int(lags[keep][np.argmax(cc[keep])])
        out = np.zeros(len(block))
        for c in range(4):
            out += np.roll(block[:, c], max(delays) - delays[c])
        out /= 4
    return time.process_time() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = make_recording(Path(tmp) / "array4.wav")
        ours(path)  # warm up FFT plans and imports
        fast = [ours(path) / SECONDS for _ in range(REPEATS)]
        slow = [baseline(path) / SECONDS for _ in range(max(2, REPEATS // 2))]
    ours_med, base_med = statistics.median(fast), statistics.median(slow)
    result = {
        "benchmark": "hal capture + DC + GCC-PHAT DOA + delay-and-sum, 4 ch @ 16 kHz",
        "audio_seconds": SECONDS,
        "frame_size": FRAME,
        "repeats": REPEATS,
        "cpu_s_per_audio_s": round(ours_med, 5),
        "baseline_cpu_s_per_audio_s": round(base_med, 5),
        "speedup_vs_baseline": round(base_med / ours_med, 2),
        "target_cpu_s_per_audio_s": TARGET,
        "meets_target": ours_med <= TARGET,
    }
    print(f"{'implementation':<34}{'CPU-s / audio-s':>16}")
    print(f"{'vectorised (samantha.hardware)':<34}{ours_med:>16.5f}")
    print(f"{'naive baseline (time-domain xcorr)':<34}{base_med:>16.5f}")
    print(f"speed-up x{base_med / ours_med:.1f}; target <= {TARGET}: "
          f"{'met' if ours_med <= TARGET else 'NOT met'}")  # fmt: skip
    write_results("hal", result)


if __name__ == "__main__":
    main()
