"""SARIF: valid against the OASIS 2.1.0 schema and shaped the way GitHub code scanning reads it."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from checker.model import Result, RuleInfo, Status
from checker.reports import get_writer
from checker.reports.interface import RenderOptions
from checker.reports.sarif import artifact_uri, fingerprint, message_text, pseudo_path
from checker.results import Report
from tests.golden_files import assert_golden, example_output
from tests.reports.conftest import INJECTIONS

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "schemas" / "sarif-schema-2.1.0.json").read_text()
)
VALIDATOR = jsonschema.Draft4Validator(SCHEMA)
SAFE_URI = re.compile(r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")


def render(report: Report, **settings: str) -> dict[str, Any]:
    text = get_writer("sarif").render(report, RenderOptions(settings=settings))
    data: dict[str, Any] = json.loads(text)
    errors = sorted(VALIDATOR.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    return data


def with_status(result: Result, status: Status, **annotation: str) -> Result:
    return result._replace(status=status, annotation=annotation or None)


def live(result: Result, **changes: Any) -> Result:
    """The same result as if its record came from the live API (no file to point at)."""
    resource = dataclasses.replace(result.resource, source="aws", source_kind="aws", **changes)
    return result._replace(resource=resource)


def test_golden_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    text = example_output(monkeypatch, "sarif")
    assert not list(VALIDATOR.iter_errors(json.loads(text)))
    assert_golden("examples.sarif", text)


def test_rules_carry_what_github_shows(example_report: Report) -> None:
    data = render(example_report)
    assert len(data["runs"]) == 1
    rules = data["runs"][0]["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [info.id for info in example_report.rules]
    for rule, info in zip(rules, example_report.rules):
        assert rule["shortDescription"]["text"] == info.title
        assert rule["fullDescription"]["text"] == info.description.strip()
        assert info.remediation.strip() in rule["help"]["text"]
        assert info.remediation.strip() in rule["help"]["markdown"]
        assert "security" in rule["properties"]["tags"]
        if info.references:
            assert rule["helpUri"] == info.references[0]
        else:
            assert "helpUri" not in rule


@pytest.mark.parametrize(
    ("severity", "score", "level"),
    [
        ("critical", "9.5", "error"),
        ("high", "7.5", "error"),
        ("medium", "5.5", "warning"),
        ("low", "2.0", "note"),
        ("info", None, "note"),
    ],
)
def test_severity_maps_to_score_and_level(
    example_report: Report, severity: str, score: str | None, level: str
) -> None:
    failing = next(r for r in example_report.results if r.status is Status.FAIL)
    info = RuleInfo(id="X001", title="t", severity=severity, description="d", remediation="r")
    result = failing._replace(rule=info)
    data = render(
        Report(
            tool_version="1",
            generated_at=example_report.generated_at,
            rules=(info,),
            results=(result,),
            records=1,
        )
    )
    rule = data["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["properties"].get("security-severity") == score
    assert rule["defaultConfiguration"]["level"] == level
    assert data["runs"][0]["results"][0]["level"] == level


def test_results_are_the_findings_only(example_report: Report) -> None:
    data = render(example_report)
    results = data["runs"][0]["results"]
    failing = [r for r in example_report.results if r.status is Status.FAIL]
    assert len(results) == len(failing) > 0
    rules = data["runs"][0]["tool"]["driver"]["rules"]
    for item, result in zip(results, failing):
        assert item["ruleId"] == result.rule_id
        assert rules[item["ruleIndex"]]["id"] == result.rule_id
        assert result.resource.name in item["message"]["text"]
        logical = item["locations"][0]["logicalLocations"]
        assert logical[0]["fullyQualifiedName"] == result.resource.arn
        assert item["partialFingerprints"]["wfcheckResourceRule/v1"] == fingerprint(result)
    assert data["runs"][0]["automationDetails"]["id"] == "wfcheck/"


@pytest.mark.parametrize(
    ("status", "reported"),
    [
        (Status.PASS, False),
        (Status.SKIP, False),
        (Status.FAIL, True),
        (Status.ERROR, True),
        (Status.UNKNOWN, True),
        (Status.WAIVED, True),
        (Status.BASELINE, True),
    ],
)
def test_which_statuses_are_results(example_report: Report, status: Status, reported: bool) -> None:
    result = with_status(example_report.results[0], status)
    data = render(dataclasses.replace(example_report, results=(result,)))
    assert len(data["runs"][0]["results"]) == int(reported)


def test_waived_is_suppressed_with_the_reason(example_report: Report) -> None:
    first = example_report.results[0]
    waived = with_status(first, Status.WAIVED, reason="accepted by security, ticket SEC-1")
    bare = with_status(example_report.results[1], Status.WAIVED)
    data = render(dataclasses.replace(example_report, results=(waived, bare)))
    one, two = data["runs"][0]["results"]
    assert one["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "accepted by security, ticket SEC-1",
        }
    ]
    assert two["suppressions"] == [{"kind": "external", "status": "accepted"}]
    assert "baselineState" not in one


def test_baseline_state_is_on_every_result_or_none(example_report: Report) -> None:
    results = [r for r in example_report.results if r.status is Status.FAIL][:2]
    baseline = with_status(results[0], Status.BASELINE)
    data = render(dataclasses.replace(example_report, results=(baseline, results[1])))
    states = [item["baselineState"] for item in data["runs"][0]["results"]]
    assert states == ["unchanged", "new"]


def test_fingerprints_are_stable_and_distinct(example_report: Report) -> None:
    first = render(example_report)["runs"][0]["results"]
    later = dataclasses.replace(
        example_report,
        generated_at=example_report.generated_at.replace(year=2030),
        tool_version="9.9.9",
    )
    second = render(later)["runs"][0]["results"]
    prints = [item["partialFingerprints"] for item in first]
    assert prints == [item["partialFingerprints"] for item in second]
    assert len({p["wfcheckResourceRule/v1"] for p in prints}) == len(prints)


def test_automation_id_comes_from_settings(example_report: Report) -> None:
    data = render(example_report, **{"sarif.automation_id": "wfcheck/prod-accounts/"})
    assert data["runs"][0]["automationDetails"]["id"] == "wfcheck/prod-accounts/"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, "aws/123456789012/us-east-1/sagemaker/workforce/wf"),
        (
            {"account": None, "region": None},
            "aws/unknown-account/unknown-region/sagemaker/workforce/wf",
        ),
        (
            {"name": "my team / ../x y"},
            "aws/123456789012/us-east-1/sagemaker/workforce/my_team_.._x_y",
        ),
        ({"name": ".."}, "aws/123456789012/us-east-1/sagemaker/workforce/unnamed"),
        (
            {"name": None, "address": 'module.a.aws_sagemaker_workforce.w["x"]'},
            "aws/123456789012/us-east-1/sagemaker/workforce/module.a.aws_sagemaker_workforce.w_x",
        ),
    ],
)
def test_pseudo_path_for_cloud_resources(
    example_report: Report, changes: dict[str, Any], expected: str
) -> None:
    base = example_report.results[0]
    resource = dataclasses.replace(
        base.resource,
        arn="arn:aws:sagemaker:us-east-1:123456789012:workforce/wf",
        name="wf",
        account="123456789012",
        region="us-east-1",
        source="aws",
        source_kind="aws",
    )
    result = base._replace(resource=dataclasses.replace(resource, **changes))
    assert pseudo_path(result.resource) == expected
    assert artifact_uri(result.resource) == expected


@pytest.mark.parametrize(
    ("source", "kind", "expected"),
    [
        ("examples/workforces.json", "file", "examples/workforces.json"),
        ("./plans/prod plan.json", "terraform", "plans/prod%20plan.json"),
        ("/tmp/snap.json", "snapshot", "file:///tmp/snap.json"),
        ("stdin", "file", "aws/111111111111/eu-west-1/sagemaker/workforce/labeling-open"),
        ("../outside.json", "file", "aws/111111111111/eu-west-1/sagemaker/workforce/labeling-open"),
        ("./", "file", "aws/111111111111/eu-west-1/sagemaker/workforce/labeling-open"),
        ("plans\\win.json", "terraform", "plans/win.json"),
        ("aws", "aws", "aws/111111111111/eu-west-1/sagemaker/workforce/labeling-open"),
    ],
)
def test_file_records_point_at_their_file(
    example_report: Report, source: str, kind: str, expected: str
) -> None:
    base = example_report.results[0]
    result = base._replace(
        resource=dataclasses.replace(base.resource, source=source, source_kind=kind)
    )
    assert artifact_uri(result.resource) == expected


def test_terraform_address_is_a_logical_location(example_report: Report) -> None:
    base = next(r for r in example_report.results if r.status is Status.FAIL)
    resource = dataclasses.replace(
        base.resource,
        address="aws_sagemaker_workforce.main",
        source="plan.json",
        source_kind="terraform",
    )
    data = render(dataclasses.replace(example_report, results=(base._replace(resource=resource),)))
    names = [
        loc["fullyQualifiedName"]
        for loc in data["runs"][0]["results"][0]["locations"][0]["logicalLocations"]
    ]
    assert names == [base.resource.arn, "aws_sagemaker_workforce.main"]


def test_collection_errors_are_notifications(example_report: Report) -> None:
    from checker.model import ErrorEntry

    report = dataclasses.replace(
        example_report,
        errors=(
            ErrorEntry(
                source="aws", message="denied", code="AccessDenied", account="1", region="us-east-1"
            ),
        ),
    )
    invocation = render(report)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert "AccessDenied: denied" in invocation["toolExecutionNotifications"][0]["message"]["text"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[link](javascript:alert(1))", "\\[link\\](javascript:alert(1))"),
        ("a\\b", "a\\\\b"),
        ("plain", "plain"),
    ],
)
def test_message_escapes_embedded_link_syntax(text: str, expected: str) -> None:
    assert message_text(text) == expected


def test_injection_corpus(hostile_report: Report) -> None:
    report = dataclasses.replace(
        hostile_report, results=tuple(live(r) for r in hostile_report.results)
    )
    data = render(report)
    results = data["runs"][0]["results"]
    assert results
    for item in results:
        uri = item["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert SAFE_URI.match(uri), uri
        assert ".." not in uri.split("/")
        text = item["message"]["text"]
        # No unescaped "[...](...)" embedded link survives.
        assert not re.search(r"(?<!\\)\[[^\]]*(?<!\\)\]\(", text), text
    # Every payload is carried as data, intact, somewhere in the results.
    blob = json.dumps(results, ensure_ascii=False)
    for payload in INJECTIONS:
        assert json.dumps(message_text(payload), ensure_ascii=False)[1:-1] in blob, payload


def test_waivers_file_through_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    text = example_output(
        monkeypatch, "sarif", "--waivers", "examples/waivers.yaml", "--max-waiver-days", "1500"
    )
    data = json.loads(text)
    assert not list(VALIDATOR.iter_errors(data))
    suppressed = {
        item["ruleId"]: item["suppressions"][0]
        for item in data["runs"][0]["results"]
        if "suppressions" in item
    }
    assert suppressed["WF011"] == {
        "kind": "external",
        "status": "accepted",
        "justification": "Vendor onboarding needs open access until their egress IPs are known "
        "(owner labeling-platform@example.com, ticket SEC-1234, "
        "expires 2029-12-31)",
    }


def test_cli_settings_reach_stdout_and_report_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = tmp_path / "out.sarif"
    text = example_output(
        monkeypatch,
        "sarif",
        "--sarif-automation-id",
        "wfcheck/prod/",
        "--report",
        f"sarif={target}",
    )
    for data in (json.loads(text), json.loads(target.read_text())):
        assert data["runs"][0]["automationDetails"]["id"] == "wfcheck/prod/"


def test_results_are_written_as_result_object_encodes_them(hostile_report: Report) -> None:
    """The writer joins parts encoded once per record and verdict; every result line must be
    what encoding :func:`result_object` gives, for waived, baseline and error results, records
    with and without an ARN, address, file or related resource locations."""
    from checker.model import Location
    from checker.reports.json import dumps
    from checker.reports.sarif import result_object

    base = [r for r in hostile_report.results if r.status.is_finding]
    first = base[0]
    related = dataclasses.replace(
        first.resource,
        location=Location("infra/main.tf", 3, 5),
        related_locations=(("Related.UserPool", Location("/abs/cognito.tf", 10)),),
    )
    varied = [
        *base,
        with_status(first, Status.WAIVED, reason="accepted [risk](x)"),
        with_status(first, Status.BASELINE),
        with_status(first, Status.ERROR)._replace(message="boom\\[x]"),
        first._replace(resource=related, path="Related.UserPool.MfaConfiguration"),
        first._replace(resource=related, path="SourceIpConfig"),
        live(first, arn=None, address="module.a.aws_sagemaker_workforce.b", name=None),
    ]
    report = dataclasses.replace(hostile_report, results=tuple(varied))
    text = get_writer("sarif").render(report, RenderOptions())
    rules = report.all_rules()
    index = {info.id: position for position, info in enumerate(rules)}
    lines = [line.strip().rstrip(",") for line in text.splitlines() if '"ruleIndex"' in line]
    expected = [
        dumps(result_object(result, index[result.rule_id], with_baseline=True))
        for result in report.results
        if result.status.is_finding
    ]
    assert lines == expected
    assert len(expected) == len(varied)
