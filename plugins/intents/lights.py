"""HassLightSet: brightness, colour and colour temperature of lights."""

from __future__ import annotations

from samantha import hookimpl, replies
from samantha.house import House
from samantha.intent_handling import IntentHandler, IntentRequest, Outcome, resolve_targets, subject
from samantha.kinds import Kind

from .common import act, commands_for, number_slot

# hassil's colour list gives names; devices take red/green/blue.
COLORS: dict[str, tuple[int, int, int]] = {
    "white": (255, 255, 255), "black": (0, 0, 0), "red": (255, 0, 0), "orange": (255, 165, 0),
    "yellow": (255, 255, 0), "green": (0, 128, 0), "blue": (0, 0, 255), "purple": (128, 0, 128),
    "brown": (165, 42, 42), "pink": (255, 192, 203), "turquoise": (64, 224, 208),
    "cyan": (0, 255, 255), "magenta": (255, 0, 255), "violet": (238, 130, 238),
    "gold": (255, 215, 0), "warm white": (255, 180, 107), "cold white": (201, 226, 255),
}


async def light_set(request: IntentRequest) -> Outcome:
    # "set that brightness to 40%" with nothing said before: a brightness or a colour is a
    # light's, so the room's lights (intent_handling.unreferenced).
    devices = resolve_targets(request, kinds=[Kind.LIGHT], unreferenced_is_here=True)
    lights = [d for d in devices if d.kind is Kind.LIGHT]
    what, plural = subject(devices, request)
    if not lights:
        return request.outcome(replies.sentence(
            f"I can't set the brightness or colour of {what}: "
            f"{'they are not lights' if plural else 'it is not a light'}"))
    commands = []
    said = []
    brightness = number_slot(request, "brightness")
    if brightness is not None:
        level = round(brightness)
        commands += commands_for(lights, "set_brightness", brightness=level)
        said.append(replies.percent(level))
    color = request.words("color")
    if color is not None:
        rgb = COLORS.get(str(color).lower())
        if rgb is None:
            return request.outcome(f"I don't know the colour {color}.")
        commands += commands_for(lights, "set_color", color=list(rgb))
        said.append(str(color))
    kelvin = number_slot(request, "temperature")  # HA's slot: colour temperature in kelvin
    if kelvin is not None:
        commands += commands_for(lights, "set_color_temp", color_temp_kelvin=round(kelvin))
        said.append(f"{round(kelvin)} kelvin")
    if not commands:
        return request.outcome("How should I set the lights? Tell me a brightness, a colour or "
                               "a colour temperature.")
    what, plural = subject(lights, request)
    return await act(request, commands,
                     f"Okay, {what} {replies.be(plural)} set to {replies.join(said)}")


HANDLERS: dict[str, IntentHandler] = {"HassLightSet": light_set}


@hookimpl
def samantha_intent_handlers(house: House) -> dict[str, IntentHandler]:
    return dict(HANDLERS)
