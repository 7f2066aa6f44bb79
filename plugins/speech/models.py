"""Downloading Vosk models: resumable (HTTP Range), sha256-checked, unzipped into a directory.

The model site publishes `NAME.zip`; the checksum comes from `--sha256`, or from a
`NAME.zip.sha256` file beside the zip when the server has one. The base URL is configurable
(`--url`, `SAMANTHA_MODEL_URL`) so a mirror or a local server can stand in for the site.
"""

from __future__ import annotations

import hashlib
import shutil
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DEFAULT_URL = "https://alphacephei.com/vosk/models"
CHUNK = 1 << 16

# Models known to fit a Raspberry Pi 4 / Jetson (name -> what it is); any NAME can be fetched.
KNOWN_MODELS = {
    "vosk-model-small-en-us-0.15": "English, 40 MB, for Raspberry Pi",
    "vosk-model-small-ko-0.22": "Korean, 82 MB",
    "vosk-model-small-de-0.15": "German, 45 MB",
    "vosk-model-small-fr-0.22": "French, 41 MB",
    "vosk-model-small-es-0.42": "Spanish, 39 MB",
}

Progress = Callable[[int, int | None], None]  # (bytes so far, total or None)


class DownloadError(Exception):
    """The model could not be fetched, verified or unpacked; the message says which."""

    def __init__(self, message: str, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable  # no network, or the site is down: offline_help()


def offline_help(name: str, directory: Path, base_url: str) -> str:
    """How to install a model by hand when this machine cannot reach the model site."""
    zip_url = f"{base_url.rstrip('/')}/{name}.zip"
    return (f"Without network here: download {zip_url} on another machine and either\n"
            f"  - copy it into a folder here and run: samantha models download {name} "
            f"--dir {directory} --url file:///path/to/that/folder\n"
            f"  - or unzip it yourself so that {directory / name}/ holds the model "
            f"(am/, conf/, graph/ ...)\n"
            f"then set speech.stt.model: {directory / name}")


@dataclass(frozen=True)
class Downloaded:
    path: Path
    sha256: str
    resumed_from: int
    verified: bool


def _open(url: str, start: int) -> tuple[object, int | None, bool]:
    request = urllib.request.Request(url, headers={"Range": f"bytes={start}-"} if start else {})
    try:
        response = urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as err:
        if err.code == 416 and start:
            return None, start, True  # we already have the whole file
        raise DownloadError(f"{url}: HTTP {err.code} {err.reason}") from err
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        if isinstance(reason, FileNotFoundError) or url.startswith("file:"):
            raise DownloadError(f"{url}: no such file") from err
        raise DownloadError(f"cannot reach {url}: {reason}", unreachable=True) from err
    partial = response.status == 206
    length = response.headers.get("Content-Length")
    total = int(length) + (start if partial else 0) if length else None
    return response, total, partial


def _fetch_checksum(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url + ".sha256", timeout=30) as response:
            text = response.read().decode().strip()
    except (urllib.error.URLError, OSError):
        return None
    return text.split()[0].lower() if text else None


def download(name: str, directory: Path, *, base_url: str = DEFAULT_URL,
             sha256: str | None = None, progress: Progress | None = None) -> Downloaded:
    """Fetch NAME.zip into `directory` (resuming a `.part`), verify it, unzip to directory/NAME."""
    if "/" in name or name.startswith("."):
        raise DownloadError(f"{name!r} is not a model name")
    directory.mkdir(parents=True, exist_ok=True)
    url = f"{base_url.rstrip('/')}/{name}.zip"
    part = directory / f"{name}.zip.part"
    start = part.stat().st_size if part.exists() else 0
    response, total, partial = _open(url, start)
    if response is not None:
        if start and not partial:
            start = 0  # the server ignored Range: start over
        with response, part.open("ab" if start else "wb") as out:  # type: ignore[attr-defined]
            done = start
            while chunk := response.read(CHUNK):  # type: ignore[attr-defined]
                out.write(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
    digest = hashlib.sha256()
    with part.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    actual = digest.hexdigest()
    expected = (sha256 or _fetch_checksum(url) or "").lower() or None
    if expected and actual != expected:
        part.unlink()
        raise DownloadError(f"{url}: checksum mismatch (expected sha256 {expected}, got "
                            f"{actual}); the partial file was removed, run again")
    target = directory / name
    try:
        with zipfile.ZipFile(part) as archive:
            bad = [n for n in archive.namelist() if n.startswith("/") or ".." in Path(n).parts]
            if bad:
                raise DownloadError(f"{url}: unsafe paths in the zip: {bad[:3]}")
            staging = directory / f".{name}.unpacking"
            shutil.rmtree(staging, ignore_errors=True)
            archive.extractall(staging)
    except zipfile.BadZipFile as err:
        raise DownloadError(f"{url}: not a zip file ({err})") from err
    inner = staging / name if (staging / name).is_dir() else staging
    shutil.rmtree(target, ignore_errors=True)
    inner.rename(target)
    shutil.rmtree(staging, ignore_errors=True)
    part.unlink()
    return Downloaded(target, actual, start, expected is not None)
