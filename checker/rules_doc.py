"""``wfcheck rules``: the rule reference as a table, JSON or Markdown (the README's section).

The formats are writers in ``checker.reports.RULES_WRITER_BY_NAME`` (the same shape as the
report writers); this is the one-call entry point the CLI and the README generator use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from checker.model import RuleInfo


def render_rules(rules: Sequence[RuleInfo], vars_: Mapping[str, Any], fmt: str) -> str:
    from checker.reports import RULES_WRITER_BY_NAME, load_writer
    from checker.reports.rules import RuleList

    return load_writer(RULES_WRITER_BY_NAME, fmt).render(RuleList(rules, vars_))
