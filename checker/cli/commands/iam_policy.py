"""``wfcheck iam-policy``: the least-privilege IAM policy a live scan needs."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from checker.cli.settings import Settings


def run(settings: Settings) -> int:
    from checker.related import parse_kinds
    from checker.sources.aws.iam import render_policy

    related = parse_kinds(settings.get("related") or "all")
    sys.stdout.write(render_policy(settings["scope"], settings.get("role_name"), related))
    return 0
