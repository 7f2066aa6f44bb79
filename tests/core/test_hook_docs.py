"""docs/plugins.md documents every hook with its signature and its one-line docstring."""

from __future__ import annotations

import inspect
from pathlib import Path

from samantha import hookspecs

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "plugins.md").read_text()


def _specs() -> list[tuple[str, object]]:
    return [(n, f) for n, f in vars(hookspecs).items()
            if inspect.isfunction(f) and hasattr(f, "samantha_spec")]


def test_there_are_hooks() -> None:
    assert len(_specs()) >= 10


def test_every_hook_is_documented_with_signature_and_docstring() -> None:
    for name, func in _specs():
        assert name.startswith("samantha_")
        params = ", ".join(inspect.signature(func).parameters)
        heading = f"#### `{name}({params})`"
        assert heading in DOCS, f"docs/plugins.md lacks {heading}"
        doc = inspect.getdoc(func) or ""
        assert doc and "\n" not in doc, f"{name} needs a one-line docstring"
        after = DOCS.split(heading, 1)[1].lstrip().splitlines()[0]
        assert after == doc, f"docs for {name} say {after!r}, the hookspec says {doc!r}"


def test_docs_name_no_hook_that_does_not_exist() -> None:
    names = {n for n, _ in _specs()}
    documented = {line.split("`")[1].split("(")[0] for line in DOCS.splitlines()
                  if line.startswith("#### `samantha_")}
    assert documented == names
