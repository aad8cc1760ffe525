"""Evaluating records one by one: memoized for plain records, exactly for records whose source
qualifies values (not known until apply, sensitive, or defaulted)."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from checker.engine.memo import Group, RulePlan, group_plans, safe_outcome
from checker.model import Record, Result, Status
from checker.policy.operators import Context
from checker.policy.paths import touches
from checker.policy.rule import Rule
from checker.policy.sensitive import masked_error, masked_outcome, reads_sensitive
from checker.policy.unknowns import known_part, unknown_gap
from checker.policy.verdicts import Outcome, assert_outcome, skip_outcome
from checker.related import KINDS, MEMBER, NOT_EVALUATED, kinds_read, not_read


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
        gap = unknown_gap(rule, doc, ctx, unknown, record.identity_paths)
        if gap is not None:
            named, path = gap
            reason = record.unknown_reason(path)
            return Outcome(Status.UNKNOWN, f"depends on {named}, which is {reason}", named, ())
        rule = known_part(rule, doc, ctx, unknown, record.identity_paths)
    if reads_sensitive(rule, record.sensitive_paths):
        outcome = masked_outcome(rule, doc, ctx, plan.pass_path, record.sensitive_paths)
    elif rule is plan.rule:
        outcome = plan.plain_outcome(doc, ctx)
    else:
        skip = skip_outcome(rule, doc, ctx)
        outcome = skip if skip is not None else assert_outcome(rule, doc, ctx, plan.pass_path)
    if outcome.status is Status.FAIL and record.default_reasons:
        default = _default_reason(rule, record)
        if default is not None:
            status, message, where, evidence = outcome
            outcome = Outcome(status, f"{default}: {message}", where, evidence)
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


class RelatedNeed:
    """The related kinds one rule reads, and whether its ``when`` reads any: a rule whose
    ``when`` alone does not apply still skips as not applicable when related data is missing."""

    __slots__ = ("kinds", "plan", "position", "unread", "when_reads_related")

    def __init__(self, position: int, plan: RulePlan) -> None:
        self.position = position
        self.plan = plan
        self.kinds = kinds_read(plan.rule.reads)
        self.when_reads_related = bool(kinds_read(plan.rule.when_reads))
        missing = not_read(self.kinds, None)  # every kind it reads (a need reads one)
        self.unread = Outcome(
            Status.SKIP,
            f"{NOT_EVALUATED}{', '.join(missing)}",
            _member(missing[0]),
            (),
        )

    def outcome_unread(self, doc: dict[str, Any], ctx: Context, reprs: dict[str, str]) -> Outcome:
        """:func:`related_outcome` for a record whose source read no related resources,
        evaluating only what decides it: the rule's ``when`` (not applicable stays so, unless
        the ``when`` itself reads related data); anything else is not evaluated."""
        if not self.when_reads_related:
            try:
                skip = self.plan.skip(doc, ctx, reprs)
            except Exception:  # the full rule would be an error, which is not evaluated either
                skip = None
            if skip is not None:
                return skip
        return self.unread


def related_outcome(need: RelatedNeed, record: Record, outcome: Outcome) -> Outcome:
    """``outcome``, unless the record lacks a related kind the rule reads: then ``error`` when
    the source could not read it (never a pass), else ``skip`` as not evaluated."""
    related = record.related or {}
    failed = [(kind, related[kind]) for kind in sorted(need.kinds) if related.get(kind)]
    if failed:
        kind, why = failed[0]
        return Outcome(Status.ERROR, f"related {kind} could not be read: {why}", _member(kind), ())
    missing = not_read(need.kinds, record.related)
    if not missing:
        return outcome
    if outcome.status is Status.SKIP and not need.when_reads_related:
        return outcome  # not applicable whatever the related resources say
    message = f"{NOT_EVALUATED}{', '.join(missing)}"
    return Outcome(Status.SKIP, message, _member(missing[0]), ())


def _member(kind: str) -> str:
    return f"{MEMBER}.{KINDS[kind]}"


def record_outcomes(
    records: Iterable[Record], plans: list[RulePlan], now: datetime
) -> Iterator[tuple[Record, list[Outcome]]]:
    """Each record with its outcomes, in rule order."""
    groups = group_plans(plans)
    template: list[Outcome] = [plan.constant for plan in plans]  # type: ignore[misc]
    needs = [
        RelatedNeed(position, plan)
        for position, plan in enumerate(plans)
        if plan.constant is None and kinds_read(plan.rule.reads)
    ]
    unread_groups = group_plans(plans, frozenset(need.position for need in needs))
    for record in records:
        if needs and record.related is None and not _qualified(record):
            yield record, _outcomes(record, plans, unread_groups, template, now, needs)
            continue
        outcomes = _outcomes(record, plans, groups, template, now)
        if needs and not record_reads_all(record):
            for need in needs:
                outcomes[need.position] = related_outcome(need, record, outcomes[need.position])
        yield record, outcomes


def record_reads_all(record: Record) -> bool:
    """Whether the source read every related kind, and read each without error."""
    related = record.related
    return related is not None and len(related) == len(KINDS) and not any(related.values())


def _qualified(record: Record) -> bool:
    """Whether the record's source qualifies some values (unknown, sensitive, defaulted): its
    outcomes are then not memoized."""
    return bool(record.unknown_paths or record.sensitive_paths or record.default_reasons)


def _outcomes(
    record: Record,
    plans: list[RulePlan],
    groups: list[Group],
    template: list[Outcome],
    now: datetime,
    unread: Sequence[RelatedNeed] = (),
) -> list[Outcome]:
    """One record's outcomes, memoized unless its source qualifies some values; the rules of
    ``unread`` (left out of ``groups``) as for a record without related data."""
    doc = record.document()
    ctx = Context(now)
    if _qualified(record):
        return [qualified_outcome(plan, record, doc, ctx) for plan in plans]
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
    for need in unread:
        outcomes[need.position] = need.outcome_unread(doc, ctx, reprs)
    return outcomes


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
