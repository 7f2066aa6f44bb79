"""The small subset of Home Assistant's Jinja templates seen in real discovery payloads.

Supported inside `{{ ... }}`: a variable (`value`, `value_json`, or any variable the caller
passes such as `red`), attribute/index access (`value_json.a.b`, `value_json['a'][0]`), and
the filters `int`, `float`, `string`, `lower`, `upper`, `round(n)`, `default(literal)`.
Anything else (`{% %}`, operators, function calls) raises TemplateError at compile time:
real Jinja would mean arbitrary code from whoever can publish a discovery message.
"""

from __future__ import annotations

import ast
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from samantha.plugins.mqtt.payloads import (
    MAX_STATE_BYTES,
    MAX_TEMPLATE_CHARS,
    PayloadError,
    loads,
    short,
)

_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.S)
_VAR = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)")
_ATTR = re.compile(r"\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)")
_INDEX = re.compile(r"\s*\[\s*('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|-?\d+)\s*\]")
_FILTER = re.compile(r"\s*\|\s*([a-z_]+)\s*(?:\(([^()]*)\))?")
_FILTERS = {"int", "float", "string", "lower", "upper", "round", "default"}
_MISSING = object()


class TemplateError(ValueError):
    """Unsupported template, or a template that cannot be applied to this payload."""


@dataclass(frozen=True)
class _Expr:
    variable: str
    path: tuple[str | int, ...]
    filters: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Template:
    source: str
    parts: tuple[str | _Expr, ...]

    @property
    def variables(self) -> set[str]:
        return {p.variable for p in self.parts if isinstance(p, _Expr)}

    def render(self, variables: Mapping[str, Any]) -> Any:
        """Render; a template that is a single expression returns its native value."""
        if len(self.parts) == 1 and isinstance(self.parts[0], _Expr):
            return _evaluate(self.parts[0], variables)
        out = []
        for part in self.parts:
            out.append(part if isinstance(part, str) else _to_text(_evaluate(part, variables)))
        return "".join(out)

    def render_value(self, payload: str, **extra: Any) -> Any:
        """Render a *value* template against an incoming payload (`value`, `value_json`)."""
        variables: dict[str, Any] = {"value": payload, **extra}
        if "value_json" in self.variables:
            try:
                variables["value_json"] = loads(payload, limit=MAX_STATE_BYTES)
            except PayloadError as exc:
                raise TemplateError(
                    f"payload is not usable JSON ({exc}) but the template uses value_json"
                ) from None
        return self.render(variables)


@functools.lru_cache(maxsize=1024)
def compile_template(source: str) -> Template:
    """Parse a template; raise TemplateError for anything outside the supported subset.

    Cached: the same few templates are applied to every state message (a Template is
    immutable); the cache is bounded, so hostile sources cannot grow it.
    """
    if len(source) > MAX_TEMPLATE_CHARS:
        raise TemplateError(f"template of {len(source)} characters, more than "
                            f"{MAX_TEMPLATE_CHARS}")
    if "{%" in source or "{#" in source:
        raise TemplateError(f"unsupported template (statements/comments): {short(source)}")
    parts: list[str | _Expr] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(source):
        if match.start() > pos:
            parts.append(source[pos : match.start()])
        parts.append(_parse_expr(match.group(1), source))
        pos = match.end()
    if pos < len(source):
        parts.append(source[pos:])
    if any(isinstance(p, str) and ("{{" in p or "}}" in p) for p in parts):
        raise TemplateError(f"unbalanced braces in template {short(source)}")
    return Template(source, tuple(parts))


def _parse_expr(text: str, source: str) -> _Expr:
    match = _VAR.match(text)
    if not match:
        raise TemplateError(f"unsupported template expression {short(text.strip())}")
    variable, pos = match.group(1), match.end()
    path: list[str | int] = []
    filters: list[tuple[str, Any]] = []
    while pos < len(text):
        if m := _ATTR.match(text, pos):
            path.append(m.group(1))
        elif m := _INDEX.match(text, pos):
            path.append(_literal(m.group(1), source))
        else:
            break
        pos = m.end()
    while pos < len(text):
        m = _FILTER.match(text, pos)
        if not m or m.group(1) not in _FILTERS:
            break
        arg: Any = None
        if m.group(2) is not None and m.group(2).strip():
            arg = _literal(m.group(2).strip(), source)
        filters.append((m.group(1), arg))
        pos = m.end()
    if text[pos:].strip():
        raise TemplateError(f"unsupported template expression {short(text.strip())}")
    return _Expr(variable, tuple(path), tuple(filters))


def _literal(text: str, source: str) -> Any:
    # literal_eval evaluates no code, but bad escapes are SyntaxErrors, over-long integers
    # ValueErrors and deep nesting may exhaust the parser: all of them mean "unsupported".
    try:
        return ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise TemplateError(f"unsupported literal {short(text)} in {short(source)}") from None


def _evaluate(expr: _Expr, variables: Mapping[str, Any]) -> Any:
    value = variables.get(expr.variable, _MISSING)
    for key in expr.path:
        if value is _MISSING:
            break
        try:
            value = value[key]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            value = _MISSING
    for name, arg in expr.filters:
        if name == "default":
            value = arg if value is _MISSING or value is None else value
            continue
        if value is _MISSING:
            break
        value = _apply(name, arg, value)
    if value is _MISSING:
        path = ".".join(str(k) for k in expr.path)
        raise TemplateError(f"{expr.variable}{'.' + path if path else ''} is not in the payload")
    return value


def _apply(name: str, arg: Any, value: Any) -> Any:
    try:
        if name == "int":
            return int(float(value))
        if name == "float":
            return float(value)
        if name == "round":
            digits = int(arg or 0)
            if not -20 <= digits <= 20:
                raise ValueError(f"round({digits})")
            return round(float(value), digits)
    except (TypeError, ValueError, OverflowError):
        raise TemplateError(f"cannot apply |{name} to {short(value)}") from None
    if name == "string":
        return _to_text(value)
    if name == "lower":
        return _to_text(value).lower()
    return _to_text(value).upper()


def _to_text(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value)  # parsed from a bounded payload: bounded too
    if value is True or value is False:
        return "True" if value else "False"  # what Jinja prints
    return str(value)
