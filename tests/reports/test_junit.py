"""JUnit XML: valid against the Jenkins-style XSD, read back by junitparser, counts that add up."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest
from junitparser import Error, Failure, JUnitXml, Skipped
from lxml import etree

from checker.model import ErrorEntry, Status
from checker.reports import get_writer
from checker.reports.interface import RenderOptions
from checker.reports.junit import xml_attr
from checker.results import Report
from tests.golden_files import assert_golden, example_output
from tests.reports.conftest import INJECTIONS

XSD = etree.XMLSchema(
    etree.parse(str(Path(__file__).resolve().parents[1] / "schemas" / "junit-jenkins.xsd"))
)


def render(report: Report, tmp_path: Path) -> tuple[str, etree._ElementTree, JUnitXml]:
    text = get_writer("junit").render(report, RenderOptions())
    tree = etree.fromstring(text.encode("utf-8")).getroottree()
    assert XSD.validate(tree), XSD.error_log
    path = tmp_path / "report.xml"
    path.write_text(text, encoding="utf-8")
    return text, tree, JUnitXml.fromfile(str(path))


def test_golden_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    text = example_output(monkeypatch, "junit")
    assert XSD.validate(etree.fromstring(text.encode()).getroottree()), XSD.error_log
    assert_golden("examples.junit.xml", text)


def test_one_testcase_per_rule_and_record(example_report: Report, tmp_path: Path) -> None:
    _, _, xml = render(example_report, tmp_path)
    cases = [(case.classname, case.name) for suite in xml for case in suite]
    assert len(cases) == len(set(cases)) == len(example_report.results)
    expected = {(r.rule_id, r.resource.arn) for r in example_report.results}
    assert set(cases) == expected


def test_suites_per_account_and_region(example_report: Report, tmp_path: Path) -> None:
    _, _, xml = render(example_report, tmp_path)
    names = [suite.name for suite in xml]
    expected = {f"{r.resource.account}/{r.resource.region}" for r in example_report.results}
    assert names == sorted(expected)
    for suite in xml:
        for case in suite:
            arn = case.name
            assert arn.split(":")[4] + "/" + arn.split(":")[3] == suite.name


def test_counts_add_up(example_report: Report, tmp_path: Path) -> None:
    statuses = [
        Status.FAIL,
        Status.ERROR,
        Status.SKIP,
        Status.WAIVED,
        Status.BASELINE,
        Status.UNKNOWN,
        Status.PASS,
    ]
    results = tuple(
        r._replace(status=statuses[i % len(statuses)]) for i, r in enumerate(example_report.results)
    )
    report = dataclasses.replace(example_report, results=results)
    _, tree, xml = render(report, tmp_path)
    root = tree.getroot()
    by_status = Counter(r.status for r in results)
    assert int(root.get("tests")) == len(results)
    assert int(root.get("failures")) == by_status[Status.FAIL]
    assert int(root.get("errors")) == by_status[Status.ERROR]
    for suite_element, suite in zip(root, xml):
        kinds = Counter(type(case.result[0]).__name__ if case.result else "pass" for case in suite)
        assert int(suite_element.get("tests")) == sum(kinds.values()) == suite.tests
        assert int(suite_element.get("failures")) == kinds["Failure"] == suite.failures
        assert int(suite_element.get("errors")) == kinds["Error"] == suite.errors
        assert int(suite_element.get("skipped")) == kinds["Skipped"] == suite.skipped


@pytest.mark.parametrize(
    ("status", "kind", "message_start"),
    [
        (Status.FAIL, Failure, None),
        (Status.ERROR, Error, None),
        (Status.SKIP, Skipped, None),
        (Status.WAIVED, Skipped, "waived: ticket SEC-9"),
        (Status.BASELINE, Skipped, "accepted in the baseline: ticket SEC-9"),
        (Status.UNKNOWN, Skipped, "unknown until apply:"),
        (Status.PASS, None, None),
    ],
)
def test_status_mapping(
    example_report: Report,
    tmp_path: Path,
    status: Status,
    kind: type | None,
    message_start: str | None,
) -> None:
    base = next(r for r in example_report.results if r.status is Status.FAIL)
    annotation = {"reason": "ticket SEC-9"} if status in (Status.WAIVED, Status.BASELINE) else None
    result = base._replace(status=status, annotation=annotation)
    _, _, xml = render(dataclasses.replace(example_report, results=(result,)), tmp_path)
    case = next(iter(next(iter(xml))))
    if kind is None:
        assert case.result == []
        return
    (outcome,) = case.result
    assert isinstance(outcome, kind)
    if status is Status.FAIL:
        assert outcome.type == base.severity.upper()
        assert outcome.message == base.message
        assert base.remediation in outcome.text
        assert base.message in outcome.text
    if message_start:
        assert outcome.message.startswith(message_start)
    if status is Status.SKIP:  # not applicable: the message says why, nothing to remediate
        assert outcome.message == base.message
        assert not outcome.text
    else:
        assert f"Resource: {base.resource.key}\n" in outcome.text


def test_collection_errors_are_errored_cases(example_report: Report, tmp_path: Path) -> None:
    report = dataclasses.replace(
        example_report,
        errors=(
            ErrorEntry(
                source="aws",
                message="no access <here>",
                code="AccessDenied",
                account="111111111111",
                region="us-east-1",
            ),
        ),
    )
    _, tree, xml = render(report, tmp_path)
    suite = next(s for s in xml if s.name == "collection")
    (case,) = list(suite)
    assert isinstance(case.result[0], Error)
    assert case.result[0].message == "no access <here>"
    assert int(tree.getroot().get("errors")) == 1
    assert int(tree.getroot().get("tests")) == len(example_report.results) + 1


def test_injection_corpus(hostile_report: Report, tmp_path: Path) -> None:
    text, _tree, xml = render(hostile_report, tmp_path)
    assert "<script>" not in text
    assert "\x1b" not in text and "\x07" not in text
    messages = {
        (case.classname, case.name): [r.message for r in case.result]
        for suite in xml
        for case in suite
    }
    for result in hostile_report.results:
        if result.status is Status.FAIL:
            # Attributes survive the round trip exactly, but for characters XML cannot carry.
            expected = etree.fromstring(f'<a m="{xml_attr(result.message)}"/>').get("m")
            assert messages[(result.rule_id, result.resource.key)] == [expected]
    details = "\n".join(r.text or "" for suite in xml for case in suite for r in case.result)
    for payload in INJECTIONS:
        if payload.isprintable():  # the workforce name carries it, verbatim, in the details
            assert f"Workforce: wf-{INJECTIONS.index(payload)}{payload}\n" in details, payload
