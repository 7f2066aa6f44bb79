"""`samantha say` takes any bytes on standard input or the command line and keeps going."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

LINES = (b"turn on the desk lamp\n"
         b"\xff\xfe turn off \xc3\n"          # invalid UTF-8
         b"\x00\x01\x1b[31m hello\n"          # control characters
         b"\xed\xa0\x80 surrogate bytes\n"    # an encoded lone surrogate
         + b"x" * 200_000 + b"\n"             # an over-long line
         + b"turn off the desk lamp\n")
LOCALES = {
    "default": {},
    "strict C.UTF-8": {"LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "utf-8:strict"},
    "ascii": {"LC_ALL": "C", "PYTHONIOENCODING": "ascii:strict", "PYTHONUTF8": "0"},
    "POSIX without UTF-8 mode": {"LC_ALL": "POSIX", "PYTHONUTF8": "0"},
}


def _samantha(*args: str | bytes, stdin: bytes, env: dict[str, str]
              ) -> subprocess.CompletedProcess[bytes]:
    exe = Path(sys.executable).parent / "samantha"
    return subprocess.run([str(exe), *args], input=stdin, capture_output=True, timeout=120,
                          env={**os.environ, **env}, check=False)


@pytest.mark.parametrize("locale", list(LOCALES))
def test_say_stdin_survives_raw_bytes_and_json_is_valid_utf8(locale: str) -> None:
    out = _samantha("say", "-", "--room", "office", "--json", stdin=LINES, env=LOCALES[locale])
    assert out.returncode == 0, out.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in out.stderr
    text = out.stdout.decode("utf-8")  # raises if the output is not valid UTF-8
    outcomes = [json.loads(line) for line in text.splitlines()]
    assert len(outcomes) == 6  # every line answered, none lost after the bad ones
    assert outcomes[0]["intent"] == "HassTurnOn" and outcomes[-1]["intent"] == "HassTurnOff"
    assert "\ufffd" in outcomes[1]["text"]
    assert not any(ch < " " for o in outcomes for ch in o["text"])
    assert outcomes[4]["reply"].startswith("That was a lot at once")


def test_say_argument_with_raw_bytes() -> None:
    out = _samantha("say", b"turn on the desk lamp \xff", "--room", "office", "--json",
                    stdin=b"", env=LOCALES["strict C.UTF-8"])
    assert out.returncode == 0, out.stderr.decode("utf-8", "replace")
    outcome = json.loads(out.stdout.decode("utf-8"))
    assert outcome["text"].endswith("\ufffd")
