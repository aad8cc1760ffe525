"""Compiled conditions: a leaf (path, operator, value) or all/any/not of conditions.

``holds`` is the fast yes/no the engine calls for every record; ``explain`` is called only when a
message is needed (a failure, a skip) and says what was found and where, e.g.
``SourceIpConfig.Cidrs[1] "0.0.0.0/0" admits every IPv4 address (prefix /0)``, or the
condition's own ``message`` template when the policy gives one.

A leaf does for its operator what the operator table declares: it resolves a declared other
path before the check runs, and answers ``is absent`` / ``is not a string`` for values of a type
the operator does not accept. ``fields`` are the dotted fields a condition's verdict reads;
``message_fields`` those its messages read besides (the engine keys memoized outcomes on both).
Explanations say each thing once: identical reasons are merged, and in an ``all``, a block found
absent silences the failures of the fields inside it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from checker.policy.display import join_reasons, show
from checker.policy.messages import Message
from checker.policy.operators import Context, Operator, Other, Verdict
from checker.policy.paths import Path

Holds = Callable[[dict[str, Any], Context], bool]
_ABSENT = "is absent"


@dataclass(frozen=True, slots=True)
class Explanation:
    holds: bool
    reasons: tuple[str, ...]
    path: str
    absent: tuple[str, ...] = ()
    """Dotted paths a failing leaf found absent: failures of fields inside them are redundant."""


def _found(name: str, item: Any, reason: str) -> str:
    """``Cidrs[1] "0.0.0.0/0" admits ...``, or ``X is absent`` when there is nothing to show."""
    return f"{name} {reason}" if item is None else f"{name} {show(item)} {reason}"


def _unique(reasons: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(reasons))


def _items_at_fault(label: str, faults: list[tuple[int | None, Any, str]]) -> tuple[str, ...]:
    """One reason per distinct reason: items failing the same way are listed together,
    ``Cidrs[0] "a" and [3] "b": each is outside ...``, so no sentence is said twice."""
    by_reason: dict[str, list[tuple[int | None, Any]]] = {}
    for index, item, reason in faults:
        by_reason.setdefault(reason, []).append((index, item))
    reasons = []
    for reason, items in by_reason.items():
        names = [
            _found(label if index is None else f"{label}[{index}]", item, "").rstrip()
            for index, item in items[:1]
        ] + [
            _found("" if index is None else f"[{index}]", item, "").strip()
            for index, item in items[1:]
        ]
        if len(names) == 1:
            reasons.append(f"{names[0]} {reason}")
            continue
        listed = ", ".join(names[:-1]) + f" and {names[-1]}"
        reasons.append(f"{listed}: each {reason}")
    return tuple(reasons)


def guarded_check(op: Operator) -> Callable[[Any, Any, Context], Verdict]:
    """The operator's check behind the type test its entry declares (one place, every operator)."""
    check = op.check
    accepts = op.accepts
    if accepts is None:
        return check
    types = accepts.types
    wrong_type = f"is not {accepts.noun}"
    shows_value = op.kind == "whole"  # an item's value is shown with its index already

    def wrong(item: Any) -> str:
        return f"{show(item)} {wrong_type}" if shows_value else wrong_type

    if op.checks_absent:

        def check_present(item: Any, value: Any, ctx: Context) -> Verdict:
            if item is not None and type(item) not in types:
                return wrong(item)
            return check(item, value, ctx)

        return check_present

    def check_typed(item: Any, value: Any, ctx: Context) -> Verdict:
        if type(item) in types:
            return check(item, value, ctx)
        return _ABSENT if item is None else wrong(item)

    return check_typed


class Leaf:
    """One operator applied to the value a path yields."""

    __slots__ = (
        "argument",
        "check",
        "each",
        "fields",
        "get",
        "holds",
        "match",
        "message",
        "message_fields",
        "op",
        "path",
        "value",
    )

    def __init__(
        self, path: Path, op: Operator, value: Any, match: str, message: Message | None = None
    ) -> None:
        self.path = path
        self.op = op
        self.value = value
        self.match = match
        self.message = message
        self.each = op.kind == "each"
        self.check = guarded_check(op)
        self.get = path.get
        other = value if op.reads_path and isinstance(value, Path) else None
        self.fields: frozenset[str] = path.fields | other.fields if other else path.fields
        self.message_fields: frozenset[str] = message.fields if message else frozenset()
        self.argument: Callable[[dict[str, Any]], Any] = self._argument_function(other)
        self.holds: Holds = self._holds_function()

    def _argument_function(self, other: Path | None) -> Callable[[dict[str, Any]], Any]:
        """What the check gets besides the value: the literal, or the other path's value."""
        if other is None:
            constant = self.value
            return lambda doc: constant
        text, get = other.text, other.get
        return lambda doc: Other(text, get(doc))

    def _holds_function(self) -> Holds:
        """A closure specialized for this leaf: the per-record hot path, no attribute lookups."""
        get, check, argument = self.get, self.check, self.argument
        if not self.each:
            return lambda doc, ctx: check(get(doc), argument(doc), ctx) is None
        if self.match == "all":

            def holds_all(doc: dict[str, Any], ctx: Context) -> bool:
                actual = get(doc)
                value = argument(doc)
                if type(actual) is not list:
                    return check(actual, value, ctx) is None
                for item in actual:
                    if check(item, value, ctx) is not None:
                        return False
                return True

            return holds_all

        def verdicts(doc: dict[str, Any], ctx: Context) -> list[bool]:
            actual = get(doc)
            value = argument(doc)
            items = actual if isinstance(actual, list) else (actual,)
            return [check(item, value, ctx) is None for item in items]

        if self.match == "any":
            return lambda doc, ctx: any(verdicts(doc, ctx))
        return lambda doc, ctx: not any(verdicts(doc, ctx))

    def explain(self, doc: dict[str, Any], ctx: Context) -> Explanation:
        if self.message is None or self.holds(doc, ctx):
            return self._explain(doc, ctx)
        label = self.path.text
        absent = (label,) if self.get(doc) is None and self.path.fields == {label} else ()
        return Explanation(False, (self.message.render(doc),), label, absent)

    def _explain(self, doc: dict[str, Any], ctx: Context) -> Explanation:
        actual = self.get(doc)
        value = self.argument(doc)
        label = self.path.text
        absent = (label,) if actual is None and self.path.fields == {label} else ()
        if not self.each:
            verdict = self.check(actual, value, ctx)
            if verdict is None:
                return Explanation(True, (f"{label} satisfies {self.op.name}",), label)
            if isinstance(verdict, str):
                return Explanation(False, (f"{label} {verdict}",), label, absent)
            return Explanation(False, _items_at_fault(label, list(verdict)), label)
        if isinstance(actual, list):
            items: list[tuple[int | None, Any]] = list(enumerate(actual))
        else:
            items = [(None, actual)]
        verdicts = [(index, item, self.check(item, value, ctx)) for index, item in items]
        if self.match == "all":
            return self._explain_all(label, verdicts, absent)
        if self.match == "any":
            return self._explain_any(label, verdicts, absent)
        return self._explain_none(label, verdicts)

    def _explain_all(
        self, label: str, verdicts: list[tuple[int | None, Any, Any]], absent: tuple[str, ...]
    ) -> Explanation:
        faults = [(index, item, str(reason)) for index, item, reason in verdicts if reason]
        if faults:
            return Explanation(False, _items_at_fault(label, faults), label, absent)
        return Explanation(True, (f"every item of {label} satisfies {self.op.name}",), label)

    def _explain_any(
        self, label: str, verdicts: list[tuple[int | None, Any, Any]], absent: tuple[str, ...]
    ) -> Explanation:
        faults = [(index, item, str(reason)) for index, item, reason in verdicts if reason]
        if len(faults) < len(verdicts):
            return Explanation(True, (f"an item of {label} satisfies {self.op.name}",), label)
        if not verdicts or (len(verdicts) == 1 and verdicts[0][1] is None):
            return Explanation(False, (f"{label} has no items",), label, absent)
        listed = join_reasons(_items_at_fault(label, faults))
        return Explanation(
            False, (f"no item of {label} satisfies {self.op.name}: {listed}",), label
        )

    def _explain_none(self, label: str, verdicts: list[tuple[int | None, Any, Any]]) -> Explanation:
        good = [
            _found(label if index is None else f"{label}[{index}]", item, "").rstrip()
            + f" satisfies {self.op.name} {self._value_text()}".rstrip()
            for index, item, reason in verdicts
            if reason is None
        ]
        if good:
            return Explanation(False, _unique(good), label)
        return Explanation(True, (f"no item of {label} satisfies {self.op.name}",), label)

    def _value_text(self) -> str:
        if not self.op.takes_value:
            return ""
        value = self.value
        if isinstance(value, Path):
            return value.text
        pattern = getattr(value, "pattern", None)
        if isinstance(pattern, str):
            return f"/{pattern}/"
        return show(
            value if not isinstance(value, (tuple, frozenset)) else sorted(str(v) for v in value)
        )


def _message_fields(children: tuple[Condition, ...], message: Message | None) -> frozenset[str]:
    own = message.fields if message else frozenset()
    return own.union(*(child.message_fields for child in children))


class All:
    __slots__ = ("children", "fields", "message", "message_fields")

    def __init__(self, children: list[Condition], message: Message | None = None) -> None:
        self.children = tuple(children)
        self.message = message
        self.fields: frozenset[str] = frozenset().union(*(child.fields for child in children))
        self.message_fields = _message_fields(self.children, message)

    def holds(self, doc: dict[str, Any], ctx: Context) -> bool:
        for child in self.children:
            if not child.holds(doc, ctx):
                return False
        return True

    def explain(self, doc: dict[str, Any], ctx: Context) -> Explanation:
        parts = [child.explain(doc, ctx) for child in self.children]
        failed = [part for part in parts if not part.holds]
        if not failed:
            return Explanation(True, _unique([r for p in parts for r in p.reasons]), parts[0].path)
        absent = tuple(dict.fromkeys(path for part in failed for path in part.absent))
        said = [
            part for part in failed if not any(part.path.startswith(f"{a}.") for a in absent)
        ] or failed
        if self.message is not None:
            return Explanation(False, (self.message.render(doc),), said[0].path, absent)
        reasons = _unique([reason for part in said for reason in part.reasons])
        return Explanation(False, reasons, said[0].path, absent)


class Any_:
    __slots__ = ("children", "fields", "message", "message_fields")

    def __init__(self, children: list[Condition], message: Message | None = None) -> None:
        self.children = tuple(children)
        self.message = message
        self.fields: frozenset[str] = frozenset().union(*(child.fields for child in children))
        self.message_fields = _message_fields(self.children, message)

    def holds(self, doc: dict[str, Any], ctx: Context) -> bool:
        for child in self.children:
            if child.holds(doc, ctx):
                return True
        return False

    def explain(self, doc: dict[str, Any], ctx: Context) -> Explanation:
        parts = [child.explain(doc, ctx) for child in self.children]
        for part in parts:
            if part.holds:
                return part
        if self.message is not None:
            return Explanation(False, (self.message.render(doc),), parts[0].path)
        alternatives = _unique([join_reasons(part.reasons) for part in parts])
        if len(alternatives) == 1:
            return Explanation(False, (alternatives[0],), parts[0].path)
        numbered = "; ".join(f"({n}) {text}" for n, text in enumerate(alternatives, start=1))
        return Explanation(False, (f"none of the alternatives holds: {numbered}",), parts[0].path)


class Not:
    __slots__ = ("child", "fields", "message", "message_fields")

    def __init__(self, child: Condition, message: Message | None = None) -> None:
        self.child = child
        self.message = message
        self.fields: frozenset[str] = child.fields
        self.message_fields = _message_fields((child,), message)

    def holds(self, doc: dict[str, Any], ctx: Context) -> bool:
        return not self.child.holds(doc, ctx)

    def explain(self, doc: dict[str, Any], ctx: Context) -> Explanation:
        inner = self.child.explain(doc, ctx)
        if not inner.holds:
            return Explanation(True, inner.reasons, inner.path)
        if self.message is not None:
            return Explanation(False, (self.message.render(doc),), inner.path)
        return Explanation(False, tuple(f"unexpectedly {r}" for r in inner.reasons), inner.path)


Condition = Leaf | All | Any_ | Not
