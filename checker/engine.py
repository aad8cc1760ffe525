"""evaluate(records, rules) -> results. No I/O.

Every (record, rule) pair yields exactly one result. The engine, not the rule, stamps id, title,
severity and remediation on it. A rule that raises on a record becomes an ``error`` result for
that pair; the scan goes on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from checker.model import Record, Result, Status
from checker.policy.loader import Rule
from checker.policy.operators import Context, show
from checker.policy.paths import touches
from checker.policy.unknowns import unknown_gap

PASS_MESSAGE = "ok"


def _result(rule: Rule, record: Record, status: Status, message: str, path: str,
            evidence: tuple[tuple[str, str], ...] = ()) -> Result:
    info = rule.info
    return Result(info.id, info.title, info.severity, status, record.resource, message, path,
                  info.remediation, evidence)


def _first_path(rule: Rule) -> str:
    condition = rule.assertion
    while condition is not None and not hasattr(condition, "path"):
        condition = condition.children[0] if hasattr(condition, "children") else condition.child
    return condition.path.text if condition is not None else ""


def evaluate_one(rule: Rule, record: Record, doc: dict, ctx: Context) -> Result:
    """One rule on one record; never raises."""
    try:
        if rule.missing_vars:
            names = ", ".join(rule.missing_vars)
            return _result(rule, record, Status.SKIP, f"var {names} is not set", "")
        if record.unknown_paths:
            gap = touches(rule.fields, record.unknown_paths) and unknown_gap(
                rule, doc, ctx, record.unknown_paths)
            if gap is not None:
                return _result(rule, record, Status.UNKNOWN,
                               f"depends on {gap}, which is known only after apply", gap)
        when, assertion = rule.when, rule.assertion
        if when is not None and not when.holds(doc, ctx):
            explained = when.explain(doc, ctx)
            return _result(rule, record, Status.SKIP,
                           "not applicable: " + "; ".join(explained.reasons), explained.path)
        assert assertion is not None
        if assertion.holds(doc, ctx):
            return _result(rule, record, Status.PASS, PASS_MESSAGE, _first_path(rule))
        explained = assertion.explain(doc, ctx)
        evidence = tuple((path.text, show(path.get(doc))) for path in rule.evidence)
        message = "; ".join(explained.reasons)
        if evidence:
            message += "; " + "; ".join(f"{name}: {value}" for name, value in evidence)
        return _result(rule, record, Status.FAIL, message, explained.path, evidence)
    except Exception as exc:  # noqa: BLE001 - one bad pair must not stop the scan
        return _result(rule, record, Status.ERROR,
                       f"could not evaluate: {type(exc).__name__}: {exc}", _first_path(rule))


def evaluate(records: Iterable[Record], rules: Sequence[Rule], now: datetime) -> Iterator[Result]:
    """Results for every record and rule, record by record, in rule order."""
    for record in records:
        doc = record.document()
        ctx = Context(doc, now)
        for rule in rules:
            yield evaluate_one(rule, record, doc, ctx)
