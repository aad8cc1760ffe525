"""OCSF Compliance Finding events (class_uid 2003), for Amazon Security Lake and SIEMs.

One event per finding (failing, not decidable yet, could not be evaluated, or accepted by a
waiver or baseline), and with ``--show-passed`` one per passed or skipped result too, as a JSON
array (what Security Lake custom sources and Prowler's ``json-ocsf`` write). The workforce is the
resource (``resources[0]``, with the ``cloud`` profile for its account and region); the rule is the
control and requirement (``compliance``) and its ``controls`` the standards; wfcheck's own status
is ``status_code`` and, with the result's path, evidence and origin, under ``unmapped.wfcheck``.

How statuses map:

============  =================  ============================
wfcheck       ``status_id``      ``compliance.status_id``
============  =================  ============================
fail          1 New              3 Fail
error         1 New              2 Warning (not evaluated)
unknown       1 New              0 Unknown
waived        3 Suppressed       3 Fail
baseline      3 Suppressed       3 Fail
pass          1 New              1 Pass
skip          1 New              99 Other (not applicable)
============  =================  ============================

Events stream: the parts a rule, a status and a resource share are encoded once and joined per
result, so a report with hundreds of thousands of findings costs little more than its bytes.
Strings keep their values; nothing raw a terminal could act on is written
(:func:`checker.reports.json.dumps`).
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from checker.files.timestamps import format_timestamp
from checker.model import Resource, RuleInfo, Status
from checker.reports.asff import finding_id
from checker.reports.escape import json_text
from checker.reports.interface import RenderOptions, ReportWriter
from checker.reports.json import dumps
from checker.results import Report

OCSF_VERSION = "1.5.0"
CLASS_UID = 2003
CATEGORY_UID = 2
ACTIVITY_CREATE = 1
RESOURCE_TYPE = "AWS::SageMaker::Workforce"
FINDING_TYPES = ("Software and Configuration Checks",)

SEVERITY_ID = {"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
SEVERITY_CAPTION = {1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical"}

STATUS_NEW, STATUS_SUPPRESSED = 1, 3
FINDING_STATUS = {STATUS_NEW: "New", STATUS_SUPPRESSED: "Suppressed"}
COMPLIANCE_STATUS: dict[Status, tuple[int, str]] = {
    Status.FAIL: (3, "Fail"),
    Status.ERROR: (2, "Warning"),
    Status.UNKNOWN: (0, "Unknown"),
    Status.WAIVED: (3, "Fail"),
    Status.BASELINE: (3, "Fail"),
    Status.PASS: (1, "Pass"),
    Status.SKIP: (99, "Other"),
}
ACCEPTED = frozenset({Status.WAIVED, Status.BASELINE})
AWS_ACCOUNT_TYPE_ID = 10


_string = json.encoder.encode_basestring  # what the encoder writes for a str (no ASCII-only)


def _members(value: dict[str, Any]) -> str:
    """The members of an encoded JSON object, without its braces, to join with others."""
    return dumps(value)[1:-1]


def _epoch_ms(report: Report) -> int:
    return int(report.generated_at.timestamp() * 1000)


def _report_members(report: Report) -> str:
    """What every event of a report shares: the class, the activity, the time, the product."""
    stamp = _epoch_ms(report)
    return _members(
        {
            "activity_id": ACTIVITY_CREATE,
            "activity_name": "Create",
            "category_name": "Findings",
            "category_uid": CATEGORY_UID,
            "class_name": "Compliance Finding",
            "class_uid": CLASS_UID,
            "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
            "type_name": "Compliance Finding: Create",
            "time": stamp,
            "time_dt": format_timestamp(report.generated_at),
            "metadata": {
                "version": OCSF_VERSION,
                "profiles": ["cloud"],
                "product": {
                    "name": "wfcheck",
                    "uid": "wfcheck",
                    "vendor_name": "wfcheck",
                    "version": report.tool_version,
                },
            },
        }
    )


def _rule_members(info: RuleInfo, status: Status) -> tuple[str, str]:
    """(members before the finding's uid, members after it) for one rule and status."""
    severity_id = SEVERITY_ID[info.severity]
    status_id = STATUS_SUPPRESSED if status in ACCEPTED else STATUS_NEW
    compliance_id, compliance_caption = COMPLIANCE_STATUS[status]
    before = _members(
        {
            "severity_id": severity_id,
            "severity": SEVERITY_CAPTION[severity_id],
            "status_id": status_id,
            "status": FINDING_STATUS[status_id],
            "status_code": status.value.upper(),
        }
    )
    compliance: dict[str, Any] = {
        "control": info.id,
        "desc": info.title,
        "requirements": [info.id],
        "status_id": compliance_id,
        "status": compliance_caption,
    }
    if info.controls:
        compliance["standards"] = list(info.controls)
    after: dict[str, Any] = {
        "title": f"{info.id} {info.title}",
        "desc": info.description or info.title,
        "types": list(FINDING_TYPES),
    }
    tail: dict[str, Any] = {"compliance": compliance}
    remediation: dict[str, Any] = {"desc": info.remediation or info.title}
    if info.references:
        remediation["references"] = list(info.references)
    tail["remediation"] = remediation
    return before, _members(after) + "}, " + _members(tail)


def _resource_members(res: Resource) -> str:
    """The workforce as the event's resource, and its account and region (``cloud``): the
    members of ``{"resources": [...], "cloud": {...}}``, written from encoded strings (once
    per record, so without a dictionary to encode)."""
    resource = f'"uid": {_string(res.key)}, "type": "{RESOURCE_TYPE}"'
    cloud = '"provider": "AWS"'
    if res.name:
        resource += f', "name": {_string(res.name)}'
    if res.region:
        region = _string(res.region)
        resource += f', "region": {region}'
        cloud += f', "region": {region}'
    if res.arn:
        resource += f', "cloud_partition": {_string(res.partition)}'
    if res.account:
        account = _string(res.account)
        cloud += (
            f', "account": {{"uid": {account}, "name": {account}, "type": "AWS Account", '
            f'"type_id": {AWS_ACCOUNT_TYPE_ID}}}'
        )
    return json_text(f'"resources": [{{{resource}}}], "cloud": {{{cloud}}}')


def _origin_members(res: Resource) -> str:
    """Where the record came from: the members of ``{"source": ..., ...}``."""
    origin = f'"source": {_string(res.source)}, "source_kind": {_string(res.source_kind)}'
    if res.address:
        origin += f', "address": {_string(res.address)}'
    if res.location:
        origin += f', "file": {_string(res.location.file)}, "line": {int(res.location.line)}'
    if res.action:
        origin += f', "action": {_string(res.action)}'
    return json_text(origin)


class _EventParts:
    """Encoded parts shared by many events, made on first use: per report, per rule and
    verdict, per record."""

    def __init__(self, report: Report) -> None:
        self.store = report.results
        self.head = "{" + _report_members(report) + ", "
        self.verdicts: dict[int, tuple[str, str, str, tuple[str, str]]] = {}
        self.record = -1
        self.record_parts = ("", "", "")

    def event(self, record: int, position: int, index: int) -> str:
        store = self.store
        key = index * store.width + position
        verdict = self.verdicts.get(key)
        if verdict is None:
            verdict = self.verdicts[key] = self._verdict(store.rules[position], index)
        if record != self.record:
            self.record = record
            res = store.resources[record]
            self.record_parts = (res.key, _resource_members(res), _origin_members(res))
        before, after, message, (wfcheck, evidence) = verdict
        key_text, members, origin = self.record_parts
        uid = json_text(_string(finding_id(store.rules[position].id, key_text)))
        return (
            f'{self.head}{before}, "status_detail": {message}, "message": {message}, '
            f'"finding_info": {{"uid": {uid}, {after}, '
            f'{members}, "unmapped": {{"wfcheck": {{{wfcheck}, {origin}{evidence}}}}}}}'
        )

    def _verdict(self, info: RuleInfo, index: int) -> tuple[str, str, str, tuple[str, str]]:
        status, message, path, evidence, _ = self.store.verdicts[index]
        before, after = _rule_members(info, status)
        wfcheck = _members({"status": status.value, "path": path})
        shown = ", " + _members({"evidence": dict(evidence)}) if evidence else ""
        return before, after, dumps(message), (wfcheck, shown)


class OcsfWriter(ReportWriter):
    """A JSON array of OCSF Compliance Finding events, one per line."""

    name = "ocsf"

    def write(self, report: Report, stream: TextIO, options: RenderOptions) -> None:
        parts = _EventParts(report)
        separator = "[\n  "
        for record, position, index in report.results.places(everything=options.show_passed):
            stream.write(separator + parts.event(record, position, index))
            separator = ",\n  "
        stream.write("[]\n" if separator == "[\n  " else "\n]\n")


WRITER = OcsfWriter()
