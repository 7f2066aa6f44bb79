"""The configuration model: the core's own sections plus every plugin's, validated together."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretBytes,
    SecretStr,
    ValidationError,
    create_model,
)

from samantha import redact
from samantha.config_loader import ConfigError, ConfigIssue, LoadedYaml, load_yaml

DEMO_CONFIG = Path(__file__).parent / "demo_house.yaml"


def _check_templates(sentences: list[str]) -> list[str]:
    from hassil.parse_expression import parse_sentence

    for template in sentences:
        try:
            parse_sentence(template)
        except Exception as err:
            raise ValueError(f"template {template!r} does not parse: {err}") from err
    return sentences


SentenceTemplates = Annotated[
    list[str],
    Field(min_length=1, description="hassil sentence templates, e.g. 'turn on [the] {name}'."),
    AfterValidator(_check_templates),
]
"""A config field of sentence templates, each checked to parse when the config is loaded."""


class Section(BaseModel):
    """Base for config sections: unknown keys are errors, so typos never pass silently."""

    model_config = ConfigDict(extra="forbid")


class FloorConfig(Section):
    name: str = Field(description="What people call the floor, e.g. 'First Floor'.")
    id: str | None = Field(None, description="Stable id; derived from the name if omitted.")
    aliases: list[str] = Field(default_factory=list, description="Other names, e.g. 'upstairs'.")
    level: int | None = Field(
        None, description="Storeys from the ground floor: 0 ground, 1 above, -1 basement. "
        "Gives 'upstairs' (above 0) and 'downstairs' (0 and below) their meaning.")


class RoomConfig(Section):
    name: str = Field(description="What people call the room, e.g. 'Living Room'.")
    id: str | None = Field(None, description="Stable id; derived from the name if omitted.")
    aliases: list[str] = Field(default_factory=list, description="Other names for the room.")
    floor: str | None = Field(
        None, description="The floor the room is on (a name, alias or id from `floors`).")


class CoreConfig(Section):
    """Sections the core owns; plugins add theirs beside these."""

    name: str = Field("Home", description="The home's name.")
    language: str = Field("en", description="Language of sentences and replies (e.g. en, ko).")
    floors: list[FloorConfig] = Field(
        default_factory=list,
        description="Floors of the home. When given, every room's floor must be one of them; "
        "without it, the floors the rooms name are the floors.")
    rooms: list[RoomConfig] = Field(default_factory=list, description="Rooms of the home.")
    plugins: list[str] = Field(
        default_factory=list,
        description="Local plugin modules: dotted module names or .py paths relative to the file.",
    )


def build_model(sections: dict[str, type[BaseModel]]) -> type[CoreConfig]:
    """A config model with the core's fields and one optional field per plugin section."""
    fields: dict[str, Any] = {}
    for name, model in sorted(sections.items()):
        if name in CoreConfig.model_fields:
            raise ValueError(f"plugin section {name!r} clashes with a core section")
        fields[name] = (model | None, Field(None, description=model.__doc__))
    return create_model("SamanthaConfig", __base__=CoreConfig, **fields)


def _hint(err: dict[str, Any], model: type[BaseModel], loaded: LoadedYaml) -> str | None:
    loc = err["loc"]
    if err["type"] == "extra_forbidden" and loc:
        known = _fields_at(model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        if close:
            return f"did you mean {close[0]!r}?"
        return f"known keys here: {', '.join(sorted(known))}" if known else None
    if err["type"] in {"enum", "literal_error"}:
        expected = err.get("ctx", {}).get("expected")
        given = err.get("input")
        if expected and isinstance(given, str):
            options = [o.strip(" '") for o in expected.replace(" or ", ",").split(",")]
            close = difflib.get_close_matches(given, options, n=1)
            if close:
                return f"did you mean {close[0]!r}?"
    if err["type"] == "missing":
        return "add this key"
    return None


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names of the (nested) model at `loc`, for suggestions."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        current = _model_in(field.annotation)
    return list(getattr(current, "model_fields", {}))


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def validate(loaded: LoadedYaml, model: type[CoreConfig]) -> CoreConfig:
    """Validate loaded YAML against `model`; raise ConfigError with positions and hints."""
    try:
        config = model.model_validate(loaded.data)
    except ValidationError as exc:
        issues = []
        for err in exc.errors(include_url=False):
            # pydantic adds union branch names to loc (e.g. 'str', 'function-after'); drop them
            loc = _user_loc(err["loc"], loaded)
            message = err["msg"]
            secret = any(loc[: len(s)] == s for s in loaded.secret_paths)
            if "input" in err and err["type"] != "missing" and not secret and not isinstance(
                err["input"], (dict, list)
            ):
                message += f" (got {_shown(err['input'])})"
            issues.append(
                ConfigIssue(message, loc, loaded.position_of(loc), _hint(err, model, loaded))
            )
        raise ConfigError(issues) from None
    issues = _floor_issues(config, loaded)
    if issues:
        raise ConfigError(issues)
    _register_secret_fields(config)
    return config


def _floor_issues(config: CoreConfig, loaded: LoadedYaml) -> list[ConfigIssue]:
    """A room on a floor `floors:` does not declare is an error, with the nearest floor."""
    if not config.floors:
        return []
    known: dict[str, str] = {}
    for floor in config.floors:
        for name in (floor.id or "", floor.name, *floor.aliases):
            if name:
                known[" ".join(name.casefold().split())] = floor.name
    issues = []
    for index, room in enumerate(config.rooms):
        if room.floor is None or " ".join(room.floor.casefold().split()) in known:
            continue
        close = difflib.get_close_matches(room.floor.casefold(), list(known), n=1)
        hint = (f"did you mean {known[close[0]]!r}?" if close
                else f"floors: {', '.join(f.name for f in config.floors)}")
        loc = ("rooms", index, "floor")
        issues.append(ConfigIssue(f"room {room.name!r} is on floor {room.floor!r}, which "
                                  "`floors` does not declare", loc, loaded.position_of(loc),
                                  hint))
    return issues


def _shown(value: Any, limit: int = 80) -> str:
    """A short, secret-free rendering of a rejected value (a 5,000-digit number included)."""
    try:
        text = repr(value)
    except ValueError:  # int too large to print
        text = f"a number of about {value.bit_length() * 0.30103:.0f} digits"
    if len(text) > limit:
        text = text[:limit] + "..."
    return redact.redact(text)


def _register_secret_fields(value: Any) -> None:
    """Every SecretStr in the validated config is hidden from output, wherever it came from."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, SecretStr | SecretBytes):
            redact.register(item.get_secret_value())
        elif isinstance(item, BaseModel):
            stack.extend(getattr(item, name) for name in type(item).model_fields)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)


def _user_loc(loc: tuple[Any, ...], loaded: LoadedYaml) -> tuple[Any, ...]:
    """`loc` without pydantic's union branch names, keeping keys the file really has."""
    kept: tuple[Any, ...] = ()
    for part in loc:
        if isinstance(part, int) or (*kept, part) in loaded.positions or not _is_internal(part):
            kept = (*kept, part)
    return kept


def _is_internal(part: str) -> bool:
    return "[" in part or part in {"function-after", "function-before", "function-wrap"} or (
        part in {"str", "int", "float", "bool", "list", "dict", "none"}
    )


def load_config(path: str | Path | None, model: type[CoreConfig]) -> tuple[CoreConfig, LoadedYaml]:
    loaded = load_yaml(path or DEMO_CONFIG)
    return validate(loaded, model), loaded


def raw_plugin_list(loaded: LoadedYaml) -> list[str]:
    """The `plugins:` list before full validation (plugins must load before their sections)."""
    value = loaded.data.get("plugins", [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(
            [ConfigIssue("plugins must be a list of module names or .py paths", ("plugins",),
                         loaded.position_of(("plugins",)))]
        )
    return value


__all__ = [
    "DEMO_CONFIG",
    "ConfigError",
    "ConfigIssue",
    "CoreConfig",
    "FloorConfig",
    "RoomConfig",
    "Section",
    "SentenceTemplates",
    "build_model",
    "load_config",
    "raw_plugin_list",
    "validate",
]
