"""The value model of the static evaluator: plain Python values plus one :class:`Unknown`.

Terraform values map onto Python ones (string -> ``str``, number -> ``int``/``float``, bool,
null -> ``None``, list/tuple/set -> ``list``, map/object -> ``dict``). What the sources cannot
decide is an :class:`Unknown` carrying the reason a reader sees ("var.cidrs has no value"), and
it propagates through every operation instead of being guessed: a rule reading it is
``unknown``, never pass or fail on a placeholder.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MAX_COLLECTION = 100_000  # elements one expression may build (range(), for over huge lists)


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value the sources do not decide; ``reason`` names the expression or the variable."""

    reason: str


class EvalError(Exception):
    """What Terraform itself would refuse (a type mismatch, an index out of range): ``try`` and
    ``can`` catch it; anywhere else the value becomes unknown with this reason."""


def first_unknown(value: Any, depth: int = 0) -> Unknown | None:
    """The first :class:`Unknown` anywhere inside ``value`` (its reason is what is shown)."""
    if isinstance(value, Unknown):
        return value
    if depth > 64:
        raise EvalError("values nested too deeply")
    if isinstance(value, list):
        for item in value:
            found = first_unknown(item, depth + 1)
            if found is not None:
                return found
    elif isinstance(value, dict):
        for item in value.values():
            found = first_unknown(item, depth + 1)
            if found is not None:
                return found
    return None


def any_unknown(values: Iterable[Any]) -> Unknown | None:
    for value in values:
        found = first_unknown(value)
        if found is not None:
            return found
    return None


def type_of(value: Any) -> str:
    """Terraform's name for a value's type, for error messages (never the value itself)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return "unknown"


def number_text(value: int | float) -> str:
    """A number as Terraform prints it: ``3``, not ``3.0``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def to_string(value: Any) -> str:
    """Terraform's automatic conversion to string (templates, string attributes)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number_text(value)
    if value is None:
        raise EvalError("a null value cannot be used as a string")
    raise EvalError(f"a {type_of(value)} cannot be used as a string")


def to_number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise EvalError("a bool cannot be used as a number")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise EvalError("a string that is not a number cannot be used as one") from None
        return int(number) if number.is_integer() and "." not in value else number
    raise EvalError(f"a {type_of(value)} cannot be used as a number")


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    raise EvalError(f"a {type_of(value)} cannot be used as a bool")


def set_of(items: Iterable[Any]) -> list[Any]:
    """A Terraform set: distinct elements, strings in lexical order (as Terraform orders them)."""
    distinct: list[Any] = []
    seen: set[str] = set()
    for item in items:
        key = json.dumps(item, sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            distinct.append(item)
    if all(isinstance(item, str) for item in distinct):
        distinct.sort()
    return distinct


def iterate(collection: Any) -> list[tuple[Any, Any]]:
    """(key, value) pairs of a list (index), a map (key, in lexical order) or a set."""
    if isinstance(collection, list):
        return list(enumerate(collection))
    if isinstance(collection, dict):
        return [(key, collection[key]) for key in sorted(collection)]
    raise EvalError(f"cannot iterate over a {type_of(collection)}")
