"""A small, safe expression language for templates and template conditions.

Expressions use Python's syntax but are evaluated here, node by node, over plain data: only
literals, variables, `a.b` / `a[b]` lookups on mappings and lists, arithmetic, comparisons,
`and`/`or`/`not`, `x if c else y` and a fixed list of functions. There is no attribute access on
objects, no `**`, no lambdas or comprehensions: nothing can reach Python's internals.

Templates are strings with `{{ expression }}` parts. A template that is exactly one expression
keeps the expression's type (`"{{ 3 + 4 }}"` is the number 7), as in Home Assistant.
"""

from __future__ import annotations

import ast
import functools
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

MAX_TEXT = 10_000  # longest string or list an expression may build
_TEMPLATE = re.compile(r"\{\{(.*?)\}\}", re.S)


class ExprError(ValueError):
    """An expression that does not parse, uses something not allowed, or fails to evaluate."""


_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
}
_CMPOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
    ast.Is: lambda a, b: a is b, ast.IsNot: lambda a, b: a is not b,
}
_ALLOWED = (ast.Expression, ast.Constant, ast.Name, ast.Load, ast.Attribute, ast.Subscript,
            ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Call, ast.List,
            ast.Tuple, ast.Dict, ast.Not, ast.USub, ast.UAdd, ast.And, ast.Or, ast.Slice,
            *_BINOPS, *_CMPOPS)


def _number(value: Any) -> float | int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    return float(value)


def _int(value: Any) -> int:
    return int(_number(value))


# Functions every expression may call; the engine adds house-aware ones (state, now, ...).
BUILTINS: dict[str, Callable[..., Any]] = {
    "int": _int, "float": lambda v: float(_number(v)), "str": str, "bool": bool,
    "round": lambda v, n=0: round(_number(v), int(n)), "abs": lambda v: abs(_number(v)),
    "min": min, "max": max, "len": len, "lower": lambda s: str(s).lower(),
    "upper": lambda s: str(s).upper(), "join": lambda items, sep=", ": sep.join(map(str, items)),
    "default": lambda v, d: d if v is None else v,
}


class Expression:
    """One parsed, checked expression; `evaluate(variables, functions)` runs it."""

    def __init__(self, source: str) -> None:
        self.source = source.strip()
        try:
            self.tree = ast.parse(self.source, mode="eval")
        except SyntaxError as err:
            raise ExprError(f"expression {self.source!r} does not parse: {err.msg}") from None
        for node in ast.walk(self.tree):
            if not isinstance(node, _ALLOWED):
                raise ExprError(f"{type(node).__name__} is not allowed in expressions "
                                f"({self.source!r})")
            if isinstance(node, ast.Call) and (not isinstance(node.func, ast.Name)
                                               or node.keywords):
                raise ExprError(f"only plain function calls like len(x) are allowed "
                                f"({self.source!r})")
            if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
                raise ExprError(f"names starting with _ are not allowed ({self.source!r})")

    def evaluate(self, variables: Mapping[str, Any],
                 functions: Mapping[str, Callable[..., Any]] | None = None) -> Any:
        try:
            return _Eval(variables, functions or BUILTINS, self.source).run(self.tree.body)
        except ExprError:
            raise
        except Exception as err:
            raise ExprError(f"{self.source!r} failed: {type(err).__name__}: {err}") from None


class _Eval:
    def __init__(self, variables: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]],
                 source: str) -> None:
        self.source = source
        self.variables = variables
        self.functions = functions

    def run(self, node: ast.AST) -> Any:
        method = getattr(self, f"_{type(node).__name__}")
        return method(node)

    def _Constant(self, node: ast.Constant) -> Any:
        return node.value

    def _Name(self, node: ast.Name) -> Any:
        if node.id in self.variables:
            return self.variables[node.id]
        lowered = {"true": True, "false": False, "none": None, "null": None}
        if node.id in lowered:
            return lowered[node.id]
        raise ExprError(f"unknown name {node.id!r}; known: {', '.join(sorted(self.variables))}")

    def _Attribute(self, node: ast.Attribute) -> Any:
        return _lookup(self.run(node.value), node.attr)

    def _Subscript(self, node: ast.Subscript) -> Any:
        target = self.run(node.value)
        if isinstance(node.slice, ast.Slice):
            parts = [None if p is None else _int(self.run(p))
                     for p in (node.slice.lower, node.slice.upper, node.slice.step)]
            return target[slice(*parts)]
        key = self.run(node.slice)
        if isinstance(target, (list, tuple, str)):
            return target[_int(key)]
        return _lookup(target, key)

    def _BinOp(self, node: ast.BinOp) -> Any:
        left, right = self.run(node.left), self.run(node.right)
        if isinstance(node.op, ast.Mult) and any(
            isinstance(a, (str, list, tuple)) and isinstance(b, int) and len(a) * b > MAX_TEXT
            for a, b in ((left, right), (right, left))
        ):
            raise ExprError(f"{self.source!r} builds a value longer than {MAX_TEXT}")
        if isinstance(node.op, ast.Add) and isinstance(left, str) != isinstance(right, str):
            left, right = str(left), str(right)
        result = _BINOPS[type(node.op)](left, right)
        if isinstance(result, (str, list, tuple)) and len(result) > MAX_TEXT:
            raise ExprError(f"{self.source!r} builds a value longer than {MAX_TEXT}")
        return result

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.run(node.operand)
        if isinstance(node.op, ast.Not):
            return not value
        return -_number(value) if isinstance(node.op, ast.USub) else _number(value)

    def _BoolOp(self, node: ast.BoolOp) -> Any:
        is_and = isinstance(node.op, ast.And)
        value: Any = is_and
        for part in node.values:
            value = self.run(part)
            if bool(value) != is_and:
                return value
        return value

    def _Compare(self, node: ast.Compare) -> bool:
        left = self.run(node.left)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.run(right_node)
            if isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)):
                left, right = _comparable(left, right)
            if not _CMPOPS[type(op)](left, right):
                return False
            left = right
        return True

    def _IfExp(self, node: ast.IfExp) -> Any:
        return self.run(node.body) if self.run(node.test) else self.run(node.orelse)

    def _Call(self, node: ast.Call) -> Any:
        name = node.func.id  # type: ignore[attr-defined]
        func = self.functions.get(name)
        if func is None:
            known = ", ".join(sorted(self.functions))
            raise ExprError(f"unknown function {name!r}; known: {known}")
        return func(*[self.run(a) for a in node.args])

    def _List(self, node: ast.List) -> list[Any]:
        return [self.run(e) for e in node.elts]

    def _Tuple(self, node: ast.Tuple) -> list[Any]:
        return [self.run(e) for e in node.elts]

    def _Dict(self, node: ast.Dict) -> dict[Any, Any]:
        return {self.run(k): self.run(v) for k, v in zip(node.keys, node.values, strict=True)
                if k is not None}


def _lookup(target: Any, key: Any) -> Any:
    if isinstance(target, Mapping):
        return target.get(key)
    if target is None:
        return None
    raise ExprError(f"cannot look up {key!r} in a {type(target).__name__}")


def _comparable(left: Any, right: Any) -> tuple[Any, Any]:
    # Sensor values often arrive as text ("21.5"); compare them as numbers when both can be.
    if isinstance(left, (int, float)) != isinstance(right, (int, float)):
        try:
            return _number(left), _number(right)
        except (TypeError, ValueError):
            return left, right
    return left, right


class Template:
    """A string with `{{ expression }}` parts, parsed once when the config is validated."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.parts: list[str | Expression] = []
        pos = 0
        for match in _TEMPLATE.finditer(source):
            if match.start() > pos:
                self.parts.append(source[pos:match.start()])
            self.parts.append(Expression(match.group(1)))
            pos = match.end()
        if pos < len(source):
            self.parts.append(source[pos:])
        if "{{" in "".join(p for p in self.parts if isinstance(p, str)):
            raise ExprError(f"unclosed '{{{{' in template {source!r}")

    @property
    def is_static(self) -> bool:
        return all(isinstance(p, str) for p in self.parts)

    def render(self, variables: Mapping[str, Any],
               functions: Mapping[str, Callable[..., Any]] | None = None) -> Any:
        if len(self.parts) == 1 and isinstance(self.parts[0], Expression):
            return self.parts[0].evaluate(variables, functions)
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                value = part.evaluate(variables, functions)
                out.append("" if value is None else _text(value))
        return "".join(out)

    def __repr__(self) -> str:
        return f"Template({self.source!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Template) and other.source == self.source

    def __hash__(self) -> int:
        return hash(self.source)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@functools.lru_cache(maxsize=4096)
def template(source: str) -> Template:
    """A parsed template, cached: plain strings in data (params, payloads) are parsed once."""
    return Template(source)


def render_data(value: Any, variables: Mapping[str, Any],
                functions: Mapping[str, Callable[..., Any]] | None = None) -> Any:
    """Render every template string inside nested lists and mappings."""
    if isinstance(value, Template):
        return value.render(variables, functions)
    if isinstance(value, str):
        return template(value).render(variables, functions) if "{{" in value else value
    if isinstance(value, Mapping):
        return {k: render_data(v, variables, functions) for k, v in value.items()}
    if isinstance(value, list):
        return [render_data(v, variables, functions) for v in value]
    return value


def check_data(value: Any) -> Any:
    """Parse every template inside nested data (raises ExprError), returning the data as is."""
    if isinstance(value, str) and "{{" in value:
        Template(value)
    elif isinstance(value, Mapping):
        for v in value.values():
            check_data(v)
    elif isinstance(value, list):
        for v in value:
            check_data(v)
    return value
