"""The care plugin: the house speaks first when it matters and learns people's habits.

Hooks: the `care:` section; "not now" / "don't ask me that"; every outcome is logged
(interactions with devices, who was heard where, the stand-in low-mood score); right after a
reply the speaker may be asked something (a check-in, a follow-up, a habit); a loop looks
around once a minute (check-ins, follow-ups, long silences, the night check); presence devices
bring welcome home. See docs/care.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from samantha import hookimpl
from samantha.events import DeviceStateChanged, ReplySpoken
from samantha.intent_handling import IntentHandler, Outcome
from samantha.plugins.automations.spec import find_device, primary_attribute
from samantha.plugins.persona import proactive
from samantha.plugins.persona.runtime import runtime_of
from samantha.references import References

from . import checkins, intents
from .settings import CareSection
from .state import Care, Said, care_for, forget_care
from .store import Interaction, command_key
from .whereabouts import is_home

if TYPE_CHECKING:

    from samantha.events import BaseEvent
    from samantha.house import House

log = logging.getLogger(__name__)

TICK_SECONDS = 60.0
# Answers to a question are not a moment to raise something else.
ANSWERS = frozenset({"SamanthaConfirm", "SamanthaDeny", "SamanthaNotNow", "SamanthaNeverAsk"})


@hookimpl
def samantha_config_sections() -> dict[str, type[BaseModel]]:
    return {"care": CareSection}


@hookimpl
def samantha_config_references(config: Any) -> References | None:
    """Presence names a declared person, a device and the room to welcome them in."""
    section: CareSection | None = getattr(config, "care", None)
    if section is None:
        return None
    found = References()
    for person, presence in section.speak_first.presence.items():
        where = ("care", "speak_first", "presence", person)
        found.refer("person", person, where)
        found.refer("device", presence.device, (*where, "device"))
        found.refer("room", presence.room, (*where, "room"))
    return found


@hookimpl
def samantha_sentences(house: House, language: str) -> dict[str, Any] | None:
    return intents.sentences(language)


@hookimpl
def samantha_intent_handlers(house: House) -> dict[str, IntentHandler]:
    return dict(intents.HANDLERS)


async def settled(house: House) -> None:
    """Wait until what the house started raising on its own is said (tests, the benchmark)."""
    care = care_for(house)
    while pending := [t for t in care.tasks if not t.done() and t is not care.loop_task]:
        await asyncio.gather(*pending, return_exceptions=True)


async def _loop(care: Care) -> None:
    last_error = ""
    while True:
        await care.clock.sleep(TICK_SECONDS)
        try:
            await checkins.tick(care)
            last_error = ""
        except Exception as err:
            if repr(err) != last_error:  # once per distinct failure, not every minute
                log.exception("looking for something to say first failed")
            last_error = repr(err)


@hookimpl
async def samantha_startup(house: House) -> None:
    care = care_for(house)
    proactive.on_answer(intents.answer_offer)
    care.loop_task = asyncio.get_running_loop().create_task(_loop(care))
    care.tasks.append(care.loop_task)
    # Presence already known at start-up is not an arrival.
    care.home_now = {p: is_home(care, p) for p in care.section.speak_first.presence}


@hookimpl
async def samantha_shutdown(house: House) -> None:
    care = forget_care(house)
    if care is None:
        return
    for task in list(care.tasks):
        task.cancel()
    for task in list(care.tasks):
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


@hookimpl
def samantha_outcome(house: House, outcome: Outcome) -> None:
    """Note what was said and done (nothing is changed). Nothing is written here: the reply is
    on its way, and a write waits for the disk. It is written after the reply (or at once, in
    a task, when there is no reply to wait for)."""
    care = care_for(house)
    person = runtime_of(house).person_in(outcome.room)
    if outcome.intent == "SamanthaForgetMe":
        if person is not None:  # the persona erased the rest; this is ours
            care.store.forget(person)
        return
    done = tuple(command_key(r.command.device, r.command.action, r.command.params)
                 for r in outcome.results if r.ok)
    said = Said(person, outcome.room, care.ts(), outcome.intent, outcome.text, done)
    if outcome.intent not in ANSWERS and outcome.reply:
        earlier = care.after_reply.pop(outcome.room, None)
        if earlier is not None:  # its reply never came: keep it anyway
            care.spawn(_write(care, earlier))
        care.after_reply[outcome.room] = said
    else:
        care.spawn(_write(care, said))


async def _write(care: Care, said: Said) -> None:
    try:
        interaction = (Interaction(said.person, said.room, said.at, said.intent, said.text,
                                   said.done)
                       if said.done and care.section.habits.enabled else None)
        care.store.log_turn(said.person if said.text else None, said.room, said.at,
                            interaction)
        if said.person is not None and said.text:
            care.low.heard(said.person, said.at, said.text)
    except Exception as err:  # a full disk must not stop the house
        log.warning("could not log the interaction: %s", err)


async def _after_reply(care: Care, said: Said) -> None:
    await _write(care, said)
    await checkins.after_speaking(care, said.person, said.room, said.done)


def _presence_changed(care: Care, event: DeviceStateChanged) -> None:
    for person, presence in care.section.speak_first.presence.items():
        device = find_device(care.house, presence.device)
        if device is None or device.id != event.device:
            continue
        attribute = primary_attribute(device)
        if event.old.get(attribute) == event.new.get(attribute):
            continue
        home = is_home(care, person)
        was = care.home_now.get(person)
        care.home_now[person] = home
        if home and was is False:
            care.spawn(checkins.arrived(care, person))


@hookimpl
def samantha_event(house: House, event: BaseEvent) -> None:
    care = care_for(house)
    if isinstance(event, ReplySpoken):
        said = care.after_reply.pop(event.room, None)
        if said is not None:
            care.spawn(_after_reply(care, said))
    elif isinstance(event, DeviceStateChanged) and care.section.speak_first.presence:
        _presence_changed(care, event)
