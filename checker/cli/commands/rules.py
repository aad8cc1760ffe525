"""``wfcheck rules``: the loaded rules as a table, JSON or Markdown (the README's rule reference
comes from :func:`render_rules` too).

The formats are writers in ``checker.reports.RULES_WRITER_BY_NAME`` (the same shape as the
report writers).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from checker.cli.command_options import rules_format
from checker.cli.options import PolicyOptions
from checker.model import RuleInfo

if TYPE_CHECKING:
    from checker.cli.settings import Settings


def render_rules(rules: Sequence[RuleInfo], vars_: Mapping[str, Any], fmt: str) -> str:
    from checker.reports import RULES_WRITER_BY_NAME, load_writer
    from checker.reports.rules import RuleList

    return load_writer(RULES_WRITER_BY_NAME, fmt).render(RuleList(rules, vars_))


def run(settings: Settings) -> int:
    policy = PolicyOptions.of(settings)
    policies = policy.load()
    rules = policy.select(policies.rules)
    infos = [rule.info for rule in rules]
    sys.stdout.write(render_rules(infos, policies.vars, rules_format(settings)))
    return 0
