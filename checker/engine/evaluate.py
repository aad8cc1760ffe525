"""Evaluating records one by one: memoized for plain records, exactly for records with values
not known yet (Terraform ``after_unknown``)."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from checker.engine.memo import RulePlan, group_plans, safe_outcome
from checker.model import Record, Result, Status
from checker.policy.loader import Rule
from checker.policy.operators import Context
from checker.policy.paths import touches
from checker.policy.unknowns import known_part, unknown_gap
from checker.policy.verdicts import Outcome, assert_outcome, skip_outcome


def unknown_outcome(plan: RulePlan, record: Record, doc: dict[str, Any], ctx: Context) -> Outcome:
    """Terraform records: a rule that reads a value known only after apply is ``unknown``."""
    gap = touches(plan.rule.fields, record.unknown_paths) and unknown_gap(
        plan.rule, doc, ctx, record.unknown_paths
    )
    if gap is not None and plan.constant is None:
        reason = record.unknown_reason(gap)
        return (Status.UNKNOWN, f"depends on {gap}, which is {reason}", gap, ())
    rule = known_part(plan.rule, doc, ctx, record.unknown_paths)
    if rule is plan.rule or plan.constant is not None:
        return plan.plain_outcome(doc, ctx)
    skip = skip_outcome(rule, doc, ctx)
    return skip if skip is not None else assert_outcome(rule, doc, ctx, plan.pass_path)


def record_outcomes(
    records: Iterable[Record], plans: list[RulePlan], now: datetime
) -> Iterator[tuple[Record, list[Outcome]]]:
    """Each record with its outcomes, in rule order."""
    groups = group_plans(plans)
    template: list[Outcome] = [plan.constant for plan in plans]  # type: ignore[misc]
    for record in records:
        doc = record.document()
        ctx = Context(doc, now)
        if record.unknown_paths or record.sensitive_paths:  # exact path, never memoized
            outcomes: list[Outcome] = []
            for plan in plans:
                try:
                    outcomes.append(unknown_outcome(plan, record, doc, ctx))
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
    lost by collecting once afterwards instead.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
