"""What a hub's pocketsphinx recognizer costs in native memory, and what freeing it gives back
(issue 19: attributing bench/soak.py's growth).

Builds recognizers as the satellite hub does (SphinxStt from the soak's speech settings, each
built on a worker thread as asyncio.to_thread did), frees them, and reads the RSS after each
step and after malloc_trim(0). Run it again under MALLOC_ARENA_MAX=2 to see what the threads'
malloc arenas keep:

    .venv/bin/python bench/_soak_decoders.py [--rounds 5] [--free-form] [--one-thread]
    MALLOC_ARENA_MAX=2 .venv/bin/python bench/_soak_decoders.py
    .venv/bin/python bench/_soak_decoders.py --all   # each way in its own process, a table

--all writes bench/results/soak_decoders.json.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import ctypes
import gc
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def trim() -> None:
    ctypes.CDLL("libc.so.6").malloc_trim(0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5,
                        help="times two recognizers are built and one is dropped")
    parser.add_argument("--free-form", action="store_true",
                        help="each recognizer also loads its free-form LM (a fallback)")
    parser.add_argument("--one-thread", action="store_true",
                        help="build every recognizer on one dedicated thread")
    parser.add_argument("--all", action="store_true",
                        help="run each way in a process of its own and compare")
    args = parser.parse_args()
    if args.all:
        compare(args.rounds)
        return

    from samantha.plugins.speech.sphinx_engines import SphinxStt

    figures: dict[str, Any] = {"malloc_arena_max": os.environ.get("MALLOC_ARENA_MAX"),
                               "free_form": args.free_form, "one_thread": args.one_thread}
    start = rss_mb()

    def build() -> SphinxStt:
        stt = SphinxStt(None, {})
        if args.free_form:
            stt.transcribe_free(bytes(3200))
        return stt

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1 if args.one_thread else 8)

    def on_thread() -> SphinxStt:
        # to_thread's pool: each build may land on a new worker thread (a new arena).
        future = pool.submit(build)
        try:
            return future.result()
        finally:
            del future

    first = on_thread()
    one = rss_mb()
    figures["one_recognizer_mb"] = round(one - start, 1)
    print(f"one recognizer: +{one - start:.1f} MB")
    kept = [first]
    del first
    peak = one
    for n in range(args.rounds):
        # A broker restart: both satellites go, one decoder is kept as spare, one dropped,
        # and a new one built when they come back (as MAX_SPARE=1 did).
        futures = [pool.submit(build) for _ in range(2)] if not args.one_thread else []
        built = [f.result() for f in futures] if futures else [on_thread(), on_thread()]
        kept += built
        peak = max(peak, rss_mb())
        del built, futures  # a future holds its result
        dropped = kept[1:]
        kept = kept[:1]
        del dropped
        gc.collect()
        print(f"round {n + 1}: {rss_mb() - start:+.1f} MB after dropping two")
    held = rss_mb()
    trim()
    trimmed = rss_mb()
    figures.update({"rounds": args.rounds, "peak_mb": round(peak - start, 1),
                    "after_rounds_mb": round(held - start, 1),
                    "after_malloc_trim_mb": round(trimmed - start, 1)})
    del kept
    gc.collect()
    trim()
    figures["all_freed_trimmed_mb"] = round(rss_mb() - start, 1)
    print(json.dumps(figures))


WAYS = {
    "worker threads (asyncio.to_thread, as before)": ([], {}),
    "one builder thread (as now)": (["--one-thread"], {}),
    "worker threads, MALLOC_ARENA_MAX=2": ([], {"MALLOC_ARENA_MAX": "2"}),
    "worker threads, free-form LM loaded": (["--free-form"], {}),
}


def compare(rounds: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _results import write_results

    rows: dict[str, dict[str, Any]] = {}
    for name, (flags, env) in WAYS.items():
        out = subprocess.run([sys.executable, __file__, "--rounds", str(rounds), *flags],
                             capture_output=True, text=True, check=True,
                             env={**os.environ, **env}).stdout
        rows[name] = json.loads(out.strip().splitlines()[-1])
    base = rows[next(iter(WAYS))]["after_malloc_trim_mb"]
    print(f"{'way':<48}{'one':>7}{'peak':>7}{'kept':>7}{'trimmed':>9}{'ratio':>7}")
    for name, row in rows.items():
        print(f"{name:<48}{row['one_recognizer_mb']:>7}{row['peak_mb']:>7}"
              f"{row['after_rounds_mb']:>7}{row['after_malloc_trim_mb']:>9}"
              f"{row['after_malloc_trim_mb'] / base:>6.2f}x")
    print("(MB over the process's start: one recognizer; the peak; what is kept with one "
          f"recognizer alive after {rounds} rounds of two built and dropped; the same after "
          "malloc_trim(0))")
    print(f"wrote {write_results('soak_decoders', rows)}")


if __name__ == "__main__":
    main()
