"""Terraform type constraints (``list(object({cidrs = optional(list(string), [])}))``) and the
conversion Terraform applies to a variable's value before any expression reads it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from checker.sources.terraform.static.expressions import Evaluator, Module, name_of, rules
from checker.sources.terraform.static.values import (
    EvalError,
    Unknown,
    set_of,
    to_bool,
    to_number,
    to_string,
    type_of,
)


@dataclass(frozen=True, slots=True)
class Type:
    """``kind`` is any, string, number, bool, list, set, map, tuple or object; ``element`` the
    element type of collections; ``attributes`` an object's (name, type, optional, default)."""

    kind: str
    element: Type | None = None
    attributes: tuple[tuple[str, Type, bool, Any], ...] = ()
    elements: tuple[Type, ...] = ()


ANY = Type("any")
PRIMITIVES = frozenset({"string", "number", "bool"})


def parse_type(node: Any, module: Module) -> Type:
    """A type constraint expression -> :class:`Type`; raises :class:`EvalError` when it is
    not one."""
    kind = type(node).__name__
    parts = rules(node)
    if kind == "ExprTermRule" and len(parts) == 1:
        return parse_type(parts[0], module)
    if kind == "IdentifierRule":
        name = name_of(node)
        if name in PRIMITIVES or name == "any":
            return Type(name)
        raise EvalError(f"unknown type {name!r}")
    if kind == "FunctionCallRule":
        name = "::".join(name_of(i) for i in node.identifiers)
        args = rules(node.arguments) if node.arguments is not None else []
        if name in ("list", "set", "map") and len(args) == 1:
            return Type(name, parse_type(args[0], module))
        if name == "tuple" and len(args) == 1:
            items = rules(_unwrap(args[0]))
            return Type("tuple", elements=tuple(parse_type(item, module) for item in items))
        if name == "object" and len(args) == 1:
            return Type("object", attributes=_attributes(_unwrap(args[0]), module))
    raise EvalError("not a type constraint")


def _unwrap(node: Any) -> Any:
    parts = rules(node)
    return parts[0] if type(node).__name__ == "ExprTermRule" and len(parts) == 1 else node


def _attributes(node: Any, module: Module) -> tuple[tuple[str, Type, bool, Any], ...]:
    found = []
    for element in rules(node):
        key_node, value_node = rules(element)[:2]
        name = name_of(rules(key_node)[0])
        value_node = _unwrap(value_node)
        optional, default = False, None
        if type(value_node).__name__ == "FunctionCallRule" and [
            name_of(i) for i in value_node.identifiers
        ] == ["optional"]:
            args = rules(value_node.arguments) if value_node.arguments is not None else []
            if not 1 <= len(args) <= 2:
                raise EvalError("optional() takes a type and a default")
            optional = True
            value_node = args[0]
            if len(args) == 2:
                default = Evaluator(module).value(args[1])
        found.append((name, parse_type(value_node, module), optional, default))
    return tuple(found)


def convert(value: Any, wanted: Type) -> Any:
    """``value`` as Terraform converts it to ``wanted`` (raises :class:`EvalError` where
    Terraform refuses); unknown values stay unknown."""
    if isinstance(value, Unknown) or value is None or wanted.kind == "any":
        return value
    return _CONVERSIONS.get(wanted.kind, _to_object)(value, wanted)


def _to_string(value: Any, wanted: Type) -> Any:
    if isinstance(value, (list, dict)):
        raise EvalError(f"a string is required, got a {type_of(value)}")
    return to_string(value)


def _to_collection(value: Any, wanted: Type) -> Any:
    if not isinstance(value, list):
        raise EvalError(f"a {wanted.kind} is required, got a {type_of(value)}")
    items = [convert(item, wanted.element or ANY) for item in value]
    return set_of(items) if wanted.kind == "set" else items


def _to_map(value: Any, wanted: Type) -> Any:
    if not isinstance(value, dict):
        raise EvalError(f"a map is required, got a {type_of(value)}")
    return {key: convert(item, wanted.element or ANY) for key, item in value.items()}


def _to_tuple(value: Any, wanted: Type) -> Any:
    if not isinstance(value, list) or len(value) != len(wanted.elements):
        raise EvalError(f"a tuple of {len(wanted.elements)} elements is required")
    return [convert(item, t) for item, t in zip(value, wanted.elements, strict=True)]


def _to_object(value: Any, wanted: Type) -> Any:
    if not isinstance(value, dict):
        raise EvalError(f"an object is required, got a {type_of(value)}")
    out: dict[str, Any] = {}
    for name, attribute, optional, default in wanted.attributes:
        if name in value and value[name] is not None:
            out[name] = convert(value[name], attribute)
        elif optional:
            out[name] = convert(default, attribute) if default is not None else None
        elif name in value:
            out[name] = None
        else:
            raise EvalError(f"attribute {name!r} is required")
    return out


_CONVERSIONS: dict[str, Callable[[Any, Type], Any]] = {
    "string": _to_string,
    "number": lambda value, wanted: to_number(value),
    "bool": lambda value, wanted: to_bool(value),
    "list": _to_collection,
    "set": _to_collection,
    "map": _to_map,
    "tuple": _to_tuple,
}
