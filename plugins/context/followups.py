"""Handlers for follow-ups: "and the bedroom", "what about the fan?", "a bit brighter".

A follow-up repeats the room's (or speaker's) last intent with the new place or device; a
relative change moves the last lights, thermostat or speaker (or else the room's) a step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from samantha.home import Device
from samantha.intent_handling import (
    IntentHandler,
    IntentRequest,
    Outcome,
    describe_targets,
    resolve_targets,
)
from samantha.kinds import Kind, temperature_limits
from samantha.plugins.context.memory import memory_of, speaker
from samantha.providers import Command, CommandResult

if TYPE_CHECKING:
    from samantha.house import House

PLACE_SLOTS = ("name", "area", "floor")


def _said(request: IntentRequest) -> str:
    home = request.house.home
    if request.words("follow_name"):
        return f"the {request.words('follow_name')}"
    if request.words("follow_area"):
        area = request.words("follow_area") or ""
        room = home.rooms.get(area)
        return f"the {room.name if room else area}"
    if request.words("follow_domain"):
        return f"the {request.words('follow_domain')}".replace("_", " ")
    if request.words("follow_floor"):
        return f"the {request.words('follow_floor')}"
    return "that"


def _single_room(house: House, targets: tuple[str, ...]) -> str | None:
    rooms = {house.home.devices[t].room for t in targets if t in house.home.devices}
    return rooms.pop() if len(rooms) == 1 else None


async def follow_up(request: IntentRequest) -> Outcome:
    """Repeat the last intent said here with the place, device or kind of device now named."""
    house = request.house
    exchange = memory_of(house).recall(request.room.id, speaker())
    if exchange is None or not exchange.intent:
        return request.outcome(f"Sorry, what would you like me to do with {_said(request)}?")
    slots: dict[str, Any] = {k: v for k, v in exchange.slots.items() if k not in PLACE_SLOTS}
    name, domain = request.words("follow_name"), request.words("follow_domain")
    if name is not None:
        # Another device: the same action, whatever kind it is.
        slots.pop("domain", None)
        slots.pop("device_class", None)
        slots["name"] = name
    elif domain is not None:
        # "and the fan": the same action on that kind of device, in the same place.
        slots.pop("device_class", None)
        slots["domain"] = domain
        for place in ("area", "floor"):
            if place in exchange.slots:
                slots[place] = exchange.slots[place]
        if "area" not in slots and "floor" not in slots:
            room = _single_room(house, exchange.targets)
            if room is not None:
                slots["area"] = room
    else:
        if "name" in exchange.slots and "domain" not in slots:
            # "turn on the desk lamp" ... "and the bedroom": the bedroom's lamps, not all of it.
            kinds = sorted({house.home.devices[t].kind.value for t in exchange.targets
                            if t in house.home.devices})
            if kinds:
                slots["domain"] = kinds[0] if len(kinds) == 1 else kinds
        area, floor = request.words("follow_area"), request.words("follow_floor")
        if area is None and floor is None:
            return request.outcome("Sorry, what would you like me to do, and where?")
        if area is not None:
            slots["area"] = area
        if floor is not None:
            slots["floor"] = floor
    return await house.handle_intent(exchange.intent, slots, request.text, request.room)


# change -> kinds it applies to, most fitting first, and its direction
CHANGES: dict[str, tuple[tuple[Kind, ...], int]] = {
    "brighter": ((Kind.LIGHT,), 1),
    "dimmer": ((Kind.LIGHT,), -1),
    "warmer": ((Kind.CLIMATE, Kind.LIGHT), 1),
    "cooler": ((Kind.CLIMATE, Kind.LIGHT), -1),
    "louder": ((Kind.MEDIA_PLAYER,), 1),
    "quieter": ((Kind.MEDIA_PLAYER,), -1),
}
SIZES = {"small": 0.5, "large": 2.0}
BRIGHTNESS_STEP = 20  # percentage points
TEMPERATURE_STEP = 1.0  # degrees
VOLUME_STEP = 10  # percentage points
WARM_WHITE, COLD_WHITE = [255, 180, 107], [201, 226, 255]


def _adjust_targets(request: IntentRequest, kinds: tuple[Kind, ...]) -> list[Device]:
    """What to change: the devices named, else those last talked about, else the room's."""
    home = request.house.home
    devices: list[Device] = []
    if not any(request.slot(s) for s in (*PLACE_SLOTS, "domain")):
        exchange = memory_of(request.house).recall(request.room.id, speaker())
        if exchange is not None:
            devices = [home.devices[t] for t in exchange.targets
                       if t in home.devices and home.devices[t].kind in kinds]
            request.targets.extend(d.id for d in devices)
    if not devices:
        devices = resolve_targets(request, kinds=kinds)
    for kind in kinds:  # "warmer" means the thermostat when there is one
        chosen = [d for d in devices if d.kind is kind]
        if chosen:
            return chosen
    return devices


def _command(device: Device, change: str, direction: int, size: float) -> Command | None:
    s = device.state
    if device.kind is Kind.LIGHT and change in ("warmer", "cooler"):
        return Command(device=device.id, action="set_color",
                       params={"color": WARM_WHITE if direction > 0 else COLD_WHITE})
    if device.kind is Kind.LIGHT:
        now = int(s.get("brightness") or 0) if s.get("on") else 0
        if direction < 0 and now == 0:
            return None  # already off: dimmer would turn it on
        level = now + direction * round(BRIGHTNESS_STEP * size)
        level = max(1, min(100, level)) if direction < 0 else min(100, level)
        return Command(device=device.id, action="set_brightness", params={"brightness": level})
    if device.kind is Kind.CLIMATE:
        low, high = temperature_limits(s)
        now = float(s.get("target_temperature") or (low + high) / 2)
        target = now + direction * TEMPERATURE_STEP * size
        return Command(device=device.id, action="set_temperature",
                       params={"temperature": max(low, min(high, target))})
    volume = int(s.get("volume") or 0) + direction * round(VOLUME_STEP * size)
    return Command(device=device.id, action="set_volume",
                   params={"volume": max(0, min(100, volume))})


def _failure(results: list[CommandResult], request: IntentRequest) -> str | None:
    failed = [r for r in results if not r.ok]
    if not failed:
        return None
    home = request.house.home
    reasons = "; ".join(f"{home.devices[r.command.device].name}: {r.error}" for r in failed
                        if r.command.device in home.devices)
    return f"I couldn't do that. {reasons}."


def _done(devices: list[Device], commands: list[Command], change: str,
          request: IntentRequest) -> str:
    what = describe_targets(devices, request)
    verb = "are" if len(devices) > 1 or what.endswith("s") else "is"
    # A colour is a list: the hashable form, so "warmer" on several lights is one value.
    values = {repr(v) if isinstance(v := next(iter(c.params.values())), list) else v
              for c in commands}
    action = commands[0].action
    if len(values) == 1 and action == "set_brightness":
        return f"Okay, {what} {verb} at {values.pop()} percent."
    if len(values) == 1 and action == "set_temperature":
        return f"Okay, {what} {verb} set to {float(values.pop()):g} degrees."
    if len(values) == 1 and action == "set_volume":
        return f"Okay, the volume is at {values.pop()} percent."
    return f"Okay, {what} {verb} {change} now."


async def adjust(request: IntentRequest) -> Outcome:
    """A bit brighter, dimmer, warmer, cooler, louder or quieter."""
    change = request.words("change") or ""
    if change not in CHANGES:
        return request.outcome("How should I change it? Brighter, dimmer, warmer, cooler, "
                               "louder or quieter?")
    kinds, direction = CHANGES[change]
    size = SIZES.get(request.words("amount") or "", 1.0)
    devices = _adjust_targets(request, kinds)
    commands = [c for d in devices if (c := _command(d, change, direction, size)) is not None]
    if not commands:
        return request.outcome(f"{describe_targets(devices, request)[:1].upper()}"
                               f"{describe_targets(devices, request)[1:]} "
                               f"{'are' if len(devices) > 1 else 'is'} already off.")
    acted = [d for d in devices if any(c.device == d.id for c in commands)]
    results = await request.execute(commands)
    return request.outcome(_failure(results, request) or _done(acted, commands, change, request),
                           results)


HANDLERS: dict[str, IntentHandler] = {
    "SamanthaFollowUp": follow_up,
    "SamanthaAdjust": adjust,
}
