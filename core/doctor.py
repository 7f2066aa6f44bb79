"""`samantha doctor`: run the core's and every plugin's checks, each isolated and timed out.

The checks run concurrently; each has its own timeout, and one that raises, hangs or returns
nonsense becomes a cross on its own line while the others go on. Synchronous checks run in
daemon threads, so one stuck in a driver call cannot keep the command from exiting.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samantha.checks import Check, CheckResult, disk_space, fail, ok
from samantha.daemon_thread import in_daemon_thread

if TYPE_CHECKING:
    from samantha.house import House

MIN_PYTHON = (3, 10)


@dataclass(frozen=True)
class Finding:
    source: str  # "core" or the plugin that contributed the check
    name: str
    status: str
    detail: str
    fix: str
    seconds: float

    def public(self) -> dict[str, Any]:
        return asdict(self)


CHECK_THREAD = "samantha-doctor-check"


def checks_still_running() -> bool:
    """Whether a check that ran out of time is still going in its thread."""
    return any(t.name == CHECK_THREAD and t.is_alive() for t in threading.enumerate())


async def run_check(source: str, check: Check) -> Finding:
    started = time.monotonic()
    try:
        if inspect.iscoroutinefunction(check.run):
            result = await asyncio.wait_for(check.run(), check.timeout)
        else:
            running = in_daemon_thread(check.run, CHECK_THREAD)
            result = await asyncio.wait_for(running, check.timeout)
            if inspect.isawaitable(result):
                result = await asyncio.wait_for(result, check.timeout)
        if not isinstance(result, CheckResult):
            result = fail(f"the check returned {type(result).__name__}, not a CheckResult",
                          f"a bug in the {source} plugin's check; report it")
    except (asyncio.TimeoutError, TimeoutError):
        result = fail(f"no answer within {check.timeout:g} s",
                      "see what it waits for with `samantha -vv doctor`")
    except Exception as err:
        result = fail(f"the check itself failed: {type(err).__name__}: {err}",
                      f"a bug in the {source} plugin's check; report it with `samantha -vv "
                      "doctor`")
    return Finding(source, check.name, result.status, result.detail, result.fix,
                   round(time.monotonic() - started, 3))


async def run_checks(checks: Iterable[tuple[str, Check]],
                     on_done: Callable[[Finding, list[str]], None] | None = None
                     ) -> list[Finding]:
    """Every check at once; `on_done(finding, still_running)` after each (for progress)."""
    listed = list(checks)
    pending = {i: f"{check.name}" for i, (_source, check) in enumerate(listed)}
    found: dict[int, Finding] = {}

    async def one(index: int, source: str, check: Check) -> None:
        finding = await run_check(source, check)
        found[index] = finding
        pending.pop(index, None)
        if on_done is not None:
            on_done(finding, list(pending.values()))

    await asyncio.gather(*(one(i, s, c) for i, (s, c) in enumerate(listed)))
    return [found[i] for i in range(len(listed))]


# --- the core's own checks ----------------------------------------------------------------------


def python_check() -> Check:
    def run() -> CheckResult:
        version = ".".join(str(p) for p in sys.version_info[:3])
        if sys.version_info[:2] < MIN_PYTHON:
            return fail(f"Python {version} ({sys.executable})",
                        f"Samantha needs Python {'.'.join(map(str, MIN_PYTHON))} or newer")
        return ok(f"Python {version} ({sys.executable})")

    return Check("Python", run, timeout=5)


def _unmet(requirement: str) -> str | None:
    """Why a `Requires-Dist` line is not satisfied here, or None when it is (or is optional)."""
    try:
        from packaging.requirements import Requirement
    except ImportError:  # pragma: no cover - packaging ships with pip's toolchain
        name = requirement.split(";")[0].split("[")[0].strip()
        for sep in "<>=!~ ":
            name = name.split(sep)[0]
        if "extra ==" in requirement:
            return None
        try:
            metadata.version(name)
        except metadata.PackageNotFoundError:
            return f"{name} is missing"
        return None
    req = Requirement(requirement)
    if req.marker is not None and not req.marker.evaluate({"extra": ""}):
        return None
    try:
        installed = metadata.version(req.name)
    except metadata.PackageNotFoundError:
        return f"{req.name} is missing"
    if req.specifier and not req.specifier.contains(installed, prereleases=True):
        return f"{req.name} {installed} (needs {req.specifier})"
    return None


def packages_check() -> Check:
    def run() -> CheckResult:
        try:
            version = metadata.version("samantha")
            requires = metadata.requires("samantha") or []
        except metadata.PackageNotFoundError:
            return fail("the samantha package is not installed (run from a source tree?)",
                        "pip install -e . (or make) in the repository")
        problems = [p for p in map(_unmet, requires) if p]
        if problems:
            return fail(f"samantha {version}: {'; '.join(problems)}",
                        "pip install -e . (or `make`) to install what is missing")
        needed = sum(1 for r in requires if "extra ==" not in r)
        return ok(f"samantha {version}; {needed} required packages in place")

    return Check("packages", run, timeout=10)


def data_dirs() -> list[tuple[str, Path]]:
    """Where Samantha keeps memories, voices and recordings, and its outboxes and traces."""
    xdg_data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local/share")
    data = os.environ.get("SAMANTHA_DATA_DIR") or str(Path(xdg_data) / "samantha")
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local/state")
    return [("memories, voices", Path(data)), ("outboxes, traces", Path(state) / "samantha")]


def config_check(config_path: Path | None, house: House | None, problem: str | None,
                 fix: str) -> Check:
    def run() -> CheckResult:
        from samantha.config import DEMO_CONFIG

        where = config_path or DEMO_CONFIG
        if house is None:
            return fail(f"{where}: {problem}", fix)
        rooms = len(house.config.rooms)
        plugins = len(house.host.plugin_names())
        return ok(f"{where}: {rooms} room{'s' if rooms != 1 else ''}, {plugins} plugins loaded")

    return Check("configuration", run, timeout=5)


def core_checks(config_path: Path | None, house: House | None, problem: str | None,
                fix: str) -> list[tuple[str, Check]]:
    checks = [python_check(), packages_check(), config_check(config_path, house, problem, fix)]
    checks += [disk_space(what, path) for what, path in data_dirs()]
    return [("core", c) for c in checks]


def plugin_checks(house: House) -> list[tuple[str, Check]]:
    """Every plugin's checks; a plugin whose hook fails gets one cross saying so."""
    out: list[tuple[str, Check]] = []
    failures_before = len(house.host.failures)
    for plugin, checks in house.host.call("samantha_checks", house=house):
        out.extend((plugin, c) for c in checks)
    for failure in house.host.failures[failures_before:]:
        if failure.hook == "samantha_checks":
            message = failure.error

            def broken(message: str = message) -> CheckResult:
                return fail(f"could not list its checks: {message}",
                            "a bug in the plugin; report it")

            out.append((failure.plugin, Check(f"{failure.plugin} checks", broken, timeout=5)))
    return out


def exit_code(findings: Iterable[Finding]) -> int:
    return 1 if any(f.status == "fail" for f in findings) else 0
