"""Dashboard benchmark: event-to-browser latency and the CPU the web server adds.

1. Latency: a real house with its dashboard; 10 pages (SSE clients, in a separate process so
   they do not share the house's CPU) stay open while device states change 20 times a second
   for 10 s. Each event carries its publication time; each client notes when it arrived.
   p50/p95 over every (event, page) pair. Target: p95 <= 100 ms.
2. Idle CPU: the same house idles 10 s without the dashboard, then 10 s with it (one page
   open). The difference, as a share of one core, is what the web server costs. Target <= 1 %.

Prints the figures and ratios to the targets; writes bench/results/dashboard.json.
"""

from __future__ import annotations

import asyncio
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

PAGES = 10
RATE = 20
SECONDS = 10.0
IDLE_S = 10.0
CONFIG = """\
name: Bench House
rooms: [{name: Kitchen}]
devices: [{name: Kitchen Light, room: Kitchen, kind: light}]
web: {port: 0}
persona: {memory: {path: memory.db}}
"""


# --- the pages (child process) ---------------------------------------------------------------

def _page(port: int, csrf_path: str, latencies: list[float], ready: threading.Event,
          stop: threading.Event) -> None:
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(f"GET {csrf_path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                 "Accept: text/event-stream\r\n\r\n".encode())
    sock.settimeout(0.5)
    buffer = b""
    ready.set()
    while not stop.is_set():
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        if not chunk:
            break
        now = time.time()
        buffer += chunk
        while b"\n\n" in buffer:
            frame, buffer = buffer.split(b"\n\n", 1)
            for line in frame.split(b"\n"):
                # chunked transfer framing lines are skipped: only "data:" lines matter
                if line.startswith(b"data: ") and b"bench_t" in line:
                    state = json.loads(line[6:])["state"]
                    latencies.append(now - state["bench_t"])
    sock.close()


def pages_main(port: int, count: int, seconds: float) -> None:
    latencies: list[float] = []
    stop = threading.Event()
    threads = []
    for _ in range(count):
        ready = threading.Event()
        t = threading.Thread(target=_page, args=(port, "/api/events", latencies, ready, stop),
                             daemon=True)
        t.start()
        ready.wait(5)
        threads.append(t)
    print("ready", flush=True)
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(2)
    print(json.dumps(latencies), flush=True)


# --- the house (parent) ----------------------------------------------------------------------

async def _house(directory: Path) -> Any:
    from samantha.house import House

    config = directory / "samantha.yaml"
    config.write_text(CONFIG)
    house = House.prepare(config)
    await house.start()
    return house


async def latency(directory: Path) -> dict[str, Any]:
    from samantha.plugins.web.server import Dashboard

    house = await _house(directory)
    dash = Dashboard(house, house.section("web"))
    await dash.start()
    assert dash.sock is not None
    port = dash.sock.getsockname()[1]
    child = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--pages", str(port), str(PAGES), str(SECONDS + 1),
        stdout=subprocess.PIPE)
    assert child.stdout is not None
    assert (await child.stdout.readline()).strip() == b"ready"
    while len(dash.live.clients) < PAGES:
        await asyncio.sleep(0.01)
    device = next(iter(house.home.devices))
    sent = 0
    start = time.monotonic()
    while time.monotonic() - start < SECONDS:
        house.home.update_state(device, {"bench_seq": sent, "bench_t": time.time()})
        sent += 1
        await asyncio.sleep(max(0.0, start + sent / RATE - time.monotonic()))
    out = (await child.stdout.read()).decode().strip().splitlines()
    await child.wait()
    await dash.stop()
    await house.stop()
    samples = sorted(json.loads(out[-1]))
    quantiles = statistics.quantiles(samples, n=100)
    return {"pages": PAGES, "events_per_s": RATE, "events": sent,
            "deliveries": len(samples), "expected_deliveries": sent * PAGES,
            "p50_ms": round(quantiles[49] * 1000, 2), "p95_ms": round(quantiles[94] * 1000, 2),
            "max_ms": round(samples[-1] * 1000, 2)}


async def idle_cpu(directory: Path) -> dict[str, Any]:
    from samantha.plugins.web.server import Dashboard

    house = await _house(directory)
    await asyncio.sleep(1)
    c0 = time.process_time()
    await asyncio.sleep(IDLE_S)
    without = time.process_time() - c0
    dash = Dashboard(house, house.section("web"))
    await dash.start()
    assert dash.sock is not None
    port = dash.sock.getsockname()[1]
    page = socket.create_connection(("127.0.0.1", port))  # one page open, as on a wall tablet
    page.sendall(f"GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    await asyncio.sleep(1)
    c0 = time.process_time()
    await asyncio.sleep(IDLE_S)
    with_dash = time.process_time() - c0
    page.close()
    await dash.stop()
    await house.stop()
    return {"seconds": IDLE_S, "house_cpu_pct": round(100 * without / IDLE_S, 3),
            "with_dashboard_cpu_pct": round(100 * with_dash / IDLE_S, 3),
            "added_cpu_pct": round(100 * (with_dash - without) / IDLE_S, 3)}


async def main() -> None:
    from _results import write_results

    with tempfile.TemporaryDirectory() as tmp:
        lat = await latency(Path(tmp))
    with tempfile.TemporaryDirectory() as tmp:
        cpu = await idle_cpu(Path(tmp))
    print(f"event -> page latency, {PAGES} pages, {RATE} events/s for {SECONDS:g} s: "
          f"p50 {lat['p50_ms']} ms, p95 {lat['p95_ms']} ms (max {lat['max_ms']} ms); "
          f"{lat['deliveries']}/{lat['expected_deliveries']} delivered")
    print(f"  p95 / target 100 ms: {lat['p95_ms'] / 100:.2f}")
    print(f"idle house: {cpu['house_cpu_pct']}% of a core; with the dashboard and one page "
          f"open: {cpu['with_dashboard_cpu_pct']}% (adds {cpu['added_cpu_pct']}%)")
    print(f"  added CPU / target 1%: {cpu['added_cpu_pct'] / 1:.2f}")
    path = write_results("dashboard", {"latency": lat, "idle_cpu": cpu,
                                       "targets": {"p95_ms": 100, "added_cpu_pct": 1.0}})
    print(f"wrote {path}")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--pages":
        pages_main(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
    else:
        asyncio.run(main())
