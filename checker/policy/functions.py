"""The functions a path may call besides JMESPath's built-ins: one table, one implementation each.

Each entry gives the name, the JMESPath types each argument accepts, and the implementation.
JMESPath's interpreter gets a ``Functions`` class generated from the table, and the native
compiler in ``paths`` calls through the same instance, so both check argument types the same way
and run the same code. Calls are also checked when a policy loads (:func:`check_call`): an
unknown function, a wrong argument count or a literal argument of the wrong type is a policy
error at its file:line, never a per-record error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jmespath.functions

from checker.policy.operators.url import url_host


@dataclass(frozen=True, slots=True)
class PathFunction:
    """One function: its name, the JMESPath types each argument accepts, what it does."""

    name: str
    arguments: tuple[tuple[str, ...], ...]
    implementation: Callable[..., Any]
    summary: str


def _split(value: str | None, separator: str) -> list[str] | None:
    if value is None or not separator:
        return None
    return value.split(separator)


def _lower(value: str | None) -> str | None:
    return None if value is None else value.lower()


def _url_host(value: str | None) -> str | None:
    return url_host(value)


def _distinct(values: list[Any] | None) -> list[Any] | None:
    """Items in first-seen order, each once (how many Availability Zones, not subnets)."""
    if values is None:
        return None
    seen: list[Any] = []
    for item in values:
        if item not in seen:
            seen.append(item)
    return seen


PATH_FUNCTIONS: dict[str, PathFunction] = {
    function.name: function
    for function in (
        PathFunction(
            "split",
            (("string", "null"), ("string",)),
            _split,
            "the parts of a string between separators (null for null or an empty separator)",
        ),
        PathFunction("lower", (("string", "null"),), _lower, "a string in lower case"),
        PathFunction(
            "url_host",
            (("string", "null"),),
            _url_host,
            "the lower-case host of an absolute URL (null if the value is not one)",
        ),
        PathFunction(
            "distinct",
            (("array", "null"),),
            _distinct,
            "the items of a list each once, in first-seen order (null for null)",
        ),
    )
}


def _functions_class(table: Mapping[str, PathFunction]) -> type[jmespath.functions.Functions]:
    """A JMESPath ``Functions`` subclass with one ``_func_NAME`` method per table entry."""
    methods: dict[str, Any] = {}
    for function in table.values():

        def method(
            self: Any, *args: Any, _run: Callable[..., Any] = function.implementation
        ) -> Any:
            return _run(*args)

        method.signature = tuple({"types": list(types)} for types in function.arguments)  # type: ignore[attr-defined]
        methods[f"_func_{function.name}"] = method
    return type("PathFunctions", (jmespath.functions.Functions,), methods)


FUNCTIONS = _functions_class(PATH_FUNCTIONS)()
"""The one instance both the interpreter (``jmespath.Options``) and the native compiler call."""

OPTIONS = jmespath.Options(custom_functions=FUNCTIONS)


def call(name: str, arguments: list[Any]) -> Any:
    """Run a function as JMESPath would: argument types checked, JMESPathError when wrong."""
    return FUNCTIONS.call_function(name, arguments)


_JSON_TYPE = {
    bool: "boolean",
    str: "string",
    int: "number",
    float: "number",
    list: "array",
    dict: "object",
    type(None): "null",
}


def _a(type_name: str) -> str:
    return f"an {type_name}" if type_name[0] in "aeiou" else f"a {type_name}"


def _accepts(types: Sequence[str], actual: str) -> bool:
    return not types or any(t == actual or t.startswith(actual + "-") for t in types)


def check_call(name: str, arguments: Sequence[dict[str, Any]]) -> tuple[str, str | None] | None:
    """Why a call in a parsed path is wrong (message, hint), or None when it can run.

    Checks the name, the argument count and the type of every literal argument (and that
    ``&expr`` arguments go where an expression is expected).
    """
    table = FUNCTIONS.FUNCTION_TABLE
    if name not in table:
        from checker.text import suggest

        return f"unknown function {name!r}", suggest(name, sorted(table))
    signature: tuple[dict[str, Any], ...] = tuple(table[name]["signature"])
    variadic = bool(signature) and bool(signature[-1].get("variadic"))
    expected = len(signature)
    if (variadic and len(arguments) < expected) or (not variadic and len(arguments) != expected):
        plural = "argument" if expected == 1 else "arguments"
        count = f"at least {expected}" if variadic else str(expected)
        return f"{name} takes {count} {plural}, got {len(arguments)}", None
    for position, node in enumerate(arguments, start=1):
        spec = signature[min(position, expected) - 1] if expected else {"types": []}
        types: list[str] = list(spec.get("types", []))
        is_expression = node.get("type") == "expref"
        if is_expression != ("expref" in types) and types:
            wanted = "an &expression" if "expref" in types else " or ".join(map(_a, types))
            return f"{name} argument {position} must be {wanted}", None
        if node.get("type") != "literal":
            continue
        actual = _JSON_TYPE.get(type(node["value"]), "unknown")
        if not _accepts(types, actual):
            wanted = " or ".join(map(_a, types))
            return f"{name} argument {position} must be {wanted}, got {_a(actual)}", None
    return None
