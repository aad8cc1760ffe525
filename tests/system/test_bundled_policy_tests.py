"""The bundled pack ships tests for every rule (policies/tests/), and they pass."""

from __future__ import annotations

from functools import cache

import pytest
import yaml

from checker.cli.commands.test import run_tests
from checker.cli.policytests import PolicyTestRun
from checker.policy.loader import BUILTIN, load_policies
from tests.conftest import ROOT
from tests.helpers import run_cli

TESTS = ROOT / "policies" / "tests"
RULES = load_policies([BUILTIN]).rules
RULE_IDS = [rule.info.id for rule in RULES]


def written_cases() -> list[dict]:  # type: ignore[type-arg]
    """The cases as written, read without wfcheck's own loader."""
    cases = []
    for path in sorted(TESTS.glob("*.yaml")):
        cases.extend(yaml.safe_load(path.read_text(encoding="utf-8"))["cases"])
    return cases


@cache
def bundled_run() -> PolicyTestRun:
    return run_tests([str(TESTS)], [BUILTIN])


def test_every_case_passes_through_the_real_entry_point() -> None:
    result = run_cli("test", str(TESTS))
    assert result.code == 0, result.out
    assert result.err == ""
    *failures, summary = result.out.splitlines()
    assert failures == []
    passed, failed = summary.split(", ")
    assert failed == "0 failed"
    assert int(passed.removesuffix(" passed")) >= len(written_cases())


def test_coverage_reports_every_bundled_rule_covered_both_ways() -> None:
    result = run_cli("test", "--coverage", str(TESTS))
    assert result.code == 0, result.out
    assert result.out.splitlines() == [
        f"coverage: {len(RULES)} of {len(RULES)} rule(s) have a passing and a failing case",
        f"{len(written_cases())} passed, 0 failed",
    ]


def test_the_bundled_pack_is_the_one_under_test() -> None:
    assert RULE_IDS[0] == "WF001" and RULE_IDS[-1] == "WF062"
    expected = {rule_id for case in written_cases() for rule_id in case["expect"]}
    assert expected == set(RULE_IDS)


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_each_rule_has_passing_failing_and_where_it_can_skip_skipping_cases(rule) -> None:  # type: ignore[no-untyped-def]
    run = bundled_run()
    assert rule.info.id in run.covered("pass")
    assert rule.info.id in run.covered("fail")
    if rule.when is not None or rule.info.vars:
        assert rule.info.id in run.covered("skip")


def test_the_bundled_tests_validate() -> None:
    result = run_cli("validate", str(TESTS))
    assert result.code == 0, result.err


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_each_bundled_rule_documents_itself(rule) -> None:  # type: ignore[no-untyped-def]
    """Custom rules may leave these out (only id, title, severity and assert are required);
    the bundled pack may not: its docs and the rules reference are generated from them."""
    info = rule.info
    assert info.description and info.remediation, info.id
    assert info.references and all(ref.startswith("https://") for ref in info.references)
    assert info.tags and info.controls, info.id
