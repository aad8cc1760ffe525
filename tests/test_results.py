"""The summary every format prints is counted once, here: by status, failures by severity, and
the accounts and regions in scope (records, collection units and errors alike)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from checker.model import ErrorEntry, Result, Status, UnitStatus
from checker.results import Report, ResultStore, summarize
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


def varied_store(report: Report) -> ResultStore:
    """The report's results three times over with their statuses rotated, so every rule
    has findings of several statuses on several records."""
    statuses = list(Status)
    results = []
    for turn in range(3):
        for number, result in enumerate(report.results):
            status = statuses[(number + turn) % len(statuses)]
            results.append(result._replace(status=status))
    return ResultStore.from_results(results, report.rules)


def test_findings_are_the_results_that_are_findings(example_report: Report) -> None:
    store = varied_store(example_report)
    expected = [result for result in store if result.status.is_finding]
    assert list(store.findings()) == expected
    assert len(expected) > 10
    places = list(store.places())
    assert [store.result(record, position) for record, position, _ in places] == expected
    assert [store.verdicts[index][0] for _, _, index in places] == [r.status for r in expected]
    every = [
        store.result(record, position) for record, position, _ in store.places(everything=True)
    ]
    assert every == list(store)


def test_grouped_findings_are_a_stable_sort_by_group(example_report: Report) -> None:
    store = varied_store(example_report)

    def group(result: Result) -> int:
        return (len(result.rule_id) + list(Status).index(result.status)) % 3

    expected = sorted(store.findings(), key=group)  # sorted() is stable
    assert list(store.findings(group)) == expected
    assert len({group(result) for result in expected}) == 3
