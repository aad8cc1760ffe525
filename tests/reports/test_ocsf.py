"""OCSF: every event a Compliance Finding the OCSF models Prowler uses accept, members named as
the schema names them, statuses and severities mapped, and the same bytes every run."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
from py_ocsf_models.objects.cloud import Cloud
from pydantic import BaseModel

from checker.model import Location, Resource, Status
from checker.reports import get_writer
from checker.reports.interface import RenderOptions
from checker.reports.ocsf import RESOURCE_TYPE, _origin_members, _resource_members
from checker.results import Report
from tests.golden_files import assert_golden, example_output

# Members of the OCSF 1.5 schema that the models leave out: the cloud profile's object (checked
# against its own model below) and the compliance status caption.
SCHEMA_ONLY = {"cloud", "compliance.status"}


def undeclared(value: Any, model: type[BaseModel], prefix: str = "") -> list[str]:
    """Members of ``value`` that ``model`` does not declare (pydantic ignores them silently, so
    a misspelt member would validate)."""
    found = []
    for key, member in value.items():
        path = f"{prefix}{key}"
        field = model.model_fields.get(key)
        if field is None:
            found.append(path)
            continue
        inner = field.annotation
        for candidate in getattr(inner, "__args__", (inner,)):
            for nested in getattr(candidate, "__args__", (candidate,)):
                if isinstance(nested, type) and issubclass(nested, BaseModel):
                    items = member if isinstance(member, list) else [member]
                    for item in items:
                        if isinstance(item, dict):
                            found.extend(undeclared(item, nested, f"{path}."))
    return found


def check_events(events: list[dict[str, Any]]) -> None:
    for event in events:
        ComplianceFinding.model_validate(event)
        Cloud.model_validate(event["cloud"])
        assert set(undeclared(event, ComplianceFinding)) <= SCHEMA_ONLY
        assert event["class_uid"] == 2003 and event["category_uid"] == 2
        assert event["type_uid"] == event["class_uid"] * 100 + event["activity_id"]
    uids = [event["finding_info"]["uid"] for event in events]
    assert len(uids) == len(set(uids)), "finding uids must be unique"


def render(report: Report, show_passed: bool = False) -> list[dict[str, Any]]:
    text = get_writer("ocsf").render(report, RenderOptions(show_passed=show_passed))
    events: list[dict[str, Any]] = json.loads(text)
    check_events(events)
    return events


def test_golden_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    text = example_output(monkeypatch, "ocsf")
    events = json.loads(text)
    check_events(events)
    assert len(events) > 0
    assert_golden("examples.ocsf.json", text)


def test_one_event_per_finding_and_passes_on_request(example_report: Report) -> None:
    findings = [r for r in example_report.results if r.status.is_finding]
    events = render(example_report)
    assert len(events) == len(findings) > 0
    for event, result in zip(events, findings):
        res = result.resource
        assert event["compliance"]["control"] == result.rule_id
        assert event["finding_info"]["title"].startswith(result.rule_id + " ")
        assert event["resources"][0]["uid"] == res.key
        assert event["resources"][0]["name"] == res.name
        assert event["cloud"]["account"]["uid"] == res.account
        assert event["cloud"]["region"] == res.region
        assert event["message"] == result.message
        assert event["unmapped"]["wfcheck"]["path"] == result.path
        assert event["time_dt"] == "2026-11-25T00:00:00Z"
    everything = render(example_report, show_passed=True)
    assert len(everything) == len(list(example_report.results)) > len(events)


@pytest.mark.parametrize(
    ("status", "status_id", "compliance_id", "compliance"),
    [
        (Status.FAIL, 1, 3, "Fail"),
        (Status.ERROR, 1, 2, "Warning"),
        (Status.UNKNOWN, 1, 0, "Unknown"),
        (Status.WAIVED, 3, 3, "Fail"),
        (Status.BASELINE, 3, 3, "Fail"),
        (Status.PASS, 1, 1, "Pass"),
        (Status.SKIP, 1, 99, "Other"),
    ],
)
def test_statuses(
    example_report: Report, status: Status, status_id: int, compliance_id: int, compliance: str
) -> None:
    result = example_report.results[0]._replace(status=status)
    report = dataclasses.replace(example_report, results=(result,))
    (event,) = render(report, show_passed=True)
    assert (event["status_id"], event["status_code"]) == (status_id, status.value.upper())
    assert event["compliance"]["status_id"] == compliance_id
    assert event["compliance"]["status"] == compliance
    assert len(render(report)) == int(status.is_finding)


@pytest.mark.parametrize(
    ("severity", "severity_id", "caption"),
    [
        ("info", 1, "Informational"),
        ("low", 2, "Low"),
        ("medium", 3, "Medium"),
        ("high", 4, "High"),
        ("critical", 5, "Critical"),
    ],
)
def test_severities(example_report: Report, severity: str, severity_id: int, caption: str) -> None:
    first = example_report.results[0]
    result = first._replace(
        status=Status.FAIL, rule=dataclasses.replace(first.rule, severity=severity)
    )
    (event,) = render(dataclasses.replace(example_report, results=(result,)))
    assert (event["severity_id"], event["severity"]) == (severity_id, caption)


def test_an_empty_report_is_an_empty_array(example_report: Report) -> None:
    assert get_writer("ocsf").render(dataclasses.replace(example_report, results=())) == "[]\n"


def test_same_bytes_every_run(example_report: Report) -> None:
    writer = get_writer("ocsf")
    assert writer.render(example_report) == writer.render(example_report)


def test_the_injection_corpus_validates(hostile_report: Report) -> None:
    events = render(hostile_report, show_passed=True)
    names = {event["resources"][0].get("name") for event in events}
    assert {r.resource.name for r in hostile_report.results} <= names


@pytest.mark.parametrize("full", [True, False])
def test_record_members_are_what_the_encoder_writes(full: bool) -> None:
    """The resource and origin members are written from encoded strings: the same JSON as
    encoding the objects, hostile text included."""
    hostile = 'wf "q" \\ \x1b[31m\x7f\u202e\u2028 é'
    res = Resource(
        arn=f"arn:aws-cn:sagemaker:cn-north-1:123:workforce/{hostile}" if full else None,
        name=hostile if full else None,
        account=hostile if full else None,
        region=hostile if full else None,
        source=hostile,
        source_kind="terraform-plan",
        address=hostile if full else None,
        location=Location(hostile, 7) if full else None,
        action="create" if full else None,
    )
    members = json.loads("{" + _resource_members(res) + "}")
    resource: dict[str, Any] = {"uid": res.key, "type": RESOURCE_TYPE}
    cloud: dict[str, Any] = {"provider": "AWS"}
    if full:
        resource |= {"name": hostile, "region": hostile, "cloud_partition": "aws-cn"}
        cloud["region"] = hostile
        cloud["account"] = {"uid": hostile, "name": hostile, "type": "AWS Account", "type_id": 10}
    assert members == {"resources": [resource], "cloud": cloud}
    origin = json.loads("{" + _origin_members(res) + "}")
    expected: dict[str, Any] = {"source": hostile, "source_kind": "terraform-plan"}
    if full:
        expected |= {"address": hostile, "file": hostile, "line": 7, "action": "create"}
    assert origin == expected
    for text in (_resource_members(res), _origin_members(res)):
        assert text.isascii() or not any(c in text for c in "\x1b\x7f\u202e\u2028")
