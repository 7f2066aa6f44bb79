"""Run the installed `samantha` command in a subprocess, as a user would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def samantha_cli(*args: str, stdin: str | None = None, cwd: Path | None = None,
                 env: dict[str, str] | None = None,
                 timeout: float = 120) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "samantha"
    return subprocess.run([str(exe), *args], input=stdin, capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=timeout, check=False)
