"""The alarm control panel: arm by voice, disarm only after a spoken "yes".

Home Assistant's English templates have no alarm intents, so the sentences are ours
(SamanthaAlarmArm, SamanthaAlarmDisarm). The code the panel wants comes from the `alarm`
section (`code: !secret alarm_code`): it is added to every arm and disarm command as it goes to
the panel (`samantha_command`), whoever issued it (a sentence, an automation, the model), and
goes nowhere else (outcomes and events keep the command without it; the redaction filter
masks it in logs). Disarming asks first, through
the persona's confirmation (the same "yes" that answers "Shall I ...?"), because a voice through a
window must not switch the alarm off; nothing is done until that "yes".
"""

from __future__ import annotations

import logging
import time
from typing import Any

from pydantic import BaseModel, Field, SecretStr

from samantha import hookimpl, replies
from samantha.config import Section
from samantha.home import Device
from samantha.house import House
from samantha.intent_handling import IntentHandler, IntentRequest, Outcome, subject
from samantha.kinds import Kind
from samantha.providers import Command

from .common import act, of_kind

log = logging.getLogger(__name__)

MODES = {"home": "arm_home", "away": "arm_away", "night": "arm_night",
         "vacation": "arm_vacation", "holiday": "arm_vacation"}


class AlarmSection(Section):
    """How Samantha talks to alarm panels."""

    code: SecretStr | None = Field(None, description=(
        "The code the alarm panel wants to arm or disarm; use `!secret alarm_code`. Never "
        "spoken back, printed or logged (use four or more characters: shorter values are not "
        "masked)."))


def _commands(devices: list[Device], action: str) -> list[Command]:
    return [Command(device=d.id, action=action) for d in devices]


async def arm(request: IntentRequest, devices: list[Device], action: str) -> Outcome:
    what, plural = subject(devices, request)
    mode = replies.words_of(action.removeprefix("arm_"))
    return await act(request, _commands(devices, action),
                     f"Okay, {what} {replies.be(plural)} armed in {mode} mode")


async def disarm(request: IntentRequest, devices: list[Device]) -> Outcome:
    what, _ = subject(devices, request)
    try:
        from samantha.plugins.persona.runtime import Pending, runtime_of
    except ImportError:  # pragma: no cover - the persona is a built-in plugin
        return request.outcome(replies.sentence(
            f"I won't disarm {what} by voice: there is no one to confirm it with"))
    rt = runtime_of(request.house)
    question = replies.sentence(f"Shall I disarm {what}? Say yes to confirm")
    rt.pending[request.room.id] = Pending(
        room=request.room.id, commands=_commands(devices, "disarm"),
        question=question, what=f"disarm {what}",
        expires=time.time() + rt.section.confirm_seconds)
    log.info("disarming %s waits for a spoken yes in %s",
             ", ".join(d.id for d in devices), request.room.id)
    return request.outcome(question)


async def arm_intent(request: IntentRequest) -> Outcome:
    devices = of_kind(request, Kind.ALARM_CONTROL_PANEL, "arm the alarm")
    mode = str(request.words("mode") or "away")
    return await arm(request, devices, MODES.get(mode, "arm_away"))


async def disarm_intent(request: IntentRequest) -> Outcome:
    return await disarm(request, of_kind(request, Kind.ALARM_CONTROL_PANEL, "disarm the alarm"))


HANDLERS: dict[str, IntentHandler] = {
    "SamanthaAlarmArm": arm_intent,
    "SamanthaAlarmDisarm": disarm_intent,
}

SENTENCES = {
    "en": {
        "SamanthaAlarmArm": [
            "arm [the] [house|home] alarm [system]",
            "arm [the] [house|home] alarm [system] (in|to|for) {alarm_mode:mode} [mode]",
            "(set|turn) [on] [the] [house|home] alarm [system] (to|in|for) {alarm_mode:mode} "
            "[mode]",
            "arm [the] {name}",
            "arm [the] {name} (in|to|for) {alarm_mode:mode} [mode]",
        ],
        "SamanthaAlarmDisarm": [
            "disarm [the] [house|home] alarm [system]",
            "(turn|switch) off [the] [house|home] alarm [system]",
            "disarm [the] {name}",
        ],
    }
}


@hookimpl
def samantha_command(house: House, device: Device, command: Command) -> Command | None:
    section: AlarmSection | None = house.section("alarm")
    if (device.kind is not Kind.ALARM_CONTROL_PANEL or section is None or section.code is None
            or "code" in command.params
            or not (command.action == "disarm" or command.action.startswith("arm_"))):
        return None
    code = section.code.get_secret_value()
    return command.model_copy(update={"params": {**command.params, "code": code}})


@hookimpl
def samantha_config_sections() -> dict[str, type[BaseModel]]:
    return {"alarm": AlarmSection}


@hookimpl
def samantha_sentences(house: House, language: str) -> dict[str, Any] | None:
    intents = SENTENCES.get(language)
    if intents is None:
        return None
    data: dict[str, Any] = {}
    for intent, sentences in intents.items():
        named = [s for s in sentences if "{name}" in s]
        plain = [s for s in sentences if "{name}" not in s]
        data[intent] = {"data": [
            {"sentences": plain},
            {"sentences": named, "requires_context": {"domain": ["alarm_control_panel"]}},
        ]}
    modes = [{"in": word, "out": word} for word in MODES]
    return {"language": language, "intents": data, "lists": {"alarm_mode": {"values": modes}}}


@hookimpl
def samantha_intent_handlers(house: House) -> dict[str, IntentHandler]:
    return dict(HANDLERS)
