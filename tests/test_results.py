"""The summary every format prints is counted once, here: by status, failures by severity, and
the accounts and regions in scope (records, collection units and errors alike)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from checker.model import ErrorEntry, Status, UnitStatus
from checker.results import Report, summarize
from tests.conftest import EXAMPLES
from tests.helpers import report_for


@pytest.fixture(scope="module")
def example_report() -> Report:
    return report_for(json.loads((EXAMPLES / "workforces.json").read_text())["Workforces"])


def test_counts_match_the_results(example_report: Report) -> None:
    summary = summarize(example_report)
    results = list(example_report.results)
    for status in Status:
        assert summary.count(status) == sum(r.status is status for r in results)
    failing = {Status.FAIL, Status.ERROR, Status.UNKNOWN}
    assert summary.failing == sum(r.status in failing for r in results) > 0
    for severity, counts in summary.gate_by_severity.items():
        for status in (Status.FAIL, Status.ERROR):
            expected = sum(r.status is status and r.severity == severity for r in results)
            assert counts[status.value] == expected


def test_scope_counts_accounts_that_could_not_be_read(example_report: Report) -> None:
    before = summarize(example_report)
    report = dataclasses.replace(
        example_report,
        errors=(ErrorEntry("aws", "denied", "AccessDenied", "999999999999", "ap-south-1"),),
        units=(UnitStatus("aws", "error", 0, "888888888888", "sa-east-1"),),
    )
    after = summarize(report)
    assert set(after.accounts) == {*before.accounts, "999999999999", "888888888888"}
    assert set(after.regions) == {*before.regions, "ap-south-1", "sa-east-1"}


def test_the_json_shape_is_the_contract(example_report: Report) -> None:
    shape = summarize(example_report).as_dict()
    assert list(shape) == ["records", "rules", *(s.value for s in Status), "by_severity"]
    assert set(shape["by_severity"]["high"]) == {"fail", "error"}
