"""Satellite benchmark: idle CPU of a satellite, and end of speech -> command via the hub.

1. Idle: a `samantha satellite` process replays 30 s of a quiet room (low noise) in real time;
   its CPU time over the steady part (after start-up) per audio second. Target <= 0.03.
   For scale, the wake engine alone fed every frame (what the VAD gate saves) is also shown.
2. Latency: "hey samantha ... turn on the lights" in the kitchen, from the end of speech in the
   recording to the light's command arriving on its MQTT topic; the hub path (satellite process
   -> Mosquitto -> `samantha run --headless`) against the single-process pipeline (`samantha
   listen --realtime`, same config, same broker, same device). Target: hub adds <= 50 ms.
Usage: .venv/bin/python bench/satellite.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "satellite"))

from _results import write_results  # noqa: E402  (bench/ is on sys.path)
from sat_harness import (  # noqa: E402
    LIGHT_TOPIC,
    SAMANTHA,
    Hub,
    Recorder,
    hub_config,
    make_recordings,
    satellite,
    satellite_config,
    speech_end,
)

from harness.mosquitto import Mosquitto  # noqa: E402

IDLE_SECONDS = 30.0
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def idle_cpu(work: Path, port: int) -> tuple[float, float]:
    noise = work / "idle.wav"
    subprocess.run(["sox", "-R", "-n", "-r", "16000", "-c", "1", "-b", "16", str(noise), "synth",
                    str(IDLE_SECONDS + 8), "pinknoise", "vol", "0.003"], check=True)
    config = satellite_config(work, port)
    rec = Recorder(port, topics=("samantha/satellite/kitchen/status",)).start()
    sat = satellite(config, "kitchen", noise, work, name="idle").start()
    try:
        rec.wait_for(lambda m: m.payload.startswith(b"{"), 60, "satellite status")
        time.sleep(3.0)  # past start-up (imports, model load)
        c0, t0 = cpu_seconds(sat.pid), time.monotonic()
        time.sleep(IDLE_SECONDS)
        c1, t1 = cpu_seconds(sat.pid), time.monotonic()
    finally:
        sat.stop()
        rec.stop()
    sat_cost = (c1 - c0) / (t1 - t0)
    # The wake engine alone on every frame, in this process: what gating saves.
    from samantha.hardware.wavio import read_audio
    from samantha.plugins.satellite.engines import wake_engine
    from samantha.plugins.speech.settings import SpeechSettings

    samples, _ = read_audio(noise)
    mono = samples[:, 0]
    engine = wake_engine(SpeechSettings())
    start = time.process_time()
    for i in range(0, len(mono), 512):
        engine.process(mono[i:i + 512].astype("<i2").tobytes())
    ungated = (time.process_time() - start) / (len(mono) / 16000)
    return sat_cost, ungated


class Lines:
    """A subprocess's stdout lines with the wall time each arrived."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[tuple[float, str]] = []
        self.thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self.thread.start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self.lines.append((time.time(), line))

    def audio_start(self) -> float:
        """Wall time of the recording's first sample, from the wake event (t = audio time)."""
        import json

        for at, line in self.lines:
            if line.startswith('{"event": "wake"'):
                return at - json.loads(line)["t"]
        raise RuntimeError("no wake event")


def command_latency(rec: Recorder, args: list[str], end: float) -> float:
    rec.clear()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([SAMANTHA, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, env=env, start_new_session=True)
    try:
        lines = Lines(proc)
        command = rec.wait_for(lambda m: m.topic == LIGHT_TOPIC, 60, "light command")
        proc.wait(60)
        lines.thread.join(5)
        return command.at - (lines.audio_start() + end)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-idle", action="store_true")
    runs = parser.parse_args().runs
    skip_idle = parser.parse_args().skip_idle
    with tempfile.TemporaryDirectory(prefix="bench-satellite-") as tmp:
        work = Path(tmp)
        audio = make_recordings(work)
        end = speech_end(audio.loud)
        broker = Mosquitto(work / "broker").start("plain")
        try:
            if not skip_idle:
                sat_cost, ungated = idle_cpu(work, broker.port)
                print(f"idle satellite: {sat_cost:.4f} CPU-s per audio-s (target <= 0.03); "
                      f"wake engine on every frame alone: {ungated:.4f}")
            rec = Recorder(broker.port).start()
            single_cfg = hub_config(work, broker.port, extra="")
            text = single_cfg.read_text().split("satellite:\n")[0]
            single_cfg = work / "single.yaml"
            single_cfg.write_text(text.replace("samantha-hub-test", "samantha-single"))
            single = [command_latency(rec, ["listen", str(audio.loud), "--room", "kitchen",
                                            "-c", str(single_cfg), "--realtime", "--json"], end)
                      for _ in range(runs)]
            hub = Hub(hub_config(work, broker.port), work).start()
            try:
                hub.wait_ready()
                sat_cfg = satellite_config(work, broker.port)
                via_hub = [command_latency(rec, ["satellite", "--room", "kitchen", "-c",
                                                 str(sat_cfg), "--wav", str(audio.loud),
                                                 "--json"], end) for _ in range(runs)]
            finally:
                hub.stop()
            rec.stop()
        finally:
            broker.stop()
    s, h = statistics.median(single), statistics.median(via_hub)
    print(f"end of speech -> light command, median of {runs}: single process {s * 1000:.0f} ms "
          f"{[round(x * 1000) for x in single]}, via hub {h * 1000:.0f} ms "
          f"{[round(x * 1000) for x in via_hub]}; hub path adds {(h - s) * 1000:+.0f} ms "
          f"(target <= 50 ms)")
    write_results("satellite", {
        "idle_cpu_s_per_audio_s": None if skip_idle else sat_cost, "idle_target": 0.03,
        "single_process_ms": [round(x * 1000, 1) for x in single],
        "via_hub_ms": [round(x * 1000, 1) for x in via_hub],
        "hub_adds_ms": round((h - s) * 1000, 1), "hub_target_ms": 50})


if __name__ == "__main__":
    main()
