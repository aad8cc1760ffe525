"""``wfcheck rules``: the loaded rules as a table, JSON or Markdown."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from checker.cli.options import PolicyOptions

if TYPE_CHECKING:
    from checker.cli.settings import Settings


def run(settings: Settings) -> int:
    from checker.rules_doc import render_rules

    policy = PolicyOptions.of(settings)
    policies = policy.load()
    rules = policy.select(policies.rules)
    sys.stdout.write(render_rules([rule.info for rule in rules], policies.vars, settings["format"]))
    return 0
