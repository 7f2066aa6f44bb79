"""Second validation pass: plugin-added step types, unique ids and the names steps refer to.

The config section already validated every built-in step (with file:line). Here placeholders
of plugin types are validated against the models plugins return from
`samantha_automation_types`, duplicate ids are found, and, once the home has its devices,
device and room names are checked. Every problem is a ConfigIssue with its file and line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from samantha.config_loader import ConfigIssue, LoadedYaml
from samantha.plugins.automations.actions import BUILTIN_ACTIONS
from samantha.plugins.automations.conditions import BUILTIN_CONDITIONS
from samantha.plugins.automations.models import (
    Automation,
    PluginAction,
    PluginCondition,
    PluginTrigger,
)
from samantha.plugins.automations.spec import ActionSpec, ConditionSpec, Spec, TriggerSpec
from samantha.plugins.automations.triggers import BUILTIN_TRIGGERS

if TYPE_CHECKING:
    from samantha.house import House

Path_ = tuple[str | int, ...]
SECTION = "automations"


@dataclass
class Types:
    triggers: dict[str, type[TriggerSpec]] = field(default_factory=lambda: dict(BUILTIN_TRIGGERS))
    conditions: dict[str, type[ConditionSpec]] = field(
        default_factory=lambda: dict(BUILTIN_CONDITIONS))
    actions: dict[str, type[ActionSpec]] = field(default_factory=lambda: dict(BUILTIN_ACTIONS))

    def add(self, plugin: str, contributed: dict[str, Any]) -> list[str]:
        """Merge one plugin's types; returns complaints about malformed contributions."""
        problems = []
        for group, base in (("triggers", TriggerSpec), ("conditions", ConditionSpec),
                            ("actions", ActionSpec)):
            for name, model in (contributed.get(group) or {}).items():
                if not (isinstance(model, type) and issubclass(model, base)):
                    problems.append(f"plugin {plugin!r}: {group} type {name!r} must subclass "
                                    f"{base.__name__}")
                    continue
                getattr(self, group)[name] = model
        return problems


def collect_types(house: House) -> Types:
    types = Types()
    for plugin, contributed in house.host.call("samantha_automation_types", house=house):
        if isinstance(contributed, dict):
            types.add(plugin, contributed)
    return types


def _walk(model: BaseModel, path: Path_) -> Iterator[tuple[BaseModel, str, int | None, Path_]]:
    """Every nested model as (parent, field, index or None, YAML path), depth first."""
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        key = info.alias or name
        if isinstance(value, BaseModel):
            yield model, name, None, (*path, key)
            yield from _walk(value, (*path, key))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield model, name, i, (*path, key, i)
                    yield from _walk(item, (*path, key, i))


def _resolve(item: BaseModel, types: Types) -> tuple[type[Spec] | None, str, list[str]]:
    raw = item.model_dump(by_alias=True, exclude_unset=True)
    if isinstance(item, PluginTrigger):
        return types.triggers.get(raw.get("trigger", "")), "trigger", sorted(types.triggers)
    if isinstance(item, PluginCondition):
        return (types.conditions.get(raw.get("condition", "")), "condition",
                sorted(types.conditions))
    for key in raw:
        if key in types.actions:
            return types.actions[key], "action", sorted(types.actions)
    return None, "action", sorted(types.actions)


def _issues(err: ValidationError, path: Path_, loaded: LoadedYaml | None) -> list[ConfigIssue]:
    out = []
    for e in err.errors(include_url=False):
        loc = (*path, *(p for p in e["loc"] if isinstance(p, int) or "[" not in str(p)))
        out.append(_issue(e["msg"], loc, loaded))
    return out


def _issue(message: str, loc: Path_, loaded: LoadedYaml | None,
           hint: str | None = None) -> ConfigIssue:
    return ConfigIssue(message, loc, loaded.position_of(loc) if loaded else None, hint)


def compile_automation(automation: Automation, index: int, types: Types,
                       loaded: LoadedYaml | None, house: House | None) -> list[ConfigIssue]:
    """Replace placeholders in place and check references; returns the problems found."""
    base: Path_ = (SECTION, index)
    issues: list[ConfigIssue] = []
    for parent, name, i, path in list(_walk(automation, base)):
        item = getattr(parent, name) if i is None else getattr(parent, name)[i]
        if not isinstance(item, (PluginTrigger, PluginCondition, PluginAction)):
            continue
        model, what, known = _resolve(item, types)
        if model is None:
            raw = item.model_dump(by_alias=True, exclude_unset=True)
            label = raw.get(what) if what != "action" else next(iter(raw), None)
            issues.append(_issue(f"unknown {what} type {label!r}", path, loaded,
                                 f"known {what} types: {', '.join(known)}"))
            continue
        try:
            compiled = model.model_validate(item.model_dump(by_alias=True, exclude_unset=True))
        except ValidationError as err:
            issues.extend(_issues(err, path, loaded))
            continue
        if i is None:
            setattr(parent, name, compiled)
        else:
            getattr(parent, name)[i] = compiled
    if house is not None and house.home.devices and not issues:
        for parent, name, i, path in _walk(automation, base):
            item = getattr(parent, name) if i is None else getattr(parent, name)[i]
            if isinstance(item, Spec):
                for where, message in item.references(house):
                    issues.append(_issue(message, (*path, *where), loaded))
    return issues


def compile_all(automations: list[Automation], types: Types, loaded: LoadedYaml | None,
                house: House | None) -> tuple[list[Automation], list[ConfigIssue]]:
    """The automations that compiled cleanly, and every problem (with file:line)."""
    good, issues = [], []
    seen: dict[str, int] = {}
    for index, automation in enumerate(automations):
        found = compile_automation(automation, index, types, loaded, house)
        if automation.id in seen:
            first = (SECTION, seen[automation.id], "id")
            where = loaded.position_of(first) if loaded else None
            found.append(_issue(f"duplicate automation id {automation.id!r}",
                                (SECTION, index, "id"), loaded,
                                f"first used at {where}" if where else None))
        else:
            seen[automation.id] = index
        issues.extend(found)
        if not found:
            good.append(automation)
    return good, issues


def iter_specs(automation: Automation) -> Iterator[tuple[Spec, str]]:
    """Every step of an automation with its path (as used in traces and intent names)."""
    for parent, name, i, path in _walk(automation, ()):
        item = getattr(parent, name) if i is None else getattr(parent, name)[i]
        if isinstance(item, Spec):
            yield item, "/".join(str(p) for p in path)
