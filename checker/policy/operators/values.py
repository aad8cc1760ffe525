"""Operators on plain values: equality, membership, regular expressions, numbers, presence and
counts. Each check receives a value of a type its table entry accepts (the leaf answers for
others), so none of them repeats a type test.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Protocol

import re2

from checker.policy.display import expected, show, show_literal
from checker.policy.operators.contract import Context, Other


class Pattern(Protocol):
    """A compiled regular expression (RE2's, which runs in time linear in the text)."""

    pattern: str

    def search(self, text: str) -> Any: ...


# --- literal parsers (run once, when the policy loads) -------------------------------------------


def parse_any(value: Any) -> Any:
    return value


def parse_list(value: Any) -> tuple[Any, ...]:
    if not isinstance(value, list):
        raise ValueError(f"expects a list, got {show(value)}")
    return tuple(value)


def parse_number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expects a number, got {show(value)}")
    return float(value)


def parse_count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"expects a non-negative integer, got {show(value)}")
    return value


_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # the error becomes our own one-line message, not stderr noise
_UNSUPPORTED = re.compile(r"\\[1-9]|\(\?<?[=!]|\(\?P=")


def parse_regex(value: Any) -> Pattern:
    """A pattern compiled for RE2: linear time in the text, whatever the pattern.

    Python's backtracking engine can take exponential time on patterns such as ``(a+)+$``; a
    record value must never be able to stall the gate. RE2 has no backreferences or lookaround,
    so such patterns are refused here, when the policy loads.
    """
    if not isinstance(value, str):
        raise ValueError(f"expects a regular expression string, got {show(value)}")
    try:
        compiled: Pattern = re2.compile(value, _RE2_OPTIONS)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else exc
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", errors="replace")
        reason = f"invalid regular expression {value!r}: {detail}"
        if _UNSUPPORTED.search(value):
            reason += (
                " (patterns run on RE2, in linear time: backreferences and lookaround are not "
                "supported)"
            )
        raise ValueError(reason) from None
    return compiled


# --- checks on one item --------------------------------------------------------------------------


def equal(left: Any, right: Any) -> bool:
    """Equality that keeps booleans apart from numbers (``True == 1`` in Python)."""
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    return bool(left == right)


def equals(item: Any, value: Any, ctx: Context) -> str | None:
    return None if equal(item, value) else f"is not {show_literal(value)}"


def not_equals(item: Any, value: Any, ctx: Context) -> str | None:
    return "is not allowed" if equal(item, value) else None


def equals_other(item: Any, other: Other, ctx: Context) -> str | None:
    if other.value is None:
        return f"cannot be compared: {other.path} is absent"
    return None if equal(item, other.value) else f"differs from {other.path} {show(other.value)}"


def is_in(item: Any, value: tuple[Any, ...], ctx: Context) -> str | None:
    return None if any(equal(item, v) for v in value) else f"is not one of {show_literal(value)}"


def not_in(item: Any, value: tuple[Any, ...], ctx: Context) -> str | None:
    if any(equal(item, v) for v in value):
        return f"is one of the values not allowed, {show_literal(value)}"
    return None


def matches(item: str, value: Pattern, ctx: Context) -> str | None:
    return None if value.search(item) else f"does not match /{value.pattern}/"


def not_matches(item: str, value: Pattern, ctx: Context) -> str | None:
    return f"matches /{value.pattern}/, which is not allowed" if value.search(item) else None


def compare(words: str, test: Callable[[float, float], bool]) -> Callable[..., str | None]:
    """A number comparison; ``words`` say what failing it means (``is not less than``)."""

    def check(item: float, value: float, ctx: Context) -> str | None:
        return None if test(item, value) else f"{words} {value:g}"

    return check


# --- checks on the whole value -------------------------------------------------------------------


def _empty(actual: Any) -> bool:
    return actual is None or (isinstance(actual, (str, list, dict, tuple)) and len(actual) == 0)


def exists(actual: Any, value: None, ctx: Context) -> str | None:
    return "is absent" if actual is None else None


def absent(actual: Any, value: None, ctx: Context) -> str | None:
    return None if actual is None else "is present; expected it to be absent"


def not_empty(actual: Any, value: None, ctx: Context) -> str | None:
    if actual is None:
        return "is absent"
    return "is empty" if _empty(actual) else None


def contains(actual: list[Any] | str, value: Any, ctx: Context) -> str | None:
    if isinstance(actual, str) and not isinstance(value, str):
        return f"is a string; it cannot contain {show(value)}"
    return None if value in actual else f"{show(actual)} does not contain {show_literal(value)}"


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def count_at_least(actual: Any, value: int, ctx: Context) -> str | None:
    size = 0 if actual is None else len(actual)
    return None if size >= value else expected(f"has {_items(size)}", f"at least {value}")


def count_at_most(actual: Any, value: int, ctx: Context) -> str | None:
    size = 0 if actual is None else len(actual)
    return None if size <= value else expected(f"has {_items(size)}", f"at most {value}")
