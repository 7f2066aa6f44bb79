"""Scenes, scripts and buttons: activated through HassTurnOn ("movie night", "run bedtime",
"press the doorbell"), with replies that suit things that happen rather than stay on."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from samantha import replies
from samantha.home import Device
from samantha.kinds import Kind


def stamp(device: Device) -> dict[str, Any]:
    """Params for activating a scene or pressing a button: when it happened (HA's state)."""
    if device.kind in (Kind.SCENE, Kind.BUTTON):
        return {"at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    return {}


def activated(devices: list[Device], on: bool) -> str:
    """'Okay, Movie Night is on.', 'Okay, I've started Bedtime and pressed the Doorbell.'"""
    scenes = [d.name for d in devices if d.kind is Kind.SCENE]
    scripts = [d.name for d in devices if d.kind is Kind.SCRIPT]
    buttons = [d.name for d in devices if d.kind is Kind.BUTTON]
    parts = []
    if scripts:
        parts.append(f"{'started' if on else 'stopped'} {replies.join(scripts)}")
    if buttons:
        parts.append(f"pressed {replies.join_names(buttons)[0]}")
    if scenes and not parts:
        return replies.sentence(f"Okay, {replies.join(scenes)} {replies.be(len(scenes) > 1)} on")
    if scenes:
        parts.insert(0, f"set {replies.join(scenes)}")
    return replies.sentence(f"Okay, I've {replies.join(parts)}")
