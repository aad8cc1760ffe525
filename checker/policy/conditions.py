"""Compiled conditions: a leaf (path, operator, value) or all/any/not of conditions.

``holds`` is the fast yes/no the engine calls for every record; ``explain`` is called only when a
message is needed (a failure, a skip) and says what was found and where, e.g.
``SourceIpConfig.Cidrs[1] "0.0.0.0/0" is /0; broader than /16``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from checker.policy.operators import Context, Operator, show
from checker.policy.paths import Path


@dataclass(frozen=True, slots=True)
class Explanation:
    holds: bool
    reasons: tuple[str, ...]
    path: str


def _found(name: str, item: Any, reason: str) -> str:
    """``Cidrs[1] "0.0.0.0/0" is /0; ...``, or ``X is absent`` when there is nothing to show."""
    return f"{name} {reason}" if item is None else f"{name} {show(item)} {reason}"


class Leaf:
    """One operator applied to the value a path yields."""

    __slots__ = ("check", "each", "fields", "get", "holds", "match", "op", "path", "value")

    def __init__(self, path: Path, op: Operator, value: Any, match: str) -> None:
        self.path = path
        self.op = op
        self.value = value
        self.match = match
        self.each = op.kind == "each"
        self.check = op.check
        self.get = path.get
        self.fields: frozenset[str] = (
            path.fields | value.fields if isinstance(value, Path) else path.fields
        )
        self.holds: Callable[[dict[str, Any], Context], bool] = self._holds_function()

    def _holds_function(self) -> Callable[[dict[str, Any], Context], bool]:
        """A closure specialized for this leaf: the per-record hot path, no attribute lookups."""
        get, check, value, label = self.get, self.check, self.value, self.path.text
        if not self.each:
            return lambda doc, ctx: check(get(doc), value, ctx, label) is None
        if self.match == "all":

            def holds_all(doc: dict[str, Any], ctx: Context) -> bool:
                actual = get(doc)
                if type(actual) is not list:
                    return check(actual, value, ctx) is None
                for item in actual:
                    if check(item, value, ctx) is not None:
                        return False
                return True

            return holds_all

        def items(doc: dict[str, Any]) -> list[Any] | tuple[Any]:
            actual = get(doc)
            return actual if isinstance(actual, list) else (actual,)

        if self.match == "any":
            return lambda doc, ctx: any(check(i, value, ctx) is None for i in items(doc))
        return lambda doc, ctx: all(check(i, value, ctx) is not None for i in items(doc))

    def explain(self, doc: dict[str, Any], ctx: Context) -> Explanation:
        actual = self.get(doc)
        label = self.path.text
        if not self.each:
            reason = self.check(actual, self.value, ctx, label)
            if reason is None:
                return Explanation(True, (f"{label} satisfies {self.op.name}",), label)
            return Explanation(False, (reason,), label)
        if isinstance(actual, list):
            items = [(f"{label}[{index}]", item) for index, item in enumerate(actual)]
        else:
            items = [(label, actual)]
        verdicts = [(name, item, self.check(item, self.value, ctx)) for name, item in items]
        if self.match == "all":
            bad = [_found(name, item, reason) for name, item, reason in verdicts if reason]
            if bad:
                return Explanation(False, tuple(bad), label)
            return Explanation(True, (f"every item of {label} satisfies {self.op.name}",), label)
        if self.match == "any":
            if any(reason is None for _, _, reason in verdicts):
                return Explanation(True, (f"an item of {label} satisfies {self.op.name}",), label)
            if not verdicts or (len(verdicts) == 1 and verdicts[0][1] is None):
                return Explanation(False, (f"{label} has no items",), label)
            bad = [_found(name, item, reason) for name, item, reason in verdicts if reason]
            return Explanation(
                False, (f"no item of {label} satisfies {self.op.name}: " + "; ".join(bad),), label
            )
        good = [
            f"{name} {show(item)} satisfies {self.op.name} {self._value_text()}".rstrip()
            for name, item, reason in verdicts
            if reason is None
        ]
        if good:
            return Explanation(False, tuple(good), label)
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


class All:
    __slots__ = ("children", "fields")

    def __init__(self, children: list[Condition]) -> None:
        self.children = tuple(children)
        self.fields: frozenset[str] = frozenset().union(*(child.fields for child in children))

    def holds(self, doc: dict[str, Any], ctx: Context) -> bool:
        for child in self.children:
            if not child.holds(doc, ctx):
                return False
        return True

    def explain(self, doc: dict[str, Any], ctx: Context) -> Explanation:
        parts = [child.explain(doc, ctx) for child in self.children]
        failed = [part for part in parts if not part.holds]
        if failed:
            return Explanation(False, tuple(r for p in failed for r in p.reasons), failed[0].path)
        return Explanation(True, tuple(r for p in parts for r in p.reasons), parts[0].path)


class Any_:
    __slots__ = ("children", "fields")

    def __init__(self, children: list[Condition]) -> None:
        self.children = tuple(children)
        self.fields: frozenset[str] = frozenset().union(*(child.fields for child in children))

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
        reasons = [" and ".join(part.reasons) for part in parts]
        return Explanation(
            False, ("none of the alternatives holds: " + " | ".join(reasons),), parts[0].path
        )


class Not:
    __slots__ = ("child", "fields")

    def __init__(self, child: Condition) -> None:
        self.child = child
        self.fields: frozenset[str] = child.fields

    def holds(self, doc: dict[str, Any], ctx: Context) -> bool:
        return not self.child.holds(doc, ctx)

    def explain(self, doc: dict[str, Any], ctx: Context) -> Explanation:
        inner = self.child.explain(doc, ctx)
        if inner.holds:
            return Explanation(False, tuple(f"unexpectedly {r}" for r in inner.reasons), inner.path)
        return Explanation(True, inner.reasons, inner.path)


Condition = Leaf | All | Any_ | Not
