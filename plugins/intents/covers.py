"""HassSetPosition: covers (blinds, curtains, garage doors) and valves to a position."""

from __future__ import annotations

from samantha import hookimpl, replies
from samantha.house import House
from samantha.intent_handling import IntentHandler, IntentRequest, Outcome, resolve_targets, subject
from samantha.kinds import Kind

from .common import act, commands_for, number_slot

POSITIONED = (Kind.COVER, Kind.VALVE)


async def set_position(request: IntentRequest) -> Outcome:
    devices = resolve_targets(request, kinds=POSITIONED)
    movable = [d for d in devices if d.kind in POSITIONED]
    if not movable:
        what, plural = subject(devices, request)
        return request.outcome(replies.sentence(
            f"I can't set the position of {what}: "
            f"{'they do not' if plural else 'it does not'} open or close"))
    position = number_slot(request, "position")
    if position is None:
        return request.outcome("To what position? Tell me a percentage.")
    level = round(position)
    what, plural = subject(movable, request)
    state = "closed" if level == 0 else "open" if level == 100 else \
        f"{replies.percent(level)} open"
    return await act(request, commands_for(movable, "set_position", position=level),
                     f"Okay, {what} {replies.be(plural)} {state}")


HANDLERS: dict[str, IntentHandler] = {"HassSetPosition": set_position}


@hookimpl
def samantha_intent_handlers(house: House) -> dict[str, IntentHandler]:
    return dict(HANDLERS)
