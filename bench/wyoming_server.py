"""Text in -> `handled` out through Samantha's Wyoming server, against `house.handle_text`
in-process for the same sentences (what `samantha say` does). Target: <= 2 ms added at p50.
Then audio through the `wyoming` STT engine (to a pocketsphinx Wyoming server in another
process, tests/wyoming/engine_servers.py) against the same pocketsphinx in-process.

Each round alternates the two paths over the same sentences (on/off pairs, so the home ends
as it began); one connection per request, as Home Assistant's agent makes. Prints p50/p95
of both, the added p50 and the ratio; writes bench/results/wyoming.json.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

# This file is called wyoming.py: with its own directory first on sys.path, `import wyoming`
# would find it instead of the package. Put the directory last.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]

from _results import write_results  # noqa: E402
from wyoming.asr import Transcript  # noqa: E402
from wyoming.event import async_read_event, async_write_event  # noqa: E402

from samantha.house import House  # noqa: E402
from samantha.plugins.wyoming.service import WyomingService  # noqa: E402
from samantha.plugins.wyoming.settings import ServerSettings  # noqa: E402

SENTENCES = ["turn on the lights", "turn off the lights", "what is the temperature",
             "set the brightness to 50%", "close the blinds", "open the blinds"]
ROUNDS = 40


async def over_wyoming(port: int, text: str) -> float:
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await async_write_event(Transcript(text, context={"satellite_id": "bench"}).event(), writer)
    event = await async_read_event(reader)
    elapsed = time.perf_counter() - started
    writer.close()
    assert event is not None and event.type in ("handled", "not-handled"), event
    return elapsed


async def in_process(house: House, text: str) -> float:
    started = time.perf_counter()
    await house.handle_text(text, "kitchen")
    return time.perf_counter() - started


STT_SENTENCES = ["turn on the kitchen lights", "what is the temperature in the bedroom"]
STT_ROUNDS = 3


def speech(text: str, directory: Path) -> bytes:
    raw, out = directory / "raw.wav", directory / "out.wav"
    subprocess.run(["flite", "-voice", "slt", "-t", text, "-o", str(raw)], check=True)
    subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", "-e",
                    "signed-integer", str(out), "pad", "0.3", "0.6"], check=True)
    with wave.open(str(out)) as wav:
        return wav.readframes(wav.getnframes())


def stt_figures() -> dict[str, float]:
    from samantha.plugins.speech.sphinx_engines import SphinxStt
    from samantha.plugins.wyoming.engines import WyomingStt
    from samantha.plugins.wyoming.settings import SttEndpoint

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = HERE.parent / "tests" / "wyoming" / "engine_servers.py"
    proc = subprocess.Popen([sys.executable, str(server), "stt", str(port)],
                            stdout=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        local = SphinxStt(None, {})
        remote = WyomingStt(SttEndpoint(uri=f"tcp://127.0.0.1:{port}", timeout_s=60), "en")
        direct: list[float] = []
        wire: list[float] = []
        with tempfile.TemporaryDirectory() as tmp:
            clips = [speech(text, Path(tmp)) for text in STT_SENTENCES]
        for _ in range(STT_ROUNDS):
            for pcm in clips:
                started = time.perf_counter()
                expected = local.transcribe_free(pcm)
                direct.append(time.perf_counter() - started)
                started = time.perf_counter()
                got = remote.transcribe_free(pcm)
                wire.append(time.perf_counter() - started)
                assert got is not None and expected is not None and got.text == expected.text
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(10)
    return {"stt_utterances": len(wire),
            "stt_in_process_p50_ms": round(pct(direct, 0.5), 1),
            "stt_wyoming_p50_ms": round(pct(wire, 0.5), 1),
            "stt_ratio_p50": round(statistics.median(wire) / statistics.median(direct), 3)}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def main() -> None:
    house = House.prepare(None)
    async with house:
        settings = ServerSettings(uri="tcp://127.0.0.1:0", rooms={"bench": "kitchen"})
        service = WyomingService(house, settings)
        await service.start()
        try:
            for text in SENTENCES:  # warm caches on both paths
                await in_process(house, text)
                await over_wyoming(service.port, text)
            direct: list[float] = []
            wire: list[float] = []
            for _ in range(ROUNDS):
                for text in SENTENCES:
                    direct.append(await in_process(house, text))
                    wire.append(await over_wyoming(service.port, text))
        finally:
            await service.stop()
    figures = {
        "requests": len(wire),
        "in_process_p50_ms": round(pct(direct, 0.5), 3),
        "in_process_p95_ms": round(pct(direct, 0.95), 3),
        "wyoming_p50_ms": round(pct(wire, 0.5), 3),
        "wyoming_p95_ms": round(pct(wire, 0.95), 3),
        "added_p50_ms": round(pct(wire, 0.5) - pct(direct, 0.5), 3),
        "ratio_p50": round(statistics.median(wire) / statistics.median(direct), 3),
        "target_added_p50_ms": 2.0,
    }
    figures.update(stt_figures())
    for key, value in figures.items():
        print(f"{key:>22}: {value}")
    print(f"added p50 {figures['added_p50_ms']} ms (target <= 2 ms): "
          f"{'OK' if figures['added_p50_ms'] <= 2.0 else 'OVER'}")
    print(f"wrote {write_results('wyoming', figures)}")


if __name__ == "__main__":
    asyncio.run(main())
