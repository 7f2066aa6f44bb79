"""`samantha listen` on the shipped English example: no warnings, and quiet into a closed pipe."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from speech.audio import EN_CONFIG, Speak

from harness.cli import samantha_cli

SAMANTHA = str(Path(sys.executable).parent / "samantha")


@pytest.fixture(scope="module")
def recording(say_en: Speak) -> Path:
    return say_en("hey samantha. turn on the kitchen lights", pad=(0.5, 1.5))


def test_the_english_example_listens_without_warnings(recording: Path) -> None:
    out = samantha_cli("listen", str(recording), "--room", "kitchen", "-c", str(EN_CONFIG),
                       "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.splitlines()[-1])["event"] == "summary"
    assert "WARNING" not in out.stderr and "warning" not in out.stderr.lower(), out.stderr


def test_listen_into_a_closed_pipe_exits_quietly(recording: Path) -> None:
    """`samantha listen ... | head -0`: the reader is gone before the first event."""
    child = subprocess.Popen([SAMANTHA, "listen", str(recording), "--room", "kitchen", "-c",
                              str(EN_CONFIG), "--json", "--partials"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None
    child.stdout.close()  # every write to stdout now fails with EPIPE
    _, err = child.communicate(timeout=120)
    for noise in ("Traceback", "BrokenPipe", "Exception ignored"):
        assert noise not in err, err
    assert child.returncode in (0, 1), err
