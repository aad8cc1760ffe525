"""A compiled rule: what the engine evaluates. Its own module so the engine needs only this,
not the loader that builds rules from policy files."""

from __future__ import annotations

from dataclasses import dataclass

from checker.model import RuleInfo
from checker.policy.conditions import Condition
from checker.policy.paths import Path


@dataclass(frozen=True, slots=True)
class Rule:
    """A compiled rule. ``missing_vars`` lists unset vars: such a rule evaluates to skip.

    ``fields`` are the dotted fields its verdict reads (``when`` and ``assert``). Its messages may
    read more (templates, evidence): ``when_reads``, ``assert_reads`` and ``reads`` are everything
    the skip outcome, the pass/fail outcome and both read, which is what a memo must key on.
    """

    info: RuleInfo
    when: Condition | None
    assertion: Condition | None
    evidence: tuple[Path, ...] = ()
    missing_vars: tuple[str, ...] = ()
    fields: frozenset[str] = frozenset()

    @property
    def when_reads(self) -> frozenset[str]:
        if self.when is None:
            return frozenset()
        return self.when.fields | self.when.message_fields

    @property
    def assert_reads(self) -> frozenset[str]:
        reads = frozenset().union(*(path.fields for path in self.evidence))
        if self.assertion is not None:
            reads |= self.assertion.fields | self.assertion.message_fields
        return reads

    @property
    def reads(self) -> frozenset[str]:
        return self.fields | self.when_reads | self.assert_reads
