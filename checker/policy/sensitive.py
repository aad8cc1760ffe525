"""Values a source marks sensitive (Terraform ``sensitive()``): evaluated, never shown.

A rule on a sensitive value gives the verdict it would give on any value — a ``0.0.0.0/0`` hidden
behind ``sensitive()`` still fails WF011 — but no message, evidence value or error text built
from the record may carry the value or anything derived from it (a URL's host, a CIDR's network
or prefix length). The rule is conservative: every condition that reads a sensitive path (or a
path inside or around one) explains itself from the policy alone — its path, operator and the
policy's own value — and shows the record's side as ``(sensitive)``. Conditions that read no
sensitive path keep their usual, more precise messages.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from checker.model import Status
from checker.policy.conditions import All, Any_, Condition, Explanation, Leaf, Not
from checker.policy.operators import Context, show
from checker.policy.paths import touches
from checker.policy.rule import Rule
from checker.policy.verdicts import Outcome, assert_outcome, skip_outcome

SENSITIVE = "(sensitive)"
"""What messages and evidence show in place of a sensitive value."""


def reads_sensitive(rule: Rule, sensitive: frozenset[str]) -> bool:
    """Whether any message or evidence of the rule could be built from a sensitive value: its
    conditions, their message templates and its evidence paths (``Rule.reads``)."""
    return bool(sensitive) and touches(rule.reads, sensitive) is not None


class MaskedLeaf(Leaf):
    """A leaf that decides like the original and explains itself without the record's values."""

    __slots__ = ()

    def explain(self, doc: dict[str, Any], ctx: Context) -> Explanation:
        holds = self.holds(doc, ctx)
        label = f"{self.path.text} {SENSITIVE}"
        what = f"{self.op.name} {self._policy_value()}".rstrip()
        if not self.each or not isinstance(self.get(doc), list):
            verb = "satisfies" if holds else "does not satisfy"
            return Explanation(holds, (f"{label} {verb} {what}",), self.path.text)
        if self.match == "all":
            text = (
                f"every item of {label} satisfies"
                if holds
                else f"an item of {label} does not satisfy"
            )
        elif self.match == "any":
            text = f"an item of {label} satisfies" if holds else f"no item of {label} satisfies"
        else:
            text = f"no item of {label} satisfies" if holds else f"an item of {label} satisfies"
        return Explanation(holds, (f"{text} {what}",), self.path.text)

    def _policy_value(self) -> str:
        """The policy's side of the comparison, which is never sensitive."""
        if self.op.name == "cidr_prefix_at_least" and isinstance(self.value, tuple):
            limits = [
                f"{family} /{limit}"
                for family, limit in zip(("IPv4", "IPv6"), self.value, strict=True)
                if limit is not None
            ]
            return "(" + ", ".join(limits) + ")"
        return self._value_text()


def _own_message(condition: Condition, sensitive: frozenset[str]) -> Any:
    """A composite's own message template, unless it shows a sensitive value."""
    message = condition.message
    if message is None or touches(message.fields, sensitive) is not None:
        return None
    return message


def mask_condition(condition: Condition, sensitive: frozenset[str]) -> Condition:
    """The condition with every leaf whose check or message template reads a sensitive path
    replaced by a masked twin (which explains itself from the policy alone), and every
    composite message template that shows a sensitive value dropped."""
    if isinstance(condition, Leaf):
        if touches(condition.fields | condition.message_fields, sensitive) is None:
            return condition
        return MaskedLeaf(condition.path, condition.op, condition.value, condition.match)
    message = _own_message(condition, sensitive)
    if isinstance(condition, Not):
        return Not(mask_condition(condition.child, sensitive), message)
    if isinstance(condition, All):
        return All([mask_condition(child, sensitive) for child in condition.children], message)
    if isinstance(condition, Any_):
        return Any_([mask_condition(child, sensitive) for child in condition.children], message)
    raise TypeError(f"unknown condition type {type(condition).__name__}")  # never a value


def masked_outcome(
    rule: Rule, doc: dict[str, Any], ctx: Context, pass_path: str, sensitive: frozenset[str]
) -> Outcome:
    """The rule's verdict on a record with sensitive values, with messages that show none.

    The unmasked message is never built: the masked conditions explain themselves, and
    evidence read from a sensitive path is shown as ``(sensitive)``.
    """
    masked = replace(
        rule,
        when=mask_condition(rule.when, sensitive) if rule.when is not None else None,
        assertion=(
            mask_condition(rule.assertion, sensitive) if rule.assertion is not None else None
        ),
        evidence=(),
    )
    skip = skip_outcome(masked, doc, ctx)
    if skip is not None:
        return skip
    status, message, path, _ = assert_outcome(masked, doc, ctx, pass_path)
    if status is not Status.FAIL or not rule.evidence:
        return Outcome(status, message, path, ())
    evidence = tuple(
        (
            item.text,
            SENSITIVE if touches(item.fields, sensitive) is not None else show(item.get(doc)),
        )
        for item in rule.evidence
    )
    message += "; " + "; ".join(f"{name}: {value}" for name, value in evidence)
    return Outcome(status, message, path, evidence)


def masked_error(exc: Exception, pass_path: str) -> Outcome:
    """An error outcome for a rule that reads a sensitive value: an exception's text may quote
    the value it failed on, so only its type is shown."""
    return Outcome(
        Status.ERROR,
        f"could not evaluate: {type(exc).__name__} (details not shown: the rule reads a "
        f"value marked {SENSITIVE})",
        pass_path,
        (),
    )
