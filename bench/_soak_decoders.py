"""What a hub's pocketsphinx recognizer costs in native memory, and what freeing it gives back
(issue 19: attributing bench/soak.py's growth).

Builds recognizers as the satellite hub does (SphinxStt from the soak's speech settings, each
built on a worker thread as asyncio.to_thread did), frees them, and reads the RSS after each
step and after malloc_trim(0). Run it again under MALLOC_ARENA_MAX=2 to see what the threads'
malloc arenas keep:

    .venv/bin/python bench/_soak_decoders.py [--rounds 5] [--free-form] [--one-thread]
    MALLOC_ARENA_MAX=2 .venv/bin/python bench/_soak_decoders.py
"""

from __future__ import annotations

import argparse
import concurrent.futures
import ctypes
import gc
import json
import os
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
    args = parser.parse_args()

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


if __name__ == "__main__":
    main()
