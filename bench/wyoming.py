"""Text in -> `handled` out through Samantha's Wyoming server, against `house.handle_text`
in-process for the same sentences (what `samantha say` does). Target: <= 2 ms added at p50.

Each round alternates the two paths over the same sentences (on/off pairs, so the home ends
as it began); one connection per request, as Home Assistant's agent makes. Prints p50/p95
of both, the added p50 and the ratio; writes bench/results/wyoming.json.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
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
    for key, value in figures.items():
        print(f"{key:>22}: {value}")
    print(f"added p50 {figures['added_p50_ms']} ms (target <= 2 ms): "
          f"{'OK' if figures['added_p50_ms'] <= 2.0 else 'OVER'}")
    print(f"wrote {write_results('wyoming', figures)}")


if __name__ == "__main__":
    asyncio.run(main())
