"""Media players: search and play, pause and resume, next and previous, volume, mute."""

from __future__ import annotations

from collections.abc import Callable

from samantha import hookimpl, replies
from samantha.home import Device
from samantha.house import House
from samantha.intent_handling import (
    IntentHandler,
    IntentRequest,
    Outcome,
    TargetError,
    resolve_targets,
    subject,
)
from samantha.kinds import Kind

from .common import act, commands_for, number_slot

VOLUME_STEP = 10  # percent for "volume up"/"volume down" without a number, as HA does


def players(request: IntentRequest, doing: str, *, on: bool = False) -> list[Device]:
    """The media players a request means (named, or in the area/floor/room spoken in)."""
    plain = doing.removesuffix(" of").removesuffix(" on")  # "set the volume of" -> alone
    try:
        devices = resolve_targets(request, kinds=[Kind.MEDIA_PLAYER])
    except TargetError as err:
        if request.words("name"):
            raise
        if not any(d.kind is Kind.MEDIA_PLAYER for d in request.house.home.devices.values()):
            raise TargetError(replies.sentence(
                f"I can't {plain}: no media player is set up")) from None
        reason = err.reply.rstrip(".").replace("devices", "media players")
        if reason.startswith("There "):  # mid-sentence after the colon
            reason = "t" + reason[1:]
        raise TargetError(replies.sentence(f"I can't {plain}: {reason}")) from None
    found = [d for d in devices if d.kind is Kind.MEDIA_PLAYER]
    if not found:
        what, plural = subject(devices, request)
        raise TargetError(replies.sentence(
            f"I can't {doing}{' on' if on else ''} {what}: "
            f"{'they are not' if plural else 'it is not'} "
            "a media player"))
    return found


def _playing(devices: list[Device], *states: str) -> list[Device]:
    return [d for d in devices if d.state.get("on") and d.state.get("playback") in states]


async def search_and_play(request: IntentRequest) -> Outcome:
    query = str(request.words("search_query") or "").strip()
    if not query:
        return request.outcome("What would you like me to play?")
    devices = players(request, f"play {query}", on=True)[:1]  # one player plays one search
    what, _ = subject(devices, request)
    params = {"query": query}
    if request.words("media_class"):
        params["media_class"] = str(request.words("media_class"))
    return await act(request, commands_for(devices, "play_media", **params),
                     f"Okay, playing {query} on {what}")


async def pause(request: IntentRequest) -> Outcome:
    return await _transport(request, "pause", ("playing",), "pause",
                            lambda what, plural: f"Okay, {what} {replies.be(plural)} paused")


async def unpause(request: IntentRequest) -> Outcome:
    return await _transport(
        request, "resume playing", ("paused",), "play",
        lambda what, plural: f"Okay, {what} {replies.be(plural)} playing again")


async def next_track(request: IntentRequest) -> Outcome:
    return await _transport(request, "skip to the next track on", ("playing", "paused"),
                            "next_track", lambda what, _plural: f"Okay, next track on {what}")


async def previous_track(request: IntentRequest) -> Outcome:
    return await _transport(request, "go back a track on", ("playing", "paused"),
                            "previous_track",
                            lambda what, _plural: f"Okay, previous track on {what}")


async def _transport(request: IntentRequest, asking: str, states: tuple[str, ...],
                     command: str, reply: Callable[[str, bool], str]) -> Outcome:
    """A transport button: on the players in one of `states` (all named ones if none is)."""
    devices = players(request, asking)
    chosen = _playing(devices, *states) or devices
    what, plural = subject(chosen, request)
    return await act(request, commands_for(chosen, command), reply(what, plural))


async def set_volume(request: IntentRequest) -> Outcome:
    level = number_slot(request, "volume_level")
    if level is None:
        return request.outcome("To what volume? Tell me a percentage.")
    devices = players(request, "set the volume of")
    what, _ = subject(devices, request)
    return await act(request, commands_for(devices, "set_volume", volume=round(level)),
                     f"Okay, the volume of {what} is {replies.percent(round(level))}")


def _step(request: IntentRequest) -> int | None:
    step = request.words("volume_step")
    if step == "up":
        return VOLUME_STEP
    if step == "down":
        return -VOLUME_STEP
    value = number_slot(request, "volume_step")
    return None if value is None else round(value)


async def set_volume_relative(request: IntentRequest) -> Outcome:
    step = _step(request)
    if step is None:
        return request.outcome("Up or down? Say 'volume up' or 'volume down'.")
    devices = players(request, "change the volume of")
    commands = []
    levels = []
    for d in devices:
        try:
            current = float(d.state.get("volume", 0) or 0)
        except (TypeError, ValueError):
            current = 0.0
        level = max(0, min(100, round(current + step)))
        levels.append(level)
        commands += commands_for([d], "set_volume", volume=level)
    what, _ = subject(devices, request)
    said = replies.percent(levels[0]) if len(set(levels)) == 1 else \
        f"{'up' if step > 0 else 'down'} {replies.percent(abs(step))}"
    return await act(request, commands, f"Okay, the volume of {what} is {said}")


async def mute(request: IntentRequest) -> Outcome:
    devices = players(request, "mute")
    what, plural = subject(devices, request)
    return await act(request, commands_for(devices, "mute"),
                     f"Okay, {what} {replies.be(plural)} muted")


async def unmute(request: IntentRequest) -> Outcome:
    devices = players(request, "unmute")
    what, plural = subject(devices, request)
    return await act(request, commands_for(devices, "unmute"),
                     f"Okay, {what} {replies.be(plural)} unmuted")


HANDLERS: dict[str, IntentHandler] = {
    "HassMediaSearchAndPlay": search_and_play,
    "HassMediaPause": pause,
    "HassMediaUnpause": unpause,
    "HassMediaNext": next_track,
    "HassMediaPrevious": previous_track,
    "HassSetVolume": set_volume,
    "HassSetVolumeRelative": set_volume_relative,
    "HassMediaPlayerMute": mute,
    "HassMediaPlayerUnmute": unmute,
}


@hookimpl
def samantha_intent_handlers(house: House) -> dict[str, IntentHandler]:
    return dict(HANDLERS)
