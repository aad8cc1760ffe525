"""Memoized outcomes: the engine's main speed-up.

A condition's outcome depends only on the record fields it reads (and on ``now``, fixed for one
run), so outcomes are memoized per rule, keyed by the ``repr`` of those top-level fields: estates
repeat the same CIDR lists, issuers and VPC layouts. ``repr`` equality implies value equality for
JSON-like values and datetimes, so a hit can never hand a record another record's verdict. Rules
that read exactly the same fields are grouped (one lookup gives all their outcomes); a memo whose
hit rate stays low is switched off, and rules that may read the whole record are never memoized.
"""

from __future__ import annotations

from typing import Any

from checker.model import Status
from checker.policy.operators import Context
from checker.policy.paths import top_level_names
from checker.policy.rule import Rule
from checker.policy.verdicts import Outcome, assert_outcome, first_path, skip_outcome

PROBE = 4096  # lookups before deciding whether memoizing a condition pays off
MAX_TABLE = 1 << 15
MIN_HIT_RATE = 0.2


class Memo:
    """Outcomes of one condition by the repr of the top-level fields it reads."""

    __slots__ = ("enabled", "hits", "lookups", "names", "table")

    def __init__(self, names: tuple[str, ...] | None) -> None:
        self.names = names or ()
        self.enabled = names is not None
        self.table: dict[Any, Any] = {}
        self.lookups = 0
        self.hits = 0

    def key(self, doc: dict[str, Any], reprs: dict[str, str]) -> Any:
        """The repr of each field read (computed once per record); one field needs no tuple."""
        if len(self.names) == 1:
            name = self.names[0]
            text = reprs.get(name)
            if text is None:
                text = reprs[name] = repr(doc.get(name))
            return text
        parts = []
        for name in self.names:
            text = reprs.get(name)
            if text is None:
                text = reprs[name] = repr(doc.get(name))
            parts.append(text)
        return tuple(parts)

    def probe(self, hit: bool) -> None:
        """Count a lookup; after a probe window, stop memoizing if it rarely hits. A table that
        keeps growing (keys that half repeat, half do not) is emptied at ``MAX_TABLE`` entries:
        memory stays bounded and the keys that repeat are found again, where an ever larger
        table would cost more in cache misses than it saves (1M records)."""
        self.lookups += 1
        self.hits += hit
        if self.lookups == PROBE and self.hits < PROBE * MIN_HIT_RATE:
            self.enabled = False
            self.table.clear()
        elif not hit and len(self.table) > MAX_TABLE:
            self.table.clear()


class RulePlan:
    """One rule prepared for one evaluation run: its memo tables and constant parts."""

    __slots__ = ("assert_memo", "constant", "pass_path", "rule", "when_memo")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.pass_path = first_path(rule.assertion)
        self.constant: Outcome | None = None
        if rule.missing_vars:
            names = ", ".join(rule.missing_vars)
            self.constant = Outcome(Status.SKIP, f"var {names} is not set", "", ())
        self.when_memo = Memo(top_level_names(rule.when_reads) if rule.when is not None else None)
        self.assert_memo = Memo(top_level_names(rule.assert_reads))

    def outcome(self, doc: dict[str, Any], ctx: Context, reprs: dict[str, str]) -> Outcome:
        """The memoized outcome of this rule on one record (the hot path of every scan)."""
        if self.constant is not None:
            return self.constant
        rule = self.rule
        skip = self.skip(doc, ctx, reprs)
        if skip is not None:
            return skip
        memo = self.assert_memo
        if not memo.enabled:
            return assert_outcome(rule, doc, ctx, self.pass_path)
        key = memo.key(doc, reprs)
        found = memo.table.get(key)
        if found is None:
            found = memo.table[key] = assert_outcome(rule, doc, ctx, self.pass_path)
            memo.probe(False)
        elif memo.lookups < PROBE:
            memo.probe(True)
        return found

    def skip(self, doc: dict[str, Any], ctx: Context, reprs: dict[str, str]) -> Outcome | None:
        """The memoized skip outcome when the rule's ``when`` does not hold, else None."""
        rule = self.rule
        if rule.when is None:
            return None
        memo = self.when_memo
        if not memo.enabled:
            return skip_outcome(rule, doc, ctx)
        key = memo.key(doc, reprs)
        skip = memo.table.get(key, memo)
        if skip is memo:
            skip = memo.table[key] = skip_outcome(rule, doc, ctx)
            memo.probe(False)
        elif memo.lookups < PROBE:
            memo.probe(True)
        return skip  # type: ignore[no-any-return]

    def plain_outcome(self, doc: dict[str, Any], ctx: Context) -> Outcome:
        if self.constant is not None:
            return self.constant
        skip = skip_outcome(self.rule, doc, ctx)
        return skip if skip is not None else assert_outcome(self.rule, doc, ctx, self.pass_path)

    def error_outcome(self, exc: Exception) -> Outcome:
        return Outcome(
            Status.ERROR,
            f"could not evaluate: {type(exc).__name__}: {exc}",
            self.pass_path,
            (),
        )


def safe_outcome(
    plan: RulePlan, doc: dict[str, Any], ctx: Context, reprs: dict[str, str]
) -> Outcome:
    try:
        return plan.outcome(doc, ctx, reprs)
    except Exception as exc:
        return plan.error_outcome(exc)


class Group(Memo):
    """Rules that read exactly the same top-level fields, memoized together: one lookup per
    record gives all their outcomes."""

    __slots__ = ("plans", "positions")

    def __init__(self, names: tuple[str, ...]) -> None:
        super().__init__(names)
        self.positions: list[int] = []
        self.plans: list[RulePlan] = []

    def outcomes(
        self, doc: dict[str, Any], ctx: Context, reprs: dict[str, str]
    ) -> tuple[Outcome, ...]:
        if not self.enabled:
            return tuple(safe_outcome(plan, doc, ctx, reprs) for plan in self.plans)
        key = self.key(doc, reprs)
        found = self.table.get(key)
        if found is None:
            found = self.table[key] = tuple(
                safe_outcome(plan, doc, ctx, reprs) for plan in self.plans
            )
            self.probe(False)
        elif self.lookups < PROBE:
            self.probe(True)
        return found


def group_plans(plans: list[RulePlan], leave_out: frozenset[int] = frozenset()) -> list[Group]:
    """Group rules by the fields they read; a rule that may read the whole record is alone.

    Rules with a constant outcome (an unset var) are in no group: their outcome is filled in
    once, not per record. Nor are the positions in ``leave_out`` (their outcomes are found
    another way).
    """
    by_names: dict[tuple[str, ...], Group] = {}
    groups: list[Group] = []
    for position, plan in enumerate(plans):
        if plan.constant is not None or position in leave_out:
            continue
        rule = plan.rule
        names = top_level_names(rule.reads)
        if names is None:
            group = Group(())
            group.enabled = False
            groups.append(group)
        else:
            group = by_names.get(names) or by_names.setdefault(names, Group(names))
            if group not in groups:
                groups.append(group)
        group.positions.append(position)
        group.plans.append(plan)
    return groups
