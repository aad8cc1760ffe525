"""A rule's verdict on one record: skip (its ``when`` does not hold), pass, or fail with a
message a person can read. The engine calls these (memoized); the policy layer owns what the
messages say."""

from __future__ import annotations

from typing import Any, NamedTuple

from checker.model import Status
from checker.policy.conditions import All, Condition, Explanation
from checker.policy.display import join_reasons, show
from checker.policy.operators import Context
from checker.policy.rule import Rule

PASS_MESSAGE = "ok"  # noqa: S105 - a message, not a password


class Outcome(NamedTuple):
    """What one rule says about one record: a tuple (memo tables share them, and the engine
    unpacks them), with the names its fields have."""

    status: Status
    message: str
    path: str
    evidence: tuple[tuple[str, str], ...]


def first_path(condition: Condition | None) -> str:
    while condition is not None and not hasattr(condition, "path"):
        condition = condition.children[0] if hasattr(condition, "children") else condition.child
    return condition.path.text if condition is not None else ""


def skip_outcome(rule: Rule, doc: dict[str, Any], ctx: Context) -> Outcome | None:
    """The skip outcome when the rule's ``when`` does not hold, else None."""
    when = rule.when
    if when is None or when.holds(doc, ctx):
        return None
    explained = _why_not(when, doc, ctx)
    return Outcome(
        Status.SKIP,
        f"not applicable: {join_reasons(explained.reasons)}",
        explained.path,
        (),
    )


def _why_not(condition: Condition, doc: dict[str, Any], ctx: Context) -> Explanation:
    """The first reason a condition does not hold: enough to say why a rule does not apply
    (the others add only noise), and cheap when the first part is a switch like a var."""
    while isinstance(condition, All) and condition.message is None:
        failing = next((c for c in condition.children if not c.holds(doc, ctx)), None)
        if failing is None:
            break
        condition = failing
    explained = condition.explain(doc, ctx)
    return Explanation(explained.holds, explained.reasons[:1], explained.path)


def assert_outcome(rule: Rule, doc: dict[str, Any], ctx: Context, pass_path: str) -> Outcome:
    assertion = rule.assertion
    assert assertion is not None
    if assertion.holds(doc, ctx):
        return Outcome(Status.PASS, PASS_MESSAGE, pass_path, ())
    explained = assertion.explain(doc, ctx)
    evidence = tuple((path.text, show(path.get(doc))) for path in rule.evidence)
    message = join_reasons(explained.reasons)
    if evidence:
        message += "; " + "; ".join(f"{name}: {value}" for name, value in evidence)
    return Outcome(Status.FAIL, message, explained.path, evidence)
