"""Robots that clean and mow: vacuum start, return to base, clean an area; mower start, dock."""

from __future__ import annotations

from typing import Any

from samantha import hookimpl, replies
from samantha.house import House
from samantha.intent_handling import IntentHandler, IntentRequest, Outcome, subject
from samantha.kinds import Kind

from .common import act, commands_for, of_kind


async def vacuum_start(request: IntentRequest) -> Outcome:
    devices = of_kind(request, Kind.VACUUM, "start the vacuum")[:1]
    what, plural = subject(devices, request)
    floor = request.words("floor")
    if floor:
        rooms = [r.id for r in request.house.home.rooms.values() if r.floor == floor]
        return await act(request, commands_for(devices, "clean_area", area=rooms),
                         f"Okay, {what} {replies.be(plural)} cleaning the {floor}")
    return await act(request, commands_for(devices, "start"),
                     f"Okay, {what} {replies.be(plural)} cleaning")


async def vacuum_clean_area(request: IntentRequest) -> Outcome:
    home = request.house.home
    area = request.words("area")
    room = home.rooms.get(area) if area else request.room
    if room is None:
        return request.outcome(f"I don't know a room called {area}.")
    # The vacuum is found by name, else anywhere in the house: it travels to the room.
    named = request.words("name")
    probe = request if named else _without_area(request)
    devices = of_kind(probe, Kind.VACUUM, f"clean the {room.name.lower()}")[:1]
    what, plural = subject(devices, request)
    return await act(request, commands_for(devices, "clean_area", area=[room.id]),
                     f"Okay, {what} {replies.be(plural)} cleaning the {room.name.lower()}")


def _without_area(request: IntentRequest) -> IntentRequest:
    slots = {k: v for k, v in request.slots.items() if k != "area"}
    return IntentRequest(house=request.house, room=request.room, text=request.text,
                         intent=request.intent, slots=slots, commands=request.commands)


async def vacuum_return(request: IntentRequest) -> Outcome:
    devices = of_kind(request, Kind.VACUUM, "send the vacuum back")
    what, plural = subject(devices, request)
    return await act(request, commands_for(devices, "return_to_base"),
                     f"Okay, {what} {replies.be(plural)} going back to base")


async def mower_start(request: IntentRequest) -> Outcome:
    devices = of_kind(request, Kind.LAWN_MOWER, "start mowing")
    what, plural = subject(devices, request)
    return await act(request, commands_for(devices, "start_mowing"),
                     f"Okay, {what} {replies.be(plural)} mowing")


async def mower_dock(request: IntentRequest) -> Outcome:
    devices = of_kind(request, Kind.LAWN_MOWER, "stop mowing")
    what, plural = subject(devices, request)
    return await act(request, commands_for(devices, "dock"),
                     f"Okay, {what} {replies.be(plural)} going back to the dock")


HANDLERS: dict[str, IntentHandler] = {
    "HassVacuumStart": vacuum_start,
    "HassVacuumCleanArea": vacuum_clean_area,
    "HassVacuumReturnToBase": vacuum_return,
    "HassLawnMowerStartMowing": mower_start,
    "HassLawnMowerDock": mower_dock,
}


# HA's templates need the vacuum's name to start or dock it; most homes have one vacuum and
# call it "the vacuum".
SENTENCES = {
    "HassVacuumStart": ["(start|run) [the] (vacuum|hoover|robot vacuum) [cleaner]",
                        "(start|begin) (vacuuming|hoovering)"],
    "HassVacuumReturnToBase": [
        "(send|return) [the] (vacuum|hoover|robot vacuum) [cleaner] (home|back|to [its] base)",
        "dock [the] (vacuum|hoover|robot vacuum) [cleaner]",
        "stop (vacuuming|hoovering)"],
}


@hookimpl
def samantha_sentences(house: House, language: str) -> dict[str, Any] | None:
    if language != "en":
        return None
    return {"language": language, "intents": {
        intent: {"data": [{"sentences": sentences}]} for intent, sentences in SENTENCES.items()}}


@hookimpl
def samantha_intent_handlers(house: House) -> dict[str, IntentHandler]:
    return dict(HANDLERS)
