"""What `samantha doctor` runs: checks from the core and from plugins (`samantha_checks`).

A check is a name and a function (sync or async) returning a `CheckResult`: a status, what
was found, and for anything short of "ok" how to fix it. The doctor runs every check on its
own with a timeout, so a hanging or raising check costs only its own line.
"""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Status = Literal["ok", "warn", "fail"]

MIN_FREE_BYTES = 200 * 1024 * 1024  # memories and recordings need little, but SQLite needs some


@dataclass(frozen=True)
class CheckResult:
    status: Status
    detail: str  # what was found, one line
    fix: str = ""  # what to do about it (for warn and fail)


def ok(detail: str) -> CheckResult:
    return CheckResult("ok", detail)


def warn(detail: str, fix: str = "") -> CheckResult:
    return CheckResult("warn", detail, fix)


def fail(detail: str, fix: str) -> CheckResult:
    return CheckResult("fail", detail, fix)


@dataclass(frozen=True)
class Check:
    """One thing `samantha doctor` verifies; `run` may be sync (run in a thread) or async."""

    name: str
    run: Callable[[], CheckResult | Awaitable[CheckResult]]
    timeout: float = 10.0


def disk_space(what: str, path: Path, min_free: int = MIN_FREE_BYTES) -> Check:
    """A check that the disk holding `path` (or its nearest existing parent) has room."""

    def run() -> CheckResult:
        where = path
        while not where.exists() and where != where.parent:
            where = where.parent
        free = shutil.disk_usage(where).free
        text = f"{free / 2**30:.1f} GB free for {path}"
        if free < min_free:
            return fail(text, f"free some space on the disk holding {where}, or point "
                              f"{what} elsewhere in the config")
        return ok(text)

    return Check(f"disk space ({what})", run, timeout=5)
