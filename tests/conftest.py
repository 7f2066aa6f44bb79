"""Suite-wide settings. `make test` sets SAMANTHA_STRICT_TESTS=1: a skipped test fails the run,
because a skip proves nothing and the test command installs every real component it needs."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from harness import fuzzcount
from harness.mosquitto import Mosquitto

REPO = Path(__file__).resolve().parent.parent

# Nothing a test run writes (memories, mood, outboxes) may land in the user's real data dir;
# subprocesses started by tests inherit this. Each test process its own: parallel workers
# (`pytest -n`) inherit the first one's environment, and their houses must not share timers.
os.environ["SAMANTHA_DATA_DIR"] = tempfile.mkdtemp(prefix="samantha-test-data-")
_skipped: list[str] = []
_fuzzed: list[str] = []  # each fuzzer's line (harness/fuzzcount.py), in the order they ran

# Fuzzers: a bounded run in `make test`; `make fuzz` (SAMANTHA_FUZZ=1) tries many more inputs.
# Derandomized in the suite so a green run stays green; `make fuzz` explores.
settings.register_profile(
    "suite", max_examples=300, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "fuzz", max_examples=int(os.environ.get("SAMANTHA_FUZZ_EXAMPLES", "100000")), deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile("fuzz" if os.environ.get("SAMANTHA_FUZZ") == "1" else "suite")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped.append(report.nodeid)
    if report.when == "call" and report.passed:
        _fuzzed.extend(str(v) for k, v in report.user_properties if k == fuzzcount.KEY)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("SAMANTHA_STRICT_TESTS") == "1" and _skipped and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in _fuzzed:
        terminalreporter.write_line(line)
    if os.environ.get("SAMANTHA_STRICT_TESTS") == "1" and _skipped:
        terminalreporter.write_line(
            f"strict mode: {len(_skipped)} skipped test(s) fail the run: {', '.join(_skipped)}",
            red=True,
        )


@pytest.fixture(autouse=True)
def own_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
                 ) -> None:
    """Each test its own data dir and state dir (and the processes it starts, which inherit
    them). A house restores the timers and scheduled sentences it finds in its data dir: one
    test's "turn off the lights in ten minutes" fired in another test's house (a satellite
    test saw its light switched off twice more), and MQTT outboxes must not be shared either.
    Processes a module-scoped fixture starts get the session's directory (or their own)."""
    monkeypatch.setenv("SAMANTHA_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


@pytest.fixture
def repo() -> Path:
    return REPO


def _broker(tmp_path: Path, mode: str) -> Iterator[Mosquitto]:
    with Mosquitto(tmp_path / "broker") as broker:
        yield broker.start(mode)  # type: ignore[arg-type]


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Mosquitto]:
    """A real Mosquitto on a free port, stopped by PID after the test."""
    yield from _broker(tmp_path, "plain")


@pytest.fixture
def password_broker(tmp_path: Path) -> Iterator[Mosquitto]:
    yield from _broker(tmp_path, "password")


@pytest.fixture
def tls_broker(tmp_path: Path) -> Iterator[Mosquitto]:
    yield from _broker(tmp_path, "tls")
