"""``wfcheck test PATH...``: policy tests, ``N passed, M failed``.

The test files (:mod:`checker.cli.policytests`) are loaded and checked against the policies
under test before any case runs, so a typo in a rule id or var is an input error, not a pass.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from checker.cli.command_options import TestOptions
from checker.cli.options import parse_now
from checker.cli.policytests import (
    Case,
    CaseResult,
    Mismatch,
    PolicyTestRun,
    find_test_files,
    load_test_file,
)
from checker.engine import evaluate
from checker.errors import InputError, PolicyError, UsageError
from checker.policy.loader import PolicySet, load_policies
from checker.policy.rule import Rule
from checker.text import suggest

if TYPE_CHECKING:
    from checker.cli.settings import Settings


def run(settings: Settings) -> int:
    options = TestOptions.of(settings)
    if not options.paths:
        raise UsageError("test: give the test files or directories", hint="e.g. policies/tests")
    now = parse_now(options.now) if options.now else None
    run = run_tests(options.paths, options.policies, now)
    coverage = options.coverage
    sys.stdout.write(format_run(run, coverage=coverage))
    gaps = coverage and run.coverage_gaps()
    return 1 if run.failed or gaps else 0


# --- running -------------------------------------------------------------------------------------


class _Policies:
    """The policy set per distinct vars, loaded once each (cases mostly share a few).

    Case vars are written to a temporary var file, so they mean exactly what they would in a
    ``--var-file`` (types kept, ``null`` unsets a var).
    """

    def __init__(self, paths: Sequence[str]) -> None:
        self.paths = list(paths)
        self.base = load_policies(self.paths)
        self.by_id: dict[str, Rule] = {rule.info.id: rule for rule in self.base.rules}
        self.cache: dict[str, PolicySet] = {"{}": self.base}

    def check(self, case: Case) -> None:
        for expectation in case.expect:
            if expectation.rule_id not in self.by_id:
                raise InputError(
                    f"case {case.name!r}: expect: unknown rule {expectation.rule_id!r} (not in "
                    "the loaded policies)",
                    file=case.file,
                    line=expectation.line,
                    hint=suggest(expectation.rule_id, sorted(self.by_id)),
                )
        for name, _, line in case.vars:
            if name not in self.base.vars:
                raise InputError(
                    f"case {case.name!r}: vars: unknown var {name!r}",
                    file=case.file,
                    line=line,
                    hint=suggest(name, sorted(self.base.vars)),
                )

    def for_case(self, case: Case) -> PolicySet:
        values = {name: value for name, value, _ in case.vars}
        key = json.dumps(values, sort_keys=True, default=str)
        if key not in self.cache:
            with tempfile.TemporaryDirectory(prefix="wfcheck-test-") as folder:
                var_file = Path(folder) / "vars.yaml"
                var_file.write_text(yaml.safe_dump(values), encoding="utf-8")
                try:
                    self.cache[key] = load_policies(self.paths, var_files=[str(var_file)])
                except PolicyError as exc:
                    where = exc.message if exc.file == str(var_file) else str(exc)
                    line = case.vars[0][2] if case.vars else case.line
                    raise InputError(
                        f"case {case.name!r}: vars: {where}", file=case.file, line=line
                    ) from None
        return self.cache[key]


def run_tests(
    paths: Sequence[str], policy_paths: Sequence[str], default_now: datetime | None = None
) -> PolicyTestRun:
    """Load every test file and the policies, check all cases are valid, then run them."""
    files = find_test_files(paths)
    cases = [case for name in files for case in load_test_file(name)]
    policies = _Policies(policy_paths)
    for case in cases:
        policies.check(case)
    for case in cases:
        policies.for_case(case)  # vars problems are input errors, found before anything runs
    now = default_now or datetime.now(timezone.utc).replace(microsecond=0)
    results = [_run_case(case, policies.for_case(case), case.now or now) for case in cases]
    return PolicyTestRun(tuple(results), tuple(rule.info for rule in policies.base.rules))


def _run_case(case: Case, policies: PolicySet, now: datetime) -> CaseResult:
    wanted = {expectation.rule_id for expectation in case.expect}
    rules = [rule for rule in policies.rules if rule.info.id in wanted]
    results = {result.rule_id: result for result in evaluate([case.record], rules, now)}
    mismatches = tuple(
        Mismatch(e.rule_id, e.status, results[e.rule_id].status.value, results[e.rule_id].message)
        for e in case.expect
        if results[e.rule_id].status.value != e.status
    )
    return CaseResult(case, tuple(results[e.rule_id] for e in case.expect), mismatches)


# --- output --------------------------------------------------------------------------------------


def format_run(run: PolicyTestRun, coverage: bool = False) -> str:
    """Failing cases (one line per wrong status), optional coverage, then ``N passed, M failed``."""
    from checker.reports.escape import terminal_safe

    lines: list[str] = []
    for result in run.cases:
        for mismatch in result.mismatches:
            lines.append(
                f"{result.case.where}: case {terminal_safe(result.case.name)!r}: "
                f"{mismatch.rule_id}: expected {mismatch.expected}, got {mismatch.actual}: "
                f"{terminal_safe(mismatch.message)}"
            )
    if coverage:
        lines.extend(format_coverage(run))
    lines.append(f"{run.passed} passed, {run.failed} failed")
    return "\n".join(lines) + "\n"


def format_coverage(run: PolicyTestRun) -> Iterable[str]:
    gaps = run.coverage_gaps()
    complete = len(run.rules) - len(gaps)
    yield (f"coverage: {complete} of {len(run.rules)} rule(s) have a passing and a failing case")
    for gap in gaps:
        yield f"  {gap.rule_id}: no {' and no '.join(gap.missing)} case"
