"""What the intent modules share: carrying out commands honestly and finding devices by kind."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from samantha import replies
from samantha.home import Device
from samantha.intent_handling import (
    IntentRequest,
    Outcome,
    TargetError,
    kind_word,
    resolve_targets,
    subject,
)
from samantha.kinds import Kind
from samantha.providers import Command, CommandResult


async def act(request: IntentRequest, commands: list[Command], success: str) -> Outcome:
    """Execute, then say `success` only if every command worked (never claim otherwise)."""
    results = await request.execute(commands)
    return request.outcome(failure(results, request) or replies.sentence(success), results)


def failure(results: list[CommandResult], request: IntentRequest) -> str | None:
    """A reply for commands that failed or wait, so we never claim what did not happen."""
    failed = [r for r in results if not r.ok]
    if not failed:
        return None
    home = request.house.home
    reasons = "; ".join(
        f"{home.devices[r.command.device].name if r.command.device in home.devices else ''}: "
        f"{r.error}"
        for r in failed
    )
    if all(r.queued for r in failed):
        return replies.sentence(f"Not done yet. {reasons}")
    if len(failed) == len(results):
        return replies.sentence(f"I couldn't do that. {reasons}")
    return replies.sentence(f"I did most of it, but not everything. {reasons}")


def commands_for(devices: Iterable[Device], action: str, **params: Any) -> list[Command]:
    return [Command(device=d.id, action=action, params=dict(params)) for d in devices]


def of_kind(request: IntentRequest, kind: Kind, doing: str) -> list[Device]:
    """Devices of `kind` the request means: the one named, else those in the area (said, or
    the room spoken in), else every one in the house (a vacuum or a list serves all rooms).

    `doing` ("start the vacuum") words the refusal when the house has none.
    """
    home = request.house.home
    everywhere = [d for d in home.devices.values() if d.kind is kind]
    if not everywhere:
        raise TargetError(replies.sentence(
            f"I can't {doing}: no {kind_word(kind)} is set up"))
    if request.words("name"):
        named = [d for d in resolve_targets(request) if d.kind is kind]
        if not named:
            found = resolve_targets(request)
            what, plural = subject(found, request)
            raise TargetError(replies.sentence(
                f"I can't {doing}: {what} {replies.be(plural)} not a {kind_word(kind)}"))
        return named
    area = request.words("area")
    room = home.rooms.get(area) if area else request.room
    here = [d for d in everywhere if room is not None and d.room == room.id]
    if here:
        return here
    return everywhere


def number_slot(request: IntentRequest, name: str) -> float | None:
    """A numeric slot as a float, or None when it is missing or not a number."""
    value = request.slot(name)
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def in_room(request: IntentRequest, device: Device) -> str:
    room = request.house.home.rooms.get(device.room or "")
    return f" in the {room.name.lower()}" if room else ""
