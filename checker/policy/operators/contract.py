"""What an operator's check may see, and what it answers.

A check sees its value (one item, or the whole value the path yields), the parsed literal or
the value at another path its table entry declares (resolved by the leaf beforehand, as
:class:`Other`), and the :class:`Context` (the evaluation time). It never sees the record: the
engine memoizes outcomes by the fields a rule reads, and a check that could read any field would
make a cached verdict wrong for a record that differs only in that field.

A check returns ``None`` when the value satisfies the operator, else the reason it does not,
written to follow the value in a message (``is not a valid CIDR``). A whole-value check may
instead name the items at fault, as :class:`ItemReason` entries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple


@dataclass(frozen=True, slots=True)
class Context:
    """What a check may consult besides its value: the evaluation time (``--now``). Never the
    record: values from other paths reach a check only as declared :class:`Other` values."""

    now: datetime


class Other(NamedTuple):
    """The value at another path (``same_as: OidcConfig.Issuer``), resolved before the check."""

    path: str
    value: Any


class ItemReason(NamedTuple):
    """One item of a list at fault in a whole-value check: its position, value and reason."""

    position: int
    item: Any
    reason: str


Verdict = str | tuple[ItemReason, ...] | None
Check = Callable[[Any, Any, Context], Verdict]


@dataclass(frozen=True, slots=True)
class ValueType:
    """The types of value an operator accepts; the leaf answers ``is not <noun>`` for others."""

    noun: str
    types: frozenset[type]


STRING = ValueType("a string", frozenset({str}))
NUMBER = ValueType("a number", frozenset({int, float}))
TIMESTAMP = ValueType("a timestamp", frozenset({str, int, float, datetime}))
LIST = ValueType("a list", frozenset({list}))
LIST_OR_STRING = ValueType("a list or a string", frozenset({list, str}))
COUNTABLE = ValueType("a list, map or string", frozenset({list, dict, str}))
