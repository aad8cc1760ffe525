"""ASFF: accepted by botocore's validator for BatchImportFindings, plus what it does not check."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator

from checker.model import Status
from checker.reports import get_writer
from checker.reports.asff import finding_id, findings, unplaced
from checker.reports.interface import RenderOptions
from checker.reports.json import dumps
from checker.results import Report
from tests.golden_files import assert_golden, example_output
from tests.reports.conftest import INJECTIONS

INPUT_SHAPE = (
    botocore.session.get_session()
    .get_service_model("securityhub")
    .operation_model("BatchImportFindings")
    .input_shape
)

# ASFF finding types: namespace -> categories (AWS Security Hub user guide, "ASFF types").
TYPE_TAXONOMY = {
    "Software and Configuration Checks": {
        "Vulnerabilities",
        "AWS Security Best Practices",
        "Industry and Regulatory Standards",
        "Patch Management",
    },
    "TTPs": {
        "Initial Access",
        "Execution",
        "Persistence",
        "Privilege Escalation",
        "Defense Evasion",
        "Credential Access",
        "Discovery",
        "Lateral Movement",
        "Collection",
        "Command and Control",
    },
    "Effects": {
        "Data Exposure",
        "Data Exfiltration",
        "Data Destruction",
        "Denial of Service",
        "Resource Consumption",
    },
    "Unusual Behaviors": {
        "Application",
        "Network Flow",
        "IP address",
        "User",
        "VM",
        "Container",
        "Serverless",
        "Process",
        "Database",
        "Data",
    },
    "Sensitive Data Identifications": {
        "PII",
        "Passwords",
        "Legal",
        "Financial",
        "Security",
        "Business",
    },
}
SEVERITY_LABELS = {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}
COMPLIANCE_STATUSES = {"PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"}
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
PRODUCT_ARN = re.compile(r"^arn:aws[\w-]*:securityhub:[a-z0-9-]+:\d{12}:product/[\w.-]+/[\w.-]+$")


def check_findings(items: list[dict[str, Any]]) -> None:
    """botocore's parameter validation, then the ASFF rules it does not enforce."""
    if items:  # the API takes 1..100 findings a call; an empty report sends nothing
        report = ParamValidator().validate({"Findings": items}, INPUT_SHAPE)
        assert not report.has_errors(), report.generate_report()
    for item in items:
        for finding_type in item["Types"]:
            namespace, category, *_ = [*finding_type.split("/"), ""]
            assert category in TYPE_TAXONOMY.get(namespace, ()), finding_type
        assert item["Severity"]["Label"] in SEVERITY_LABELS
        assert item["Compliance"]["Status"] in COMPLIANCE_STATUSES
        assert item["SchemaVersion"] == "2018-10-08"
        assert TIMESTAMP.match(item["CreatedAt"]) and TIMESTAMP.match(item["UpdatedAt"])
        assert PRODUCT_ARN.match(item["ProductArn"]), item["ProductArn"]
        assert re.fullmatch(r"\d{12}", item["AwsAccountId"])
        assert 0 < len(item["Id"]) <= 512
        assert 0 < len(item["Title"]) <= 256
        assert 0 < len(item["Description"]) <= 1024
        assert len(item["Remediation"]["Recommendation"]["Text"]) <= 512
        for resource in item["Resources"]:
            assert resource["Type"] == "Other"
            assert resource["Partition"] in {"aws", "aws-cn", "aws-us-gov"}
    ids = [item["Id"] for item in items]
    assert len(ids) == len(set(ids)), "finding ids must be unique"


def render(report: Report, **settings: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(
        get_writer("asff").render(report, RenderOptions(settings=settings))
    )
    check_findings(items)
    return items


def test_golden_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    text = example_output(monkeypatch, "asff")
    check_findings(json.loads(text))
    assert_golden("examples.asff.json", text)


def test_one_finding_per_failing_result(example_report: Report) -> None:
    items = render(example_report)
    failing = [r for r in example_report.results if r.status is Status.FAIL]
    assert len(items) == len(failing) > 0
    for item, result in zip(items, failing):
        res = result.resource
        assert item["GeneratorId"] == result.rule_id
        assert item["AwsAccountId"] == res.account
        assert item["ProductArn"] == (
            f"arn:aws:securityhub:{res.region}:{res.account}:product/{res.account}/default"
        )
        assert item["Resources"] == [
            {
                "Type": "Other",
                "Id": res.arn,
                "Partition": "aws",
                "Region": res.region,
                "Details": {
                    "Other": {"WorkforceName": res.name, "Source": res.source, "Path": result.path}
                },
            }
        ]
        assert item["Compliance"] == {"Status": "FAILED"}
        assert item["Severity"]["Label"] == result.severity.upper()
        assert item["Remediation"]["Recommendation"]["Text"] == result.remediation[:512]
        assert item["CreatedAt"] == item["UpdatedAt"] == "2026-11-25T00:00:00Z"


@pytest.mark.parametrize(
    ("status", "exported", "compliance"),
    [
        (Status.FAIL, True, "FAILED"),
        (Status.ERROR, True, "WARNING"),
        (Status.UNKNOWN, False, None),
        (Status.WAIVED, False, None),
        (Status.BASELINE, False, None),
        (Status.PASS, False, None),
        (Status.SKIP, False, None),
    ],
)
def test_which_statuses_are_exported(
    example_report: Report, status: Status, exported: bool, compliance: str | None
) -> None:
    result = example_report.results[0]._replace(status=status)
    items = render(dataclasses.replace(example_report, results=(result,)))
    assert len(items) == int(exported)
    if exported:
        assert items[0]["Compliance"]["Status"] == compliance


@pytest.mark.parametrize(
    ("severity", "label"),
    [
        ("info", "INFORMATIONAL"),
        ("low", "LOW"),
        ("medium", "MEDIUM"),
        ("high", "HIGH"),
        ("critical", "CRITICAL"),
    ],
)
def test_severity_labels(example_report: Report, severity: str, label: str) -> None:
    first = example_report.results[0]
    rule = dataclasses.replace(first.rule, severity=severity)
    result = first._replace(status=Status.FAIL, rule=rule)
    (item,) = render(dataclasses.replace(example_report, results=(result,)))
    assert item["Severity"]["Label"] == label


def test_ids_are_stable_across_runs(example_report: Report) -> None:
    later = dataclasses.replace(
        example_report, generated_at=example_report.generated_at.replace(year=2031)
    )
    assert [i["Id"] for i in render(example_report)] == [i["Id"] for i in render(later)]


def test_long_keys_are_hashed_into_the_id_limit(example_report: Report) -> None:
    result = example_report.results[0]
    long = result._replace(
        resource=dataclasses.replace(result.resource, arn=None, address="module." + "x" * 600)
    )
    assert len(finding_id(long.rule_id, long.resource.key)) <= 512
    assert finding_id(long.rule_id, long.resource.key) == finding_id(
        long.rule_id, long.resource.key
    )


def test_product_arn_setting_and_other_partitions(example_report: Report) -> None:
    result = example_report.results[0]._replace(status=Status.FAIL)
    china = result._replace(
        resource=dataclasses.replace(
            result.resource,
            arn="arn:aws-cn:sagemaker:cn-north-1:123456789012:workforce/w",
            account="123456789012",
            region="cn-north-1",
        )
    )
    (item,) = render(dataclasses.replace(example_report, results=(china,)))
    assert item["ProductArn"] == (
        "arn:aws-cn:securityhub:cn-north-1:123456789012:product/123456789012/default"
    )
    assert item["Resources"][0]["Partition"] == "aws-cn"
    custom = "arn:aws:securityhub:us-east-1:999999999999:product/999999999999/default"
    (item,) = render(
        dataclasses.replace(example_report, results=(result,)), **{"asff.product_arn": custom}
    )
    assert item["ProductArn"] == custom
    assert item["AwsAccountId"] == result.resource.account


def test_records_without_account_are_left_out_or_placed_by_the_product_arn(
    example_report: Report,
) -> None:
    result = example_report.results[0]._replace(status=Status.FAIL)
    planned = result._replace(
        resource=dataclasses.replace(
            result.resource,
            arn=None,
            account=None,
            region=None,
            source="plan.json",
            source_kind="terraform",
            address="aws_sagemaker_workforce.main",
        )
    )
    report = dataclasses.replace(example_report, results=(planned, result))
    assert len(render(report)) == 1
    assert unplaced(report, {}) == 1
    product = "arn:aws:securityhub:eu-west-2:444455556666:product/444455556666/default"
    settings = {"asff.product_arn": product}
    first, _ = render(report, **settings)
    assert unplaced(report, settings) == 0
    assert first["AwsAccountId"] == "444455556666"
    assert first["Resources"][0]["Id"] == "aws_sagemaker_workforce.main"
    assert first["Resources"][0]["Region"] == "eu-west-2"


def test_description_is_clipped_to_1024(example_report: Report) -> None:
    first = example_report.results[0]
    result = first._replace(
        status=Status.FAIL,
        message="x" * 5000,
        rule=dataclasses.replace(first.rule, remediation="y" * 5000),
    )
    (item,) = render(dataclasses.replace(example_report, results=(result,)))
    assert len(item["Description"]) == 1024 and item["Description"].endswith("…")
    assert len(item["Remediation"]["Recommendation"]["Text"]) == 512


def test_injection_corpus(hostile_report: Report) -> None:
    items = render(hostile_report)
    assert items
    assert findings(hostile_report, {}) == items
    names = {item["Resources"][0]["Details"]["Other"]["WorkforceName"] for item in items}
    for index, payload in enumerate(INJECTIONS):
        assert f"wf-{index}{payload}" in names


@pytest.mark.parametrize(
    "breakage",
    [
        lambda f: f.pop("AwsAccountId"),
        lambda f: f.update(Types=["Software and Configuration Checks/Bogus"]),
        lambda f: f.update(Types=["Bogus/Vulnerabilities"]),
        lambda f: f["Severity"].update(Label="SEVERE"),
        lambda f: f["Resources"][0].update(Id=7),
        lambda f: f.update(Description="d" * 1025),
    ],
)
def test_the_checks_can_fail(example_report: Report, breakage: Any) -> None:
    (item, *_) = findings(example_report, {})
    breakage(item)
    with pytest.raises(AssertionError):
        check_findings([item])


def test_cli_product_arn_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    product = "arn:aws:securityhub:us-east-1:111111111111:product/111111111111/default"
    items = json.loads(example_output(monkeypatch, "asff", "--asff-product-arn", product))
    check_findings(items)
    assert items and {item["ProductArn"] for item in items} == {product}


def varied_results(report: Report) -> list[Any]:
    """The report's results and variants of its first failure: every optional part present
    or absent, an error, a long key, long text, and records other results share."""
    first = next(r for r in report.results if r.status is Status.FAIL)
    res = first.resource
    return [
        *report.results,
        first._replace(status=Status.ERROR, message='boom: <x> & "y" \u2028'),
        first._replace(resource=dataclasses.replace(res, name=None, address="aws_x.y")),
        first._replace(resource=dataclasses.replace(res, arn=None, address="m." + "x" * 600)),
        first._replace(resource=dataclasses.replace(res, account=None, region=None, arn=None)),
        first._replace(message="m" * 3000, path=""),
        first._replace(rule=dataclasses.replace(first.rule, references=("http://x", "https://y"))),
    ]


@pytest.mark.parametrize("fixture", ["example_report", "hostile_report"])
@pytest.mark.parametrize(
    "settings",
    [{}, {"asff.product_arn": "arn:aws:securityhub:eu-west-2:444455556666:product/a/b"}],
)
def test_the_writer_writes_what_findings_holds(
    request: pytest.FixtureRequest, fixture: str, settings: dict[str, str]
) -> None:
    """The writer builds its text from parts encoded once per record and verdict; it must be
    exactly the encoded findings that --securityhub-import sends."""
    base: Report = request.getfixturevalue(fixture)
    report = dataclasses.replace(base, results=tuple(varied_results(base)))
    items = findings(report, settings)
    assert len(items) > 5
    expected = "[" + ",".join("\n  " + dumps(item) for item in items) + "\n]\n"
    assert get_writer("asff").render(report, RenderOptions(settings=settings)) == expected
