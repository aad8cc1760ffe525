"""``wfcheck test PATH...``: policy tests, ``N passed, M failed``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from checker.cli.options import parse_now
from checker.errors import UsageError

if TYPE_CHECKING:
    from checker.cli.settings import Settings


def run(settings: Settings) -> int:
    from checker.policy.policytest import format_run, run_tests

    paths = settings.get("paths") or []
    if not paths:
        raise UsageError("test: give the test files or directories", hint="e.g. policies/tests")
    now = parse_now(settings["now"]) if settings.get("now") else None
    run = run_tests(paths, settings.get("policy") or ["builtin"], now)
    coverage = bool(settings.get("coverage"))
    sys.stdout.write(format_run(run, coverage=coverage))
    gaps = coverage and run.coverage_gaps()
    return 1 if run.failed or gaps else 0
