"""Which rules a value unknown until apply (Terraform ``after_unknown``) really leaves undecided.

A rule is ``unknown`` only when known values cannot decide it. Conditions are evaluated with
three values (true, false, undecided): ``all`` is false as soon as one known part is false, ``any``
true as soon as one known part is true, and a ``when`` that known values make false skips the rule
even if its assertion reads unknown values (a VPC endpoint id not known yet does not matter to a
rule that only applies to Active workforces, and a plan has no Status). A presence check
(``exists``/``absent``) on a block is decided when only values inside the block are unknown.

What a rule reads is exact (``paths._fields``): a function's arguments, never the heads of an
expression, so ``split(CognitoConfig.UserPool, '_')[0]`` does not depend on an unknown
``CognitoConfig.ClientId``. An undecided rule names the value it reads that is unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from checker.policy.conditions import All, Any_, Condition, Leaf, Not
from checker.policy.operators import Context
from checker.policy.paths import WHOLE_DOCUMENT, Path, touches

Gap = tuple[str, str]
"""(the value a rule reads that is unknown, the unknown path it is at or under): the first
names the value in messages, the second keys the source's reason (``Record.unknown_reason``)."""


def unknown_gap(
    rule: Any,
    doc: Mapping[str, Any],
    ctx: Context,
    unknown: frozenset[str],
    identities: frozenset[str],
) -> Gap | None:
    """The unknown value the rule's outcome depends on, or None when known values decide it."""
    if not unknown or rule.missing_vars or touches(rule.fields, unknown) is None:
        return None  # a rule with an unset var skips whatever the values are
    gaps: list[Gap] = []
    if rule.when is not None:
        decided = decide(rule.when, doc, ctx, unknown, gaps, identities)
        if decided is None:
            return gaps[0]
        if not decided:
            return None
    if rule.assertion is None:
        return None
    decided = decide(rule.assertion, doc, ctx, unknown, gaps, identities)
    return gaps[0] if decided is None else None


def decide(
    condition: Condition,
    doc: Mapping[str, Any],
    ctx: Context,
    unknown: frozenset[str],
    gaps: list[Gap],
    identities: frozenset[str],
) -> bool | None:
    """True, False, or None when the outcome depends on unknown values (named in ``gaps``)."""
    if isinstance(condition, Leaf):
        gap = leaf_gap(condition, unknown, identities)
        if gap is not None:
            gaps.append(gap)
            return None
        return condition.holds(doc, ctx)  # type: ignore[arg-type]
    if isinstance(condition, Not):
        inner = decide(condition.child, doc, ctx, unknown, gaps, identities)
        return None if inner is None else not inner
    if isinstance(condition, (All, Any_)):
        decisive = isinstance(condition, Any_)  # the child value that settles the whole
        undecided = False
        for child in condition.children:
            verdict = decide(child, doc, ctx, unknown, gaps, identities)
            if verdict is None:
                undecided = True
            elif verdict is decisive:
                return decisive
        return None if undecided else not decisive
    return None  # an unfamiliar condition: do not guess


def leaf_gap(leaf: Leaf, unknown: frozenset[str], identities: frozenset[str]) -> Gap | None:
    """The unknown value one operator application reads, if any: the field read when it lies
    in an unknown block, the unknown part when the field read holds it (not for a presence
    check, which an unknown value inside the block does not change). A value known as the
    object it names (``identities``) is no gap to an operator that only selects, counts and
    compares it (``by_identity``, through paths that do not look inside values)."""
    fields = leaf.fields
    paths = [leaf.path]
    if isinstance(leaf.value, Path):
        fields = fields | leaf.value.fields
        paths.append(leaf.value)
    if identities and leaf.op.by_identity and not any(path.inspects for path in paths):
        unknown = unknown - identities
    presence = leaf.op.presence
    for field in sorted(fields):
        for gap in sorted(unknown):
            if field == WHOLE_DOCUMENT:
                return gap, gap
            if field == gap or field.startswith(gap + "."):
                return field, gap
            if gap.startswith(field + ".") and not presence:
                return gap, gap
    return None


def known_part(
    rule: Any,
    doc: Mapping[str, Any],
    ctx: Context,
    unknown: frozenset[str],
    identities: frozenset[str],
) -> Any:
    """The rule with the parts known values did not need left out, for its messages.

    Called once the rule is decided: a failing ``all`` then names only the known parts that fail
    it, not also an unknown value as "absent". Returns the rule itself when nothing is unknown.
    """
    if not unknown or touches(rule.fields, unknown) is None:
        return rule
    when = _prune(rule.when, doc, ctx, unknown, identities) if rule.when is not None else None
    assertion = (
        _prune(rule.assertion, doc, ctx, unknown, identities)
        if rule.assertion is not None
        else None
    )
    return replace(rule, when=when, assertion=assertion)


def _prune(
    condition: Condition,
    doc: Mapping[str, Any],
    ctx: Context,
    unknown: frozenset[str],
    identities: frozenset[str],
) -> Condition:
    if isinstance(condition, Not):
        return Not(_prune(condition.child, doc, ctx, unknown, identities))
    if isinstance(condition, (All, Any_)):
        kept = [
            _prune(child, doc, ctx, unknown, identities)
            for child in condition.children
            if decide(child, doc, ctx, unknown, [], identities) is not None
        ]
        if not kept:
            return condition
        return All(kept) if isinstance(condition, All) else Any_(kept)
    return condition
