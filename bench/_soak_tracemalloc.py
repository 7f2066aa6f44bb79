"""A plugin for bench/soak.py: attributes the house's memory growth with tracemalloc.

Loaded only when the soak runs with --trace-memory. The first SIGUSR1 (at the soak's baseline)
starts tracing: tracing from start-up slows the house past its start-up budget, and only
what is allocated after the baseline is growth anyway. Each later SIGUSR1 writes the traced
allocations still alive, grouped by line, by file and by traceback, to
$SAMANTHA_TRACEMALLOC_DIR/dump-<pid>-<n>.txt."""

from __future__ import annotations

import ctypes
import os
import signal
import tracemalloc
from pathlib import Path
from types import FrameType

from samantha import hookimpl

_state = {"n": 0}


def _dump(_sig: int, _frame: FrameType | None) -> None:
    if not tracemalloc.is_tracing():
        tracemalloc.start(10)
        return
    out = Path(os.environ.get("SAMANTHA_TRACEMALLOC_DIR", "."))
    snap = tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(False, tracemalloc.__file__)])
    n = _state["n"]
    _state["n"] = n + 1
    now, peak = tracemalloc.get_traced_memory()
    # What the C allocator keeps but Python freed shows as the RSS that malloc_trim returns.
    rss = _rss_mb()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    lines = [f"alive since tracing began: {now / 1e6:.1f} MB (peak {peak / 1e6:.1f} MB)",
             f"RSS {rss:.1f} MB, after malloc_trim(0) {_rss_mb():.1f} MB",
             "== by line =="]
    lines += [str(stat) for stat in snap.statistics("lineno")[:40]]
    lines.append("== by file ==")
    lines += [str(stat) for stat in snap.statistics("filename")[:30]]
    lines.append("== biggest tracebacks ==")
    for stat in snap.statistics("traceback")[:10]:
        lines.append(str(stat))
        lines += ["    " + line for line in stat.traceback.format()]
    path = out / f"dump-{os.getpid()}-{n}.txt"
    path.with_suffix(".tmp").write_text("\n".join(lines) + "\n")
    path.with_suffix(".tmp").rename(path)  # the soak waits for the .txt: whole or absent


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


signal.signal(signal.SIGUSR1, _dump)  # at import: plugins are imported in the main thread


@hookimpl
def samantha_startup(house: object) -> None:
    """Nothing to do: the handler is in place since the import."""
