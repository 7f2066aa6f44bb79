"""Cached virtual environments for real Home Assistant Cores, one per pinned release.

Home Assistant lives in its own venv, cached outside the repository and never mixed with the
project venv (homeassistant-api's niquests/urllib3-future would break HA's pinned urllib3).
A `HaVenv` names a release and what it must have installed; `ensure_installed()` builds that
venv once (under a lock, renamed into place whole) and returns it.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

_MARKER = ".samantha-ha-complete"


def log(msg: str) -> None:
    print(f"[ha-harness] {msg}", file=sys.stderr, flush=True)


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


@dataclass(frozen=True)
class HaVenv:
    """One Home Assistant release and the pins it runs with."""

    version: str
    requirements: tuple[str, ...]  # integration requirements, so HA never needs pip at run time
    constraints: tuple[str, ...]  # pins on top of HA's own package_constraints.txt
    pythons: tuple[tuple[int, int], ...]  # interpreters the release runs on
    python_env: str  # an environment variable that names an interpreter to use
    probe: str  # Python run in the venv; it must succeed in a complete venv

    @property
    def fingerprint(self) -> str:
        # Changing any pin must rebuild cached venvs, so the marker holds all of them.
        return json.dumps({"ha": self.version, "reqs": self.requirements,
                           "extra": self.constraints, "v": 1}, sort_keys=True)

    def cache_dir(self) -> Path:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "samantha-tests" / f"ha-{self.version}"

    def is_complete(self, venv: Path) -> bool:
        try:
            if (venv / _MARKER).read_text() != self.fingerprint:
                return False
        except OSError:
            return False
        probe = subprocess.run([str(venv_python(venv)), "-c", self.probe],
                               capture_output=True, timeout=120, check=False)
        return probe.returncode == 0

    def find_python(self) -> str:
        explicit = os.environ.get(self.python_env)
        if explicit:
            return explicit
        if sys.version_info[:2] in self.pythons:
            return sys.executable
        pyenv = Path(os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))) / "versions"
        candidates: list[str] = []
        for major, minor in self.pythons:
            candidates += [str(p / "bin" / f"python{major}.{minor}")
                           for p in sorted(pyenv.glob(f"{major}.{minor}.*"), reverse=True)]
            candidates += [found for found in [shutil.which(f"python{major}.{minor}")] if found]
        wanted = ", ".join(f"{major}.{minor}" for major, minor in self.pythons)
        for candidate in candidates:
            # A pyenv shim exists even when no such version is selected: ask the interpreter.
            check = subprocess.run(
                [candidate, "-c", f"import sys; assert sys.version_info[:2] in {self.pythons!r}"],
                capture_output=True, check=False)
            if check.returncode == 0:
                return candidate
        raise RuntimeError(f"Home Assistant {self.version} needs Python {wanted}; none found "
                           f"(set {self.python_env} to one)")

    def _build(self, target: Path) -> None:
        started = time.monotonic()
        log(f"building the Home Assistant {self.version} venv in {target} (a minute or more)")
        subprocess.run([self.find_python(), "-m", "venv", str(target)], check=True)
        python = venv_python(target)
        # HA ships its exact constraints inside its wheel; fetch the wheel alone to read them.
        pip(python, "--no-deps", f"homeassistant=={self.version}")
        found = list(target.glob(
            "lib/python3.*/site-packages/homeassistant/package_constraints.txt"))
        if not found:
            raise RuntimeError("homeassistant wheel has no package_constraints.txt")
        extra = target / "extra-constraints.txt"
        extra.write_text("".join(f"{line}\n" for line in self.constraints))
        log(f"wheel fetched after {time.monotonic() - started:.0f}s; installing dependencies")
        pip(python, "-c", str(found[0]), "-c", str(extra), f"homeassistant=={self.version}",
            *self.requirements)
        probe = subprocess.run([str(python), "-c", self.probe], capture_output=True, text=True,
                               check=False)
        if probe.returncode != 0:
            raise RuntimeError(
                f"fresh Home Assistant venv fails its probe:\n{probe.stderr[-2000:]}")
        (target / _MARKER).write_text(self.fingerprint)
        log(f"Home Assistant {self.version} venv built in {time.monotonic() - started:.0f}s")

    def ensure_installed(self) -> Path:
        """The path of a complete venv for this release, building it first if missing or broken."""
        root = self.cache_dir()
        venv = root / "venv"
        if self.is_complete(venv):
            return venv
        root.mkdir(parents=True, exist_ok=True)
        with open(root / ".install.lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log("another process is installing Home Assistant; waiting for it")
                fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                # Another process may have finished the build while we waited.
                if self.is_complete(venv):
                    return venv
                for stale in root.glob("build-*"):
                    shutil.rmtree(stale, ignore_errors=True)
                build = Path(tempfile.mkdtemp(prefix="build-", dir=root))
                try:
                    self._build(build)
                    if venv.exists():
                        log("replacing a broken or outdated Home Assistant venv")
                        trash = Path(tempfile.mkdtemp(prefix="trash-", dir=root))
                        venv.rename(trash / "venv")
                        shutil.rmtree(trash, ignore_errors=True)
                    # The rename is the commit point: `venv` is either absent or complete.
                    # Venvs survive the move because we always run `bin/python -m ...`, never
                    # the console scripts whose shebangs still name the build dir.
                    build.rename(venv)
                finally:
                    if build.exists():
                        shutil.rmtree(build, ignore_errors=True)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return venv


def pip(python: Path, *args: str) -> None:
    cmd = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", *args]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"pip failed ({' '.join(args)}):\n{result.stderr[-4000:]}")
