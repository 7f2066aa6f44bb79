"""The package layout promise: samantha, samantha.plugins, samantha.hardware; no bare names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import tomllib

import samantha

REPO = Path(__file__).resolve().parents[2]


def test_bare_names_are_not_importable(tmp_path: Path) -> None:
    code = (
        "import importlib.util as u\n"
        "import samantha, samantha.plugins, samantha.hardware\n"
        "print([n for n in ('core', 'plugins', 'hardware') if u.find_spec(n)])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_package_directory_is_declared() -> None:
    declared = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"])
    roots = {"core": "samantha", "plugins": "samantha.plugins", "hardware": "samantha.hardware"}
    found = set()
    for folder, name in roots.items():
        for init in (REPO / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(REPO / folder).parts
            found.add(".".join((name, *rel)))
    assert found == declared


def test_public_api_is_small_and_importable() -> None:
    for name in samantha.__all__:
        assert getattr(samantha, name) is not None
    assert len(samantha.__all__) <= 20
