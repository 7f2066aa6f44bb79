"""Samantha: the personality layer of a smart home.

This module is the whole public API for plugin authors; everything else is internal.

    from samantha import hookimpl, DeviceProvider, Command

    @hookimpl
    def samantha_device_providers(house):
        return [MyProvider()]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from samantha import events
from samantha.checks import Check, CheckResult
from samantha.config import Section, SentenceTemplates
from samantha.home import Device, Room
from samantha.intent_handling import IntentRequest, Outcome, TargetError, resolve_targets
from samantha.kinds import CommandError, Kind
from samantha.plugin_host import hookimpl
from samantha.providers import Command, CommandResult, DeviceProvider, DeviceUnavailable

if TYPE_CHECKING:
    from samantha.house import House

__version__ = "0.1.0"

__all__ = [
    "Check",
    "CheckResult",
    "Command",
    "CommandError",
    "CommandResult",
    "Device",
    "DeviceProvider",
    "DeviceUnavailable",
    "House",
    "IntentRequest",
    "Kind",
    "Outcome",
    "Room",
    "Section",
    "SentenceTemplates",
    "TargetError",
    "events",
    "hookimpl",
    "resolve_targets",
]


def __getattr__(name: str) -> Any:
    # House pulls in hassil and the sentence data; load it only when asked for.
    if name == "House":
        from samantha.house import House

        return House
    raise AttributeError(f"module 'samantha' has no attribute {name!r}")
