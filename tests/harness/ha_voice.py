"""A second, newer Home Assistant Core for the Wyoming conversation agent (HA 2024.9+).

HA's Wyoming integration turns a `handle` program into a conversation agent only since 2024.9
(core PR #124373), and those releases need Python 3.12. This builds HA 2024.12.5, the newest
release that still runs on 3.12 and the one whose Wyoming integration pins `wyoming==1.5.4`,
in its own cached venv (beside the 2024.3 one of `harness.homeassistant`), and runs it with
an offline configuration: no default_config, no demo, only what the Wyoming agent needs.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from harness.homeassistant import HomeAssistant, _log, _pip, _venv_python

VERSION = "2024.12.5"
# What HA 2024.12 always sets up without default_config, plus the Wyoming integration and its
# dependencies (assist_pipeline needs pymicro-vad and pyspeex-noise, or conversation fails).
REQUIREMENTS: tuple[str, ...] = (
    "home-assistant-frontend==20241127.8",
    "hassil==2.0.5",
    "home-assistant-intents==2024.12.9",
    "SQLAlchemy==2.0.36",
    "fnv-hash-fast==1.0.2",
    "psutil-home-assistant==0.0.1",
    "securetar==2024.11.0",
    "ha-ffmpeg==3.2.2",
    "mutagen==1.47.0",
    "pymicro-vad==1.0.1",
    "pyspeex-noise==1.0.2",
    "wyoming==1.5.4",
    # The Wyoming config flow imports HA's zeroconf component (for its discovery step); the
    # zeroconf integration itself is never set up here, so nothing is multicast.
    "zeroconf==0.136.2",
)
CONSTRAINTS: tuple[str, ...] = ("josepy<2",)
PYTHON_CANDIDATES = ("python3.12",)
_FINGERPRINT = json.dumps({"ha": VERSION, "reqs": REQUIREMENTS, "extra": CONSTRAINTS, "v": 1},
                          sort_keys=True)
_MARKER = ".samantha-ha-complete"
_PROBE = ("import homeassistant.const as c, wyoming, hass_frontend, pymicro_vad, zeroconf;"
          f"assert c.__version__ == {VERSION!r}, c.__version__")

CONFIGURATION_YAML = """\
homeassistant:
  name: Samantha Voice Test Home
  latitude: 52.37
  longitude: 4.89
  elevation: 0
  unit_system: metric
  time_zone: UTC
  currency: EUR
  country: NL
http:
  server_host: 127.0.0.1
  server_port: {port}
logger:
  default: warning
api:
conversation:
"""

EMPTY_LAYOUT: dict[str, Any] = {"floors": [], "areas": [], "device_areas": {},
                                "entity_areas": {}, "entity_aliases": {}}


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "samantha-tests" / f"ha-{VERSION}"


def find_python() -> str:
    explicit = os.environ.get("SAMANTHA_HA_VOICE_PYTHON")
    if explicit:
        return explicit
    pyenv = Path(os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))) / "versions"
    candidates = [str(p / "bin" / "python3.12") for p in sorted(pyenv.glob("3.12.*"), reverse=True)]
    candidates += [found for name in PYTHON_CANDIDATES if (found := shutil.which(name))]
    for candidate in candidates:
        # A pyenv shim exists even when no 3.12 is selected: ask the interpreter itself.
        check = subprocess.run([candidate, "-c", "import sys; assert sys.version_info[:2] == "
                                "(3, 12)"], capture_output=True, check=False)
        if check.returncode == 0:
            return candidate
    raise RuntimeError(f"Home Assistant {VERSION} needs Python 3.12; none found (set "
                       "SAMANTHA_HA_VOICE_PYTHON to one)")


def _is_complete(venv: Path) -> bool:
    try:
        if (venv / _MARKER).read_text() != _FINGERPRINT:
            return False
    except OSError:
        return False
    probe = subprocess.run([str(_venv_python(venv)), "-c", _PROBE], capture_output=True,
                           timeout=120, check=False)
    return probe.returncode == 0


def _build(target: Path) -> None:
    started = time.monotonic()
    _log(f"building the Home Assistant {VERSION} venv in {target} (a few minutes)")
    subprocess.run([find_python(), "-m", "venv", str(target)], check=True)
    python = _venv_python(target)
    _pip(python, "--no-deps", f"homeassistant=={VERSION}")
    found = list(target.glob("lib/python3.*/site-packages/homeassistant/package_constraints.txt"))
    if not found:
        raise RuntimeError("homeassistant wheel has no package_constraints.txt")
    extra = target / "extra-constraints.txt"
    extra.write_text("".join(f"{line}\n" for line in CONSTRAINTS))
    _pip(python, "-c", str(found[0]), "-c", str(extra), f"homeassistant=={VERSION}",
         *REQUIREMENTS)
    probe = subprocess.run([str(python), "-c", _PROBE], capture_output=True, text=True,
                           check=False)
    if probe.returncode != 0:
        raise RuntimeError(f"fresh Home Assistant venv fails its probe:\n{probe.stderr[-2000:]}")
    (target / _MARKER).write_text(_FINGERPRINT)
    _log(f"Home Assistant {VERSION} venv built in {time.monotonic() - started:.0f}s")


def ensure_installed() -> Path:
    """The cached HA 2024.12 venv, built under a lock on first use (renamed into place whole)."""
    root = cache_dir()
    venv = root / "venv"
    if _is_complete(venv):
        return venv
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if _is_complete(venv):
                return venv
            build = Path(tempfile.mkdtemp(prefix="build-", dir=root))
            try:
                _build(build)
                if venv.exists():
                    shutil.rmtree(venv)
                build.rename(venv)
            finally:
                if build.exists():
                    shutil.rmtree(build, ignore_errors=True)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return venv


class VoiceHomeAssistant(HomeAssistant):
    """HA 2024.12.5 with conversation and the Wyoming integration available, nothing else."""

    configuration_yaml = CONFIGURATION_YAML

    def __init__(self, workdir: Path | str, **kwargs: Any) -> None:
        kwargs.setdefault("layout", EMPTY_LAYOUT)
        super().__init__(workdir, **kwargs)

    def start(self) -> None:
        if self.venv is None:
            self.venv = ensure_installed()
        super().start()
