"""Run traces: what triggered a run, how each condition came out, what each action did.

The last N traces per automation are kept in memory and appended (in batches) to JSON lines
under the state directory, so `samantha automations trace` in another process can read them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections import deque
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

log = logging.getLogger(__name__)

StepOutcome = Literal["running", "ok", "error", "skipped", "timeout", "cancelled", "stopped"]
_SLACK = 20  # extra lines a trace file may hold before it is cut back

RunOutcome = Literal["running", "finished", "condition_failed", "stopped", "error", "cancelled"]


class ConditionTrace(BaseModel):
    path: str
    type: str
    result: bool
    error: str | None = None


class StepTrace(BaseModel):
    path: str
    type: str
    alias: str | None = None
    started: float = Field(description="Wall-clock time, seconds since the epoch.")
    duration_ms: float = 0.0
    outcome: StepOutcome = "running"
    result: Any = None
    error: str | None = None


class Trace(BaseModel):
    automation: str
    run: int = Field(description="Run number, counting from 1 since the house started.")
    started: float
    finished: float | None = None
    trigger: dict[str, Any] = Field(default_factory=dict)
    conditions: list[ConditionTrace] = Field(default_factory=list)
    steps: list[StepTrace] = Field(default_factory=list)
    outcome: RunOutcome = "running"
    error: str | None = None


def jsonable(value: Any, depth: int = 0) -> Any:
    """Plain JSON data from trigger data and results (events, bytes, dates, sets)."""
    if depth > 8:
        return repr(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, BaseModel):
        return jsonable(value.model_dump(mode="json"), depth + 1)
    if isinstance(value, dict):
        return {str(k): jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v, depth + 1) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return jsonable(value.value, depth + 1)
    return repr(value)


def _safe_name(automation_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in automation_id)


class TraceStore:
    """Keeps the last `keep` traces per automation; `flush()` writes the new ones to disk."""

    def __init__(self, keep: int, directory: Path | None) -> None:
        self.keep = keep
        self.directory = directory
        self.memory: dict[str, deque[Trace]] = {}
        self._pending: dict[str, list[Trace]] = {}
        self._lines: dict[str, int] = {}

    def record(self, trace: Trace) -> None:
        kept = self.memory.get(trace.automation)
        if kept is None:
            kept = self.memory[trace.automation] = deque(maxlen=self.keep)
        kept.append(trace)
        if self.directory is not None:
            self._pending.setdefault(trace.automation, []).append(trace)

    def traces(self, automation_id: str) -> list[Trace]:
        return list(self.memory.get(automation_id, ()))

    def flush(self) -> None:
        for _ in self._flush_steps():
            pass

    async def flush_async(self, per_step: int = 10) -> None:
        """Like flush, yielding to the loop between files so runs are not held up."""
        import asyncio

        for i, _ in enumerate(self._flush_steps()):
            if i % per_step == per_step - 1:
                await asyncio.sleep(0)

    def _flush_steps(self) -> Iterator[None]:
        if self.directory is None or not self._pending:
            return
        pending, self._pending = self._pending, {}
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            log.error("cannot create the trace directory %s: %s", self.directory, err)
            return
        for automation_id, traces in pending.items():
            path = self.directory / f"{_safe_name(automation_id)}.jsonl"
            try:
                self._append(path, automation_id, traces[-self.keep:])
            except OSError as err:
                log.error("cannot write traces to %s: %s", path, err)
            yield

    def _append(self, path: Path, automation_id: str, traces: list[Trace]) -> None:
        if automation_id not in self._lines:
            self._lines[automation_id] = _count_lines(path)
        with path.open("a", encoding="utf-8") as out:
            out.writelines(_line(t) for t in traces)
        self._lines[automation_id] += len(traces)
        # Rewrite only when the file holds well over what we keep, and without parsing:
        # appends stay cheap and a busy automation costs one small rewrite now and then.
        if self._lines[automation_id] > 2 * self.keep + _SLACK:
            kept = path.read_text(encoding="utf-8").splitlines(keepends=True)[-self.keep:]
            tmp = path.with_suffix(".tmp")
            tmp.write_text("".join(kept), encoding="utf-8")
            os.replace(tmp, path)
            self._lines[automation_id] = len(kept)


def _line(trace: Trace) -> str:
    # Runs store trigger data as they got it; only what is written must be JSON.
    trace.trigger = jsonable(trace.trigger)
    return trace.model_dump_json() + "\n"


def _count_lines(path: Path) -> int:
    try:
        with path.open("rb") as f:
            return sum(1 for _ in f)
    except FileNotFoundError:
        return 0


def read_traces(path: Path) -> list[Trace]:
    """Traces from a JSON lines file, oldest first; a torn last line is skipped."""
    out = []
    with contextlib.suppress(FileNotFoundError), path.open(encoding="utf-8") as f:
        for line in f:
            with contextlib.suppress(ValueError):
                out.append(Trace.model_validate_json(line))
    return out


def stored_traces(directory: Path, automation_id: str) -> list[Trace]:
    return read_traces(directory / f"{_safe_name(automation_id)}.jsonl")


def describe(traces: Iterable[Trace]) -> list[dict[str, Any]]:
    return [json.loads(t.model_dump_json()) for t in traces]
