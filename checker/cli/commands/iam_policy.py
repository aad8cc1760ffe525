"""``wfcheck iam-policy``: the least-privilege IAM policy a live scan needs."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from checker.cli.settings import Settings


def run(settings: Settings) -> int:
    from checker.sources.aws.iam import render_policy

    sys.stdout.write(render_policy(settings["scope"], settings.get("role_name")))
    return 0
