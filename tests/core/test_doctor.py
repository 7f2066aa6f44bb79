"""`samantha doctor`: a tick or a cross and a fix for each check; one bad check costs one line."""

from __future__ import annotations

import json
import os
import pty
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.cli import samantha_cli
from samantha.checks import Check, CheckResult, disk_space, fail, ok
from samantha.doctor import exit_code, run_checks

# A local plugin with one check of each kind of misbehaviour, beside a good one.
CHECKS_PLUGIN = '''
import asyncio, time
from samantha import Check, hookimpl
from samantha.checks import ok, warn

async def hangs():
    await asyncio.sleep(3600)

def blocks():
    time.sleep(3600)  # a sync check stuck in a driver call: its thread is abandoned

def raises():
    raise RuntimeError("sensor bus on fire")

def nonsense():
    return "all good, probably"

@hookimpl
def samantha_checks(house):
    return [Check("garden hose", lambda: ok("water pressure 2.1 bar"), timeout=2),
            Check("hangs", hangs, timeout=0.5), Check("blocks", blocks, timeout=0.5),
            Check("raises", raises), Check("nonsense", nonsense),
            Check("garden gate", lambda: warn("gate open", "close the gate"))]
'''

CONFIG = """\
rooms: [{{name: Kitchen}}]
devices: [{{name: Lamp, room: Kitchen, kind: light}}]
plugins: [garden_checks.py]
web: {{port: {port}}}
"""


@pytest.fixture(scope="module")
def taken_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def house_dir(tmp_path_factory: pytest.TempPathFactory, taken_port: int) -> Path:
    directory = tmp_path_factory.mktemp("doctor")
    (directory / "garden_checks.py").write_text(CHECKS_PLUGIN)
    (directory / "samantha.yaml").write_text(CONFIG.format(port=taken_port))
    return directory


@pytest.fixture(scope="module")
def findings(house_dir: Path) -> dict[str, dict[str, str]]:
    started = time.monotonic()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    out = samantha_cli("doctor", "--json", "-c", str(house_dir / "samantha.yaml"), timeout=60,
                       env=env)
    took = time.monotonic() - started
    assert out.returncode == 1, out.stderr  # crosses below
    assert took < 30, f"doctor took {took:.1f} s: a hung check held it up"
    listed = json.loads(out.stdout)
    return {f["name"]: f for f in listed}


def test_core_checks_pass(findings: dict[str, dict[str, str]]) -> None:
    for name in ("Python", "packages", "configuration"):
        assert findings[name]["status"] == "ok", findings[name]
        assert findings[name]["source"] == "core"
    assert "1 room" in findings["configuration"]["detail"]
    assert any(n.startswith("disk space") for n in findings)


def test_each_bad_check_costs_only_its_line(findings: dict[str, dict[str, str]]) -> None:
    assert findings["garden hose"] == {**findings["garden hose"], "status": "ok",
                                       "detail": "water pressure 2.1 bar",
                                       "source": "garden_checks"}
    assert findings["hangs"]["status"] == "fail"
    assert "no answer within 0.5 s" in findings["hangs"]["detail"]
    assert findings["blocks"]["status"] == "fail"
    assert findings["raises"]["status"] == "fail"
    assert "RuntimeError: sensor bus on fire" in findings["raises"]["detail"]
    assert findings["nonsense"]["status"] == "fail"
    assert "not a CheckResult" in findings["nonsense"]["detail"]
    assert findings["garden gate"]["status"] == "warn"
    assert findings["garden gate"]["fix"] == "close the gate"
    for f in findings.values():
        if f["status"] != "ok":
            assert f["fix"], f"{f['name']} has no fix"


def test_dashboard_port_in_use_is_a_cross(findings: dict[str, dict[str, str]],
                                          taken_port: int) -> None:
    port = findings["dashboard port"]
    assert port["status"] == "fail"
    assert f"127.0.0.1:{taken_port}" in port["detail"] and "web.port" in port["fix"]


def test_text_output_ticks_crosses_and_fixes(house_dir: Path) -> None:
    out = samantha_cli("doctor", "-c", str(house_dir / "samantha.yaml"), timeout=60)
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    hose = next(ln for ln in lines if "garden hose" in ln)
    assert hose.startswith("✓ ") and "water pressure 2.1 bar" in hose
    raises = lines.index(next(ln for ln in lines if "sensor bus on fire" in ln))
    assert lines[raises].startswith("✗ ")
    assert lines[raises + 1].strip().startswith("fix: ")
    # Details and fixes line up in one column.
    python = next(ln for ln in lines if ln.startswith("✓ Python "))
    assert (hose.index("water pressure") == lines[raises].index("the check itself")
            == python.index("Python 3") == lines[raises + 1].index("fix: ")), lines
    assert lines[-1].endswith("failed") and "checks:" in lines[-1]


def test_a_broken_config_is_a_cross_with_the_way_to_fix_it(tmp_path: Path) -> None:
    cfg = tmp_path / "samantha.yaml"
    cfg.write_text("rooms: [{name: Kitchen}]\nroms: []\n")
    out = samantha_cli("doctor", "--json", "-c", str(cfg), timeout=60)
    assert out.returncode == 1
    found = {f["name"]: f for f in json.loads(out.stdout)}
    assert found["configuration"]["status"] == "fail"
    assert "roms" in found["configuration"]["detail"]
    assert "samantha config check" in found["configuration"]["fix"]
    assert found["Python"]["status"] == "ok"  # the rest still ran
    assert found["plugin checks"]["status"] == "fail"


def test_the_demo_house_is_healthy() -> None:
    # No model endpoint from the environment: the check would go beyond this machine.
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    out = samantha_cli("doctor", "--json", timeout=60, env=env)
    statuses = {f["name"]: f["status"] for f in json.loads(out.stdout)}
    assert out.returncode == 0 or statuses.get("dashboard port") == "fail", out.stdout
    assert statuses["configuration"] == "ok"


async def test_checks_run_concurrently() -> None:
    async def slow() -> CheckResult:
        import asyncio

        await asyncio.sleep(0.6)
        return ok("done")

    started = time.monotonic()
    found = await run_checks([("t", Check(f"slow {i}", slow)) for i in range(5)])
    assert time.monotonic() - started < 2.0  # one after another would take 3 s
    assert [f.status for f in found] == ["ok"] * 5 and exit_code(found) == 0


async def test_disk_space_check(tmp_path: Path) -> None:
    [ok_finding] = await run_checks([("core", disk_space("x", tmp_path / "not" / "yet"))])
    assert ok_finding.status == "ok" and "GB free" in ok_finding.detail
    [full] = await run_checks([("core", disk_space("x", tmp_path, min_free=2**62))])
    assert full.status == "fail" and full.fix
    assert exit_code([full]) == 1


def test_fail_needs_a_fix() -> None:
    assert fail("broken", "mend it") == CheckResult("fail", "broken", "mend it")


SLOW_PLUGIN = '''
import asyncio
from samantha import Check, hookimpl
from samantha.checks import ok

async def slow():
    await asyncio.sleep(1.5)
    return ok("finally")

@hookimpl
def samantha_checks(house):
    return [Check("slow sensor", slow, timeout=5)]
'''


def test_progress_is_shown_on_a_terminal_while_slow_checks_run(tmp_path: Path) -> None:
    (tmp_path / "slow_checks.py").write_text(SLOW_PLUGIN)
    cfg = tmp_path / "samantha.yaml"
    cfg.write_text("rooms: [{name: Kitchen}]\nplugins: [slow_checks.py]\nweb: {port: 0}\n")
    master, slave = pty.openpty()
    exe = Path(sys.executable).parent / "samantha"
    child = subprocess.Popen([str(exe), "doctor", "-c", str(cfg)], stdout=subprocess.PIPE,
                             stderr=slave, env={**os.environ, "COLUMNS": "120"})
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        seen += chunk
    out, _ = child.communicate(timeout=60)
    os.close(master)
    assert b"waiting for slow sensor" in seen, seen[-500:]
    assert b"slow sensor" in out and b"finally" in out
    assert b"waiting for" not in out  # progress goes to the terminal, not into the findings
