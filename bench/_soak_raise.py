"""A plugin for bench/soak.py whose `samantha_event` hook raises on every event.

The house must report it once and go on; a failure report must not re-enter the hook."""

from __future__ import annotations

from samantha import hookimpl


class SoakPluginError(RuntimeError):
    """What this plugin raises."""


@hookimpl
def samantha_event(event: object) -> None:
    raise SoakPluginError(f"soak plugin refuses {type(event).__name__}")
