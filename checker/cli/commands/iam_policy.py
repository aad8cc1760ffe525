"""``wfcheck iam-policy``: the least-privilege IAM policy a live scan needs."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from checker.cli.settings import Settings


def run(settings: Settings) -> int:
    from checker.cli.command_options import IamPolicyOptions
    from checker.sources.aws.iam import render_policy

    options = IamPolicyOptions.of(settings)
    sys.stdout.write(render_policy(options.scope, options.role_name, options.related))
    return 0
