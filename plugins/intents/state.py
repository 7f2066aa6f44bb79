"""State questions (HassGetState) about every kind, people's whereabouts, and HassNevermind."""

from __future__ import annotations

from typing import Any

from samantha import hookimpl, replies
from samantha.home import Device
from samantha.house import House
from samantha.intent_handling import (
    KIND_WORDS,
    IntentHandler,
    IntentRequest,
    Outcome,
    called,
    describe_kind,
    is_plural,
    resolve_targets,
)
from samantha.kinds import Kind, is_on

STATE_WORDS = {"on": True, "off": False, "open": True, "opened": True, "closed": False,
               "locked": True, "unlocked": False}
MAX_TOLD = 5


def describe_state(device: Device) -> str:
    """What a device is doing, after "is"/"are": 'on at 40 percent', 'closed', 'docked'."""
    s = device.state
    kind = device.kind
    if kind is Kind.LIGHT:
        return f"on at {replies.percent(s.get('brightness', 100))}" if s.get("on") else "off"
    if kind is Kind.FAN:
        return f"on at {replies.percent(s.get('percentage', 100))}" if s.get("on") else "off"
    if kind in (Kind.COVER, Kind.VALVE):
        pos = s.get("position", 0)
        return "closed" if pos == 0 else ("open" if pos == 100 else
                                          f"{replies.percent(pos)} open")
    if kind is Kind.LOCK:
        return "locked" if s.get("locked") else "unlocked"
    if kind is Kind.CLIMATE:
        if s.get("hvac_mode") == "off":
            return "off"
        target = s.get("target_temperature")
        current = s.get("current_temperature")
        text = f"set to {replies.temperature(target)}" if target is not None else "on"
        if current is not None:
            text += f", and it's {replies.temperature(current)} now"
        return text
    if kind is Kind.SENSOR:
        return f"at {replies.measure(s.get('value'), s.get('unit'))}" if s.get("value") \
            is not None else "not reporting yet"
    if kind is Kind.MEDIA_PLAYER:
        if not s.get("on"):
            return "off"
        playing = s.get("playback", "idle")
        title = s.get("media_title")
        text = f"{playing} {title}" if title and playing != "idle" else playing
        return text + (", muted" if s.get("muted") else "")
    if kind is Kind.SCENE:
        return "ready" if not s.get("activated") else "set"
    if kind is Kind.BUTTON:
        return "ready"
    if kind is Kind.WEATHER:
        condition = replies.words_of(s.get("condition"))
        if s.get("temperature") is None:
            return condition
        return f"{condition} at {replies.temperature(s['temperature'], s.get('temperature_unit'))}"
    if kind is Kind.TODO:
        return "empty" if not open_items(device) else \
            f"holding {replies.count(len(open_items(device)), 'item')}"
    if kind in (Kind.VACUUM, Kind.LAWN_MOWER):
        return replies.words_of(s.get("activity"))
    if kind is Kind.ALARM_CONTROL_PANEL:
        return replies.words_of(s.get("state"))
    if kind is Kind.PERSON:
        return _whereabouts(s.get("state"))
    return "on" if s.get("on") else "off"


def open_items(device: Device) -> list[str]:
    return [str(i.get("summary")) for i in device.state.get("items", [])
            if isinstance(i, dict) and i.get("status") != "completed"]


def clause(device: Device) -> str:
    """One device's state as a clause: 'the lamp is on', 'the Shopping List has milk and eggs'."""
    items = open_items(device) if device.kind is Kind.TODO else []
    if items:
        told = replies.join(items[:MAX_TOLD])
        if len(items) > MAX_TOLD:
            told += f" and {replies.count(len(items) - MAX_TOLD, 'more item')}"
        return f"{called(device)} has {told}"
    return f"{called(device)} {_agree(device)} {describe_state(device)}"


def _whereabouts(state: object) -> str:
    if state == "home":
        return "at home"
    if state in (None, "not_home"):
        return "away"
    return f"at {state}"


def _zone(request: IntentRequest) -> str:
    zone = str(request.words("state") or "home").casefold()
    return "home" if zone in ("home", "house", "the house") else zone


def _persons(request: IntentRequest) -> Outcome:
    """'is anyone home', 'who is in the office' (a zone), 'how many people are home'."""
    people = [d for d in request.house.home.devices.values() if d.kind is Kind.PERSON]
    if not people:
        return request.outcome("I don't know who lives here: no people are set up.")
    zone = _zone(request)
    where = "home" if zone == "home" else f"at {request.words('state')}"
    there = [p for p in people if str(p.state.get("state", "")).casefold() == zone]
    return request.outcome(_answer(request.response, there, people, [p.name for p in there],
                                   [p.name for p in people if p not in there], where,
                                   ("person", "people")))


def _agree(device: Device) -> str:
    return replies.be(is_plural(device))


def _answer(form: str | None, matching: list[Device], devices: list[Device],
            matching_names: list[str], other_names: list[str], wanted: str,
            noun: tuple[str, str]) -> str:
    """The answer in the form the question was asked (HA's response keys)."""
    def told(names: list[str]) -> str:
        # As HA says it: more than four names are three and "N more" (a list read aloud).
        if len(names) > 4:
            return replies.join([*names[:3], f"{len(names) - 3} more"])
        return replies.join(names)

    def be(names: list[str]) -> str:
        return replies.be(len(names) > 1 or any(replies.is_plural(n) for n in names[:1]))

    if form == "all":
        if not other_names:
            who = "all of them are" if len(devices) > 1 else \
                f"{told(matching_names)} {be(matching_names)}"
            return replies.sentence(f"Yes, {who} {wanted}")
        return replies.sentence(f"No, {told(other_names)} {be(other_names)} not {wanted}")
    if form == "how_many":
        n = len(matching)
        word = noun[0] if n == 1 else noun[1]
        if not n:
            return replies.sentence(f"0 {word} {replies.be(True)} {wanted}")
        return replies.sentence(
            f"{n} {word} {replies.be(n != 1)} {wanted}: {told(matching_names)}")
    if form == "which":
        if not matching:
            return replies.sentence(f"None {replies.be(True)} {wanted}")
        return replies.sentence(f"{told(matching_names)} {be(matching_names)} {wanted}")
    # "any" and plain yes/no questions
    if not matching:
        return replies.sentence(f"No, none {'of them ' if len(devices) > 1 else ''}"
                                f"{replies.be(len(devices) > 1)} {wanted}")
    return replies.sentence(f"Yes, {told(matching_names)} {be(matching_names)} {wanted}")


def _person_state(request: IntentRequest, devices: list[Device]) -> Outcome | None:
    """'is Jane home', 'is Jane at the office': yes or no, with where they are."""
    people = [d for d in devices if d.kind is Kind.PERSON]
    if not people or request.words("state") is None:
        return None
    person = people[0]
    here = str(person.state.get("state", "")).casefold() == _zone(request)
    answer = "Yes" if here else "No"
    return request.outcome(f"{answer}, {person.name} is {_whereabouts(person.state.get('state'))}.")


async def get_state(request: IntentRequest) -> Outcome:
    if request.slot("domain") == "person" and not request.words("name"):
        return _persons(request)
    wanted = request.words("state")
    # A question about a kind of device with no place said is about the whole house, as HA
    # answers it ("how many lights are on"); a named device or a said place narrows it.
    everywhere = wanted is not None and request.response in ("any", "all", "which", "how_many")
    devices = resolve_targets(request, everywhere=everywhere)
    if (person := _person_state(request, devices)) is not None:
        return person
    if wanted is not None and str(wanted) in STATE_WORDS:
        expect = STATE_WORDS[str(wanted)]
        matching = [d for d in devices if is_on(d.kind, d.state) == expect]
        if len(devices) == 1 and request.response not in ("how_many", "which"):
            d = devices[0]
            answer = "Yes" if matching else "No"
            return request.outcome(f"{answer}, {called(d)} {_agree(d)} {describe_state(d)}.")
        noun = KIND_WORDS.get(devices[0].kind, ("device", "devices")) if len(
            {d.kind for d in devices}) == 1 else ("device", "devices")
        if request.slot("device_class"):
            word = describe_kind(set(), {str(request.slot("device_class"))})
            noun = (word.removesuffix("s"), word)
        return request.outcome(_answer(
            request.response, matching, devices, [called(d) for d in matching],
            [called(d) for d in devices if d not in matching], str(wanted), noun))
    parts = [clause(d) for d in devices[:MAX_TOLD]]
    more = len(devices) - MAX_TOLD
    text = replies.join(parts)
    if more > 0:
        text += f", and {replies.count(more, 'more device')}"
    return request.outcome(replies.sentence(text))


async def nevermind(request: IntentRequest) -> Outcome:
    return request.outcome("Okay.")


HANDLERS: dict[str, IntentHandler] = {
    "HassGetState": get_state,
    "HassNevermind": nevermind,
}


@hookimpl
def samantha_sentences(house: House, language: str) -> dict[str, Any] | None:
    if language != "en":
        return None
    # HA's templates cannot ask what is on a list.
    return {"language": language, "intents": {"HassGetState": {"data": [{
        "sentences": ["what('s| is) on [my|the] {name} [list]",
                      "(read|tell) [me] [what's on] [my|the] {name} [list]"],
        "requires_context": {"domain": ["todo"]}}]}}}


@hookimpl
def samantha_intent_handlers(house: House) -> dict[str, IntentHandler]:
    return dict(HANDLERS)
