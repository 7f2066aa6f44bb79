"""HassBroadcast: say a message in every other room, or in the room named.

The message goes the way the house's own announcements go: each room's persona phrases it
(`samantha_phrase`, as automations' `say` does) and the room speaks it (`house.speak`, which
speakers and satellites play). The room it was said in hears the confirmation instead.
"""

from __future__ import annotations

from typing import Any

from samantha import hookimpl, replies
from samantha.home import Room
from samantha.house import House
from samantha.intent_handling import IntentHandler, IntentRequest, Outcome, TargetError


async def phrased(house: House, room: str, message: str) -> str:
    answers = await house.host.acall("samantha_phrase", first=True, house=house, room=room,
                                     message=message)
    for _plugin, text in answers:
        if isinstance(text, str) and text.strip():
            return text
    return message


def _rooms(request: IntentRequest) -> list[Room]:
    home = request.house.home
    area = request.words("area")
    if area:
        room = home.rooms.get(area)
        if room is None:
            raise TargetError(f"I don't know a room called {area}.")
        return [room]
    others = [r for r in home.rooms.values() if r.id != request.room.id]
    return others or [request.room]


async def broadcast(request: IntentRequest) -> Outcome:
    message = " ".join(str(request.words("message") or "").split())
    if not message:
        return request.outcome("What should I announce?")
    rooms = _rooms(request)
    for room in rooms:
        await request.house.speak(room.id, await phrased(request.house, room.id, message))
    where = "everywhere" if len(rooms) > 1 and not request.words("area") else \
        "in " + replies.join([f"the {r.name.lower()}" for r in rooms])
    return request.outcome(replies.sentence(f"Okay, I've announced it {where}"))


HANDLERS: dict[str, IntentHandler] = {"HassBroadcast": broadcast}


@hookimpl
def samantha_sentences(house: House, language: str) -> dict[str, Any] | None:
    if language != "en":
        return None
    return {"language": language, "intents": {"HassBroadcast": {"data": [{"sentences": [
        "(broadcast|announce) (in|to) [the] {area} [that] {message}",
    ]}]}}}


@hookimpl
def samantha_intent_handlers(house: House) -> dict[str, IntentHandler]:
    return dict(HANDLERS)
