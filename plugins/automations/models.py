"""The `automations:` and `automation_settings:` config sections.

Steps are told apart the way Home Assistant users expect: a trigger by its `trigger:` value, a
condition by its `condition:` value (or a bare "{{ template }}"), an action by its type key
(`say:`, `delay:`, `command:` ...). Types that plugins add are unknown here, so they are kept
as placeholders and validated against the plugin's model when the automations are compiled.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    RootModel,
    Tag,
    field_validator,
)

from samantha.config import Section
from samantha.plugins.automations import actions, conditions
from samantha.plugins.automations.actions import BUILTIN_ACTIONS
from samantha.plugins.automations.conditions import BUILTIN_CONDITIONS
from samantha.plugins.automations.spec import ActionSpec, ConditionSpec, TriggerSpec
from samantha.plugins.automations.triggers import BUILTIN_TRIGGERS

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class PluginTrigger(TriggerSpec):
    """A trigger of a type no built-in knows; compiled against the plugins' types."""

    model_config = ConfigDict(extra="allow")


class PluginCondition(ConditionSpec):
    model_config = ConfigDict(extra="allow")


class PluginAction(ActionSpec):
    model_config = ConfigDict(extra="allow")


# Tag names contain "[" so that the config loader drops them from error paths, as it drops
# pydantic's own union branch names: errors then point at the YAML keys people wrote.
def _trigger_tag(value: Any) -> str:
    if isinstance(value, TriggerSpec):  # serialising
        return f"trigger[{value.trigger}]" if type(value) is not PluginTrigger else (
            "trigger[plugin]")
    kind = value.get("trigger") if isinstance(value, dict) else None
    if not isinstance(kind, str):
        return "trigger[plugin]"
    return f"trigger[{kind}]" if kind in BUILTIN_TRIGGERS else "trigger[plugin]"


def _condition_tag(value: Any) -> str:
    if isinstance(value, ConditionSpec):
        return f"condition[{value.condition}]" if type(value) is not PluginCondition else (
            "condition[plugin]")
    if isinstance(value, str):
        return "condition[template]"
    kind = value.get("condition") if isinstance(value, dict) else None
    if not isinstance(kind, str):
        return "condition[plugin]"
    return f"condition[{kind}]" if kind in BUILTIN_CONDITIONS else "condition[plugin]"


def _action_tag(value: Any) -> str:
    if isinstance(value, ActionSpec):
        return f"action[{value.key}]" if type(value) is not PluginAction else "action[plugin]"
    if isinstance(value, dict):
        for key in value:
            if key in BUILTIN_ACTIONS:
                return f"action[{key}]"
    return "action[plugin]"


def _listify(value: Any) -> Any:
    # Like Home Assistant, a single step may be written without the list around it.
    return [value] if isinstance(value, dict | str) else value


def _union(kind: str, types: dict[str, type[Any]], placeholder: type[Any],
           tag: Any) -> Any:
    members = [Annotated[model, Tag(f"{kind}[{name}]")] for name, model in types.items()]
    members.append(Annotated[placeholder, Tag(f"{kind}[plugin]")])
    return Annotated[Union[tuple(members)], Discriminator(tag)]  # noqa: UP007


TriggerItem = _union("trigger", BUILTIN_TRIGGERS, PluginTrigger, _trigger_tag)
ConditionItem = _union("condition", BUILTIN_CONDITIONS, PluginCondition, _condition_tag)
ActionItem = _union("action", BUILTIN_ACTIONS, PluginAction, _action_tag)
Triggers = Annotated[list[TriggerItem], BeforeValidator(_listify)]  # type: ignore[valid-type]
Conditions = Annotated[list[ConditionItem], BeforeValidator(_listify)]  # type: ignore[valid-type]
Actions = Annotated[list[ActionItem], BeforeValidator(_listify)]  # type: ignore[valid-type]

_NAMESPACE = {"Triggers": Triggers, "Conditions": Conditions, "Actions": Actions,
              "ConditionItem": ConditionItem}
for _model in (*BUILTIN_CONDITIONS.values(), *BUILTIN_ACTIONS.values(), actions.ChooseOption,
               actions.Repeat):
    _model.model_rebuild(_types_namespace=_NAMESPACE)
_ = conditions


class Automation(Section):
    """One automation: when (triggers), only if (conditions), do (actions)."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    id: str = Field(description="Unique and stable: traces and reloads are keyed by it.")
    alias: str | None = Field(None, description="A human name.")
    description: str | None = Field(None, description="Free text, for people reading the file.")
    origin: str | None = Field(
        None, description="Where a suggested automation came from (written by the house).")
    enabled: bool = Field(True, description="false: the automation never runs (still checked).")
    mode: Literal["single", "restart", "queued", "parallel"] = Field(
        "single", description="What a trigger does while a run is going on.")
    max: int = Field(10, ge=1, description="Runs queued (queued) or at once (parallel).")
    variables: dict[str, Any] = Field(
        default_factory=dict, description="Values available to templates as {{ name }}.")
    triggers: Triggers = Field(  # type: ignore[valid-type]
        min_length=1, description="When to run: any one of these firing starts a run.")
    conditions: Conditions = Field(  # type: ignore[valid-type]
        default_factory=list, description="Only if all of these hold when a trigger fires.")
    actions: Actions = Field(  # type: ignore[valid-type]
        min_length=1, description="What to do, in order.")

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"{value!r}: use letters, digits, _ . and - (it names files)")
        return value


class Automations(RootModel[list[Automation]]):
    """Automations: triggers, conditions and actions, in Home Assistant's style."""


class AutomationSettings(Section):
    """Where the home is (for sunrise/sunset), its time zone, traces and reloading."""

    latitude: float | None = Field(None, ge=-90, le=90,
                                   description="The home's latitude, for sunrise and sunset.")
    longitude: float | None = Field(None, ge=-180, le=180,
                                    description="The home's longitude, for sunrise and sunset.")
    timezone: str | None = Field(None, description="e.g. Europe/Berlin; default: the system's.")
    keep_traces: int = Field(20, ge=1, le=10_000, description="Traces kept per automation.")
    state_dir: Path | None = Field(
        None, description="Traces and reload requests; default .samantha/ beside the config.")
    watch: bool = Field(True, description="Reload when a config file changes.")
    watch_interval: float = Field(1.0, gt=0, le=60, description="Seconds between checks of "
                                  "the automation files for changes (reload on save).")
    suggested_file: Path | None = Field(
        None, description="Automations the house suggested and someone accepted; default "
                          "automations.suggested.yaml beside the config.")

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {value!r}") from None
        return value
