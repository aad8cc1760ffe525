"""Evaluating records one by one: memoized for plain records, exactly for records whose source
qualifies values (not known until apply, sensitive, or defaulted)."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from checker.engine.memo import RulePlan, group_plans, safe_outcome
from checker.model import Record, Result, Status
from checker.policy.operators import Context
from checker.policy.paths import touches
from checker.policy.rule import Rule
from checker.policy.sensitive import masked_error, masked_outcome, reads_sensitive
from checker.policy.unknowns import known_part, unknown_gap
from checker.policy.verdicts import Outcome, assert_outcome, skip_outcome


def unknown_outcome(plan: RulePlan, record: Record, doc: dict[str, Any], ctx: Context) -> Outcome:
    """A rule on a record whose source qualifies some values, evaluated exactly (never memoized).

    Three qualifications, in this order: a rule that needs a value known only after apply is
    ``unknown`` and names it; a rule that reads a sensitive value gives its verdict with
    messages that show ``(sensitive)`` instead (``policy.sensitive``); a failure on a value
    the source defaulted (a block the configuration does not write) leads with why.
    """
    if plan.constant is not None:
        return plan.constant
    rule = plan.rule
    unknown = record.unknown_paths
    if unknown and touches(rule.fields, unknown) is not None:
        gap = unknown_gap(rule, doc, ctx, unknown)
        if gap is not None:
            named, path = gap
            reason = record.unknown_reason(path)
            return (Status.UNKNOWN, f"depends on {named}, which is {reason}", named, ())
        rule = known_part(rule, doc, ctx, unknown)
    if reads_sensitive(rule, record.sensitive_paths):
        outcome = masked_outcome(rule, doc, ctx, plan.pass_path, record.sensitive_paths)
    elif rule is plan.rule:
        outcome = plan.plain_outcome(doc, ctx)
    else:
        skip = skip_outcome(rule, doc, ctx)
        outcome = skip if skip is not None else assert_outcome(rule, doc, ctx, plan.pass_path)
    if outcome[0] is Status.FAIL and record.default_reasons:
        default = _default_reason(rule, record)
        if default is not None:
            status, message, where, evidence = outcome
            outcome = (status, f"{default}: {message}", where, evidence)
    return outcome


def _default_reason(rule: Rule, record: Record) -> str | None:
    """The source's words for a defaulted value the rule reads, if it reads one."""
    path = touches(rule.fields, frozenset(record.default_reasons))
    return None if path is None else record.default_reasons[path]


def qualified_outcome(plan: RulePlan, record: Record, doc: dict[str, Any], ctx: Context) -> Outcome:
    """:func:`unknown_outcome`, with an exception turned into an ``error`` result whose text
    cannot carry a sensitive value."""
    try:
        return unknown_outcome(plan, record, doc, ctx)
    except Exception as exc:
        if reads_sensitive(plan.rule, record.sensitive_paths):
            return masked_error(exc, plan.pass_path)
        return plan.error_outcome(exc)


def record_outcomes(
    records: Iterable[Record], plans: list[RulePlan], now: datetime
) -> Iterator[tuple[Record, list[Outcome]]]:
    """Each record with its outcomes, in rule order."""
    groups = group_plans(plans)
    template: list[Outcome] = [plan.constant for plan in plans]  # type: ignore[misc]
    for record in records:
        doc = record.document()
        ctx = Context(now)
        if record.unknown_paths or record.sensitive_paths or record.default_reasons:
            yield record, [qualified_outcome(plan, record, doc, ctx) for plan in plans]
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
                    outcomes[position] = safe_outcome(plan, doc, ctx, reprs)
        yield record, outcomes


def make_results(
    pairs: Iterable[tuple[Record, Sequence[Outcome]]], rules: Sequence[Rule]
) -> Iterator[Result]:
    """Results from each record's outcomes (in rule order): each refers to its rule's info."""
    infos = [rule.info for rule in rules]
    make = tuple.__new__  # Result's own __new__ re-binds every argument; this is the hot path
    for record, outcomes in pairs:
        resource = record.resource
        for info, (status, message, path, evidence) in zip(infos, outcomes, strict=True):
            yield make(Result, (info, status, resource, message, path, evidence, None))


def evaluate(records: Iterable[Record], rules: Sequence[Rule], now: datetime) -> Iterator[Result]:
    """Results for every record and rule, record by record, in rule order."""
    plans = [RulePlan(rule) for rule in rules]
    return make_results(record_outcomes(records, plans, now), rules)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building millions of acyclic results.

    Each generation-2 pass walks every live object; during a 100,000-record scan they cost more
    than the evaluation itself. Records and results hold no reference cycles, so nothing is
    lost. Afterwards what was built is frozen (``gc.freeze``): it lives as long as the report,
    and the writers' passes, which allocate as they stream, then never walk it again (at 1M
    records those walks cost more than a tenth of the run).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
