"""evaluate(records, rules) -> results. No I/O.

Every (record, rule) pair yields exactly one result. The engine, not the rule, stamps id, title,
severity and remediation on it. A rule that raises on a record becomes an ``error`` result for
that pair; the scan goes on.

A condition's outcome depends only on the record fields it reads (and on ``now``, fixed for one
call), so outcomes are memoized per condition, keyed by the ``repr`` of those top-level fields:
estates repeat the same CIDR lists, issuers and VPC layouts, and this keeps 100,000 records well
inside the speed target. ``repr`` equality implies value equality for JSON-like values and
datetimes, so a hit can never hand a record another record's verdict. A condition whose hit rate
stays low stops being memoized, and conditions that read the whole document never are.
"""

from __future__ import annotations

import gc
import os
import pickle
from array import array
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from checker.forking import can_fork
from checker.model import Record, Result, Status
from checker.policy.loader import Rule
from checker.policy.operators import Context
from checker.policy.paths import top_level_names, touches
from checker.policy.unknowns import known_part, unknown_gap
from checker.policy.verdicts import Outcome, assert_outcome, first_path, skip_outcome

_PROBE = 4096  # lookups before deciding whether memoizing a condition pays off
_MIN_HIT_RATE = 0.2


class _Memo:
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
        """Count a lookup; after a probe window, stop memoizing if it rarely hits."""
        self.lookups += 1
        self.hits += hit
        if self.lookups == _PROBE and self.hits < _PROBE * _MIN_HIT_RATE:
            self.enabled = False
            self.table.clear()


class _RulePlan:
    """One rule prepared for one evaluation run: its memo tables and constant parts."""

    __slots__ = ("assert_memo", "constant", "pass_path", "rule", "when_memo")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.pass_path = first_path(rule.assertion)
        self.constant: Outcome | None = None
        if rule.missing_vars:
            names = ", ".join(rule.missing_vars)
            self.constant = (Status.SKIP, f"var {names} is not set", "", ())
        when_fields = rule.when.fields if rule.when is not None else frozenset()
        self.when_memo = _Memo(top_level_names(when_fields) if rule.when is not None else None)
        assert_fields = rule.assertion.fields if rule.assertion is not None else frozenset()
        evidence_fields = frozenset().union(*(path.fields for path in rule.evidence))
        self.assert_memo = _Memo(top_level_names(assert_fields | evidence_fields))

    def outcome(self, doc: dict[str, Any], ctx: Context, reprs: dict[str, str]) -> Outcome:
        """The memoized outcome of this rule on one record (the hot path of every scan)."""
        if self.constant is not None:
            return self.constant
        rule = self.rule
        if rule.when is not None:
            memo = self.when_memo
            if memo.enabled:
                key = memo.key(doc, reprs)
                skip = memo.table.get(key, memo)
                if skip is memo:
                    skip = memo.table[key] = skip_outcome(rule, doc, ctx)
                    memo.probe(False)
                elif memo.lookups < _PROBE:
                    memo.probe(True)
            else:
                skip = skip_outcome(rule, doc, ctx)
            if skip is not None:
                return skip  # type: ignore[no-any-return]
        memo = self.assert_memo
        if not memo.enabled:
            return assert_outcome(rule, doc, ctx, self.pass_path)
        key = memo.key(doc, reprs)
        found = memo.table.get(key)
        if found is None:
            found = memo.table[key] = assert_outcome(rule, doc, ctx, self.pass_path)
            memo.probe(False)
        elif memo.lookups < _PROBE:
            memo.probe(True)
        return found

    def plain_outcome(self, doc: dict[str, Any], ctx: Context) -> Outcome:
        if self.constant is not None:
            return self.constant
        skip = skip_outcome(self.rule, doc, ctx)
        return skip if skip is not None else assert_outcome(self.rule, doc, ctx, self.pass_path)

    def error_outcome(self, exc: Exception) -> Outcome:
        return (
            Status.ERROR,
            f"could not evaluate: {type(exc).__name__}: {exc}",
            self.pass_path,
            (),
        )


def _unknown_outcome(plan: _RulePlan, record: Record, doc: dict[str, Any], ctx: Context) -> Outcome:
    """Terraform records: a rule that reads a value known only after apply is ``unknown``."""
    gap = touches(plan.rule.fields, record.unknown_paths) and unknown_gap(
        plan.rule, doc, ctx, record.unknown_paths
    )
    if gap is not None and plan.constant is None:
        return (Status.UNKNOWN, f"depends on {gap}, which is known only after apply", gap, ())
    rule = known_part(plan.rule, doc, ctx, record.unknown_paths)
    if rule is plan.rule or plan.constant is not None:
        return plan.plain_outcome(doc, ctx)
    skip = skip_outcome(rule, doc, ctx)
    return skip if skip is not None else assert_outcome(rule, doc, ctx, plan.pass_path)


def _safe_outcome(
    plan: _RulePlan, doc: dict[str, Any], ctx: Context, reprs: dict[str, str]
) -> Outcome:
    try:
        return plan.outcome(doc, ctx, reprs)
    except Exception as exc:
        return plan.error_outcome(exc)


class _Group(_Memo):
    """Rules that read exactly the same top-level fields, memoized together: one lookup per
    record gives all their outcomes."""

    __slots__ = ("plans", "positions")

    def __init__(self, names: tuple[str, ...]) -> None:
        super().__init__(names)
        self.positions: list[int] = []
        self.plans: list[_RulePlan] = []

    def outcomes(
        self, doc: dict[str, Any], ctx: Context, reprs: dict[str, str]
    ) -> tuple[Outcome, ...]:
        if not self.enabled:
            return tuple(_safe_outcome(plan, doc, ctx, reprs) for plan in self.plans)
        key = self.key(doc, reprs)
        found = self.table.get(key)
        if found is None:
            found = self.table[key] = tuple(
                _safe_outcome(plan, doc, ctx, reprs) for plan in self.plans
            )
            self.probe(False)
        elif self.lookups < _PROBE:
            self.probe(True)
        return found


def _groups(plans: list[_RulePlan]) -> list[_Group]:
    """Group rules by the fields they read; a rule that may read the whole record is alone.

    Rules with a constant outcome (an unset var) are in no group: their outcome is filled in
    once, not per record.
    """
    by_names: dict[tuple[str, ...], _Group] = {}
    groups: list[_Group] = []
    for position, plan in enumerate(plans):
        if plan.constant is not None:
            continue
        rule = plan.rule
        names = top_level_names(rule.fields.union(*(path.fields for path in rule.evidence)))
        if names is None:
            group = _Group(())
            group.enabled = False
            groups.append(group)
        else:
            group = by_names.get(names) or by_names.setdefault(names, _Group(names))
            if group not in groups:
                groups.append(group)
        group.positions.append(position)
        group.plans.append(plan)
    return groups


def _outcomes(
    records: Iterable[Record], plans: list[_RulePlan], now: datetime
) -> Iterator[tuple[Record, list[Outcome]]]:
    """Each record with its outcomes, in rule order."""
    groups = _groups(plans)
    template: list[Outcome] = [plan.constant for plan in plans]  # type: ignore[misc]
    for record in records:
        doc = record.document()
        ctx = Context(doc, now)
        if record.unknown_paths:
            outcomes: list[Outcome] = []
            for plan in plans:
                try:
                    outcomes.append(_unknown_outcome(plan, record, doc, ctx))
                except Exception as exc:
                    outcomes.append(plan.error_outcome(exc))
            yield record, outcomes
            continue
        reprs: dict[str, str] = {}
        outcomes = template.copy()
        for group in groups:
            if group.enabled:
                found = group.outcomes(doc, ctx, reprs)
                for position, outcome in zip(group.positions, found, strict=True):
                    outcomes[position] = outcome
            else:  # no memo: skip building a tuple
                for position, plan in zip(group.positions, group.plans, strict=True):
                    outcomes[position] = _safe_outcome(plan, doc, ctx, reprs)
        yield record, outcomes


def _results(
    pairs: Iterable[tuple[Record, Sequence[Outcome]]], rules: Sequence[Rule]
) -> Iterator[Result]:
    """Results from each record's outcomes (in rule order): the engine stamps the rule's parts."""
    infos = [rule.info for rule in rules]
    make = tuple.__new__  # Result's own __new__ re-binds ten arguments; this is the hot path
    for record, outcomes in pairs:
        resource = record.resource
        for info, (status, message, path, evidence) in zip(infos, outcomes, strict=True):
            yield make(
                Result,
                (info.id, info.title, info.severity, status, resource, message, path,
                 info.remediation, evidence, None),
            )  # fmt: skip


def evaluate(records: Iterable[Record], rules: Sequence[Rule], now: datetime) -> Iterator[Result]:
    """Results for every record and rule, record by record, in rule order."""
    plans = [_RulePlan(rule) for rule in rules]
    return _results(_outcomes(records, plans, now), rules)


PARALLEL_MIN_RECORDS = 20_000


def evaluate_all(records: Sequence[Record], rules: Sequence[Rule], now: datetime) -> list[Result]:
    """All results, using a second CPU for large scans.

    Above ``PARALLEL_MIN_RECORDS`` records (where :func:`checker.forking.can_fork` allows it), a
    forked child evaluates the second half while this process does the first. The child sends
    back each pair's outcome as an index into its table of distinct outcomes (memo hits share
    one tuple), so the transfer stays small. If anything goes wrong in the child, the second
    half is simply evaluated here: the answer never depends on the shortcut.
    """
    if len(records) < PARALLEL_MIN_RECORDS or not rules or not can_fork():
        return list(evaluate(records, rules, now))
    half = len(records) // 2
    first, second = records[:half], records[half:]
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            os.close(read_fd)
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(_encode_outcomes(second, rules, now))
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    results = list(evaluate(first, rules, now))
    with os.fdopen(read_fd, "rb") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not payload:
        results.extend(evaluate(second, rules, now))
        return results
    results.extend(_decode_outcomes(payload, second, rules))
    return results


def _encode_outcomes(records: Sequence[Record], rules: Sequence[Rule], now: datetime) -> bytes:
    plans = [_RulePlan(rule) for rule in rules]
    index_of: dict[int, int] = {}
    distinct: list[Outcome] = []  # keeps every outcome alive, so id() values stay unique
    indexes = array("L")
    for _, outcomes in _outcomes(records, plans, now):
        for outcome in outcomes:
            index = index_of.get(id(outcome))
            if index is None:
                index = index_of[id(outcome)] = len(distinct)
                distinct.append(outcome)
            indexes.append(index)
    return pickle.dumps((indexes.tobytes(), distinct), protocol=pickle.HIGHEST_PROTOCOL)


def _decode_outcomes(
    payload: bytes, records: Sequence[Record], rules: Sequence[Rule]
) -> Iterator[Result]:
    raw, distinct = pickle.loads(payload)  # noqa: S301 - our own child's bytes, via a pipe
    indexes = array("L")
    indexes.frombytes(raw)
    width = len(rules)
    if len(indexes) != len(records) * width:
        raise RuntimeError("evaluation child returned a truncated result")
    flat = [distinct[index] for index in indexes]
    pairs = ((record, flat[n * width : (n + 1) * width]) for n, record in enumerate(records))
    return _results(pairs, rules)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building millions of acyclic results.

    Each generation-2 pass walks every live object; during a 100,000-record scan they cost more
    than the evaluation itself. Records and results hold no reference cycles, so nothing is
    lost by collecting once afterwards instead.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
