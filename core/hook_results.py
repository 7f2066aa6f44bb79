"""What each hook may return: a wrong answer is reported with the plugin's name and dropped.

Checked before the core uses an answer, so a plugin returning a string where a dict belongs
costs only its own contribution, not the house's start-up or every sentence after it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Check = Callable[[Any], str | None]


def _dict_of(value_ok: Callable[[Any], bool], what: str) -> Check:
    def check(result: Any) -> str | None:
        if not isinstance(result, dict):
            return f"returned {type(result).__name__}, expected a dict of {what}"
        for key, value in result.items():
            if not isinstance(key, str):
                return f"returned a key {key!r} that is not a string"
            if not value_ok(value):
                return f"returned {type(value).__name__} for {key!r}, expected {what}"
        return None
    return check


def _is_model_class(value: Any) -> bool:
    from pydantic import BaseModel

    return isinstance(value, type) and issubclass(value, BaseModel)


def _is_slot_list(value: Any) -> bool:
    from hassil.intents import SlotList

    return isinstance(value, SlotList)


def _providers(result: Any) -> str | None:
    from samantha.providers import DeviceProvider

    if not isinstance(result, list | tuple):
        return f"returned {type(result).__name__}, expected a list of DeviceProvider"
    for item in result:
        if not isinstance(item, DeviceProvider):
            return f"returned a {type(item).__name__} among its providers, expected DeviceProvider"
    return None


def _of_type(*types: type, what: str) -> Check:
    def check(result: Any) -> str | None:
        if isinstance(result, types):
            return None
        return f"returned {type(result).__name__}, expected {what}"
    return check


def _outcome(result: Any) -> str | None:
    from samantha.intent_handling import Outcome

    return _of_type(Outcome, what="an Outcome")(result)


def _command(result: Any) -> str | None:
    from samantha.providers import Command

    return _of_type(Command, what="a Command")(result)


def _ids(result: Any) -> str | None:
    if not isinstance(result, list) or not all(isinstance(i, str) for i in result):
        return f"returned {type(result).__name__}, expected a list of device ids"
    return None


def _checks(result: Any) -> str | None:
    from samantha.checks import Check

    if not isinstance(result, list | tuple):
        return f"returned {type(result).__name__}, expected a list of Check"
    for item in result:
        if not isinstance(item, Check):
            return f"returned a {type(item).__name__} among its checks, expected Check"
    return None


def _sentences(result: Any) -> str | None:
    problem = _dict_of(lambda _v: True, "hassil sentence data")(result)
    if problem:
        return problem
    from hassil.intents import Intents

    try:
        # Parsing alone catches malformed data before it is merged into the house's sentences.
        Intents.from_dict({"language": "en", "intents": {}, **result})
    except Exception as err:
        return f"returned sentences hassil cannot read: {type(err).__name__}: {err}"
    return None


CHECKS: dict[str, Check] = {
    "samantha_config_sections": _dict_of(_is_model_class, "pydantic model classes"),
    "samantha_checks": _checks,
    "samantha_device_providers": _providers,
    "samantha_speech_engines": _dict_of(
        lambda v: isinstance(v, dict) and all(isinstance(k, str) and callable(f)
                                              for k, f in v.items()),
        "{name: factory} dicts"),
    "samantha_automation_types": _dict_of(
        lambda v: isinstance(v, dict) and all(isinstance(k, str) and isinstance(t, type)
                                              for k, t in v.items()),
        "{name: step class} dicts"),
    "samantha_sentences": _sentences,
    "samantha_slot_lists": _dict_of(_is_slot_list, "hassil SlotList objects"),
    "samantha_intent_handlers": _dict_of(callable, "async handler functions"),
    "samantha_before_intent": _outcome,
    "samantha_referents": _ids,
    "samantha_unrecognized": _outcome,
    "samantha_outcome": _outcome,
    "samantha_command": _command,
    "samantha_phrase": _of_type(str, what="a str"),
    "samantha_remember": _of_type(bool, what="a bool"),
}  # hooks that return nothing are not checked: what they return is ignored


def problem_with(hook: str, result: Any) -> str | None:
    """Why `result` (not None) is no valid answer from `hook`, or None when it is."""
    check = CHECKS.get(hook)
    if check is None:
        return None
    try:
        return check(result)
    except Exception as err:  # a result so odd that inspecting it fails
        return f"returned something that could not be checked: {type(err).__name__}"
