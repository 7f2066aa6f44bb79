"""Talking to a running house through its state directory: reload requests and their results.

A request is a small JSON file with a fresh nonce; the running house polls for it (and for
changed config files), reloads, and writes the result with the same nonce. Plain files work
across processes, users of the same directory and container mounts, and leave nothing to
clean up when either side dies.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

REQUEST = "reload-request.json"
RESULT = "reload-result.json"
STATUS = "status.json"


def state_dir(config_path: Path | None, configured: Path | None) -> Path | None:
    """Where traces and control files live: `state_dir` from the settings, else
    `.samantha/automations` beside the config file (None for the built-in demo house)."""
    if config_path is None:
        return None
    base = config_path.resolve().parent
    if configured is not None:
        return configured if configured.is_absolute() else base / configured
    return base / ".samantha" / "automations"


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def request_reload(directory: Path) -> str:
    nonce = secrets.token_hex(8)
    write_json(directory / REQUEST, {"nonce": nonce, "at": time.time()})
    return nonce


def wait_result(directory: Path, nonce: str, timeout: float) -> dict[str, Any] | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = read_json(directory / RESULT)
        if result is not None and result.get("nonce") == nonce:
            return result
        time.sleep(0.05)
    return None


class Watcher:
    """Remembers file stamps and the last request seen; `changed()` says what is new."""

    def __init__(self, directory: Path | None, files: list[Path]) -> None:
        self.directory = directory
        self.files: dict[Path, float | None] = {}
        self.watch(files)
        request = read_json(directory / REQUEST) if directory else None
        self.nonce = request.get("nonce") if request else None

    def watch(self, files: list[Path]) -> None:
        self.files = {f: _mtime(f) for f in files}

    def request(self) -> str | None:
        """A new reload request's nonce, once."""
        if self.directory is None:
            return None
        request = read_json(self.directory / REQUEST)
        nonce = request.get("nonce") if request else None
        if nonce and nonce != self.nonce:
            self.nonce = nonce
            return str(nonce)
        return None

    def files_changed(self) -> bool:
        return any(_mtime(f) != stamp for f, stamp in self.files.items())


def _mtime(path: Path) -> float | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns + st.st_size * 1e-3
