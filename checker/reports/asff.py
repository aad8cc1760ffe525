"""AWS Security Finding Format (ASFF) for AWS Security Hub ``BatchImportFindings``.

One finding per ``fail`` or ``error`` result (an error is a rule that could not be evaluated, so
nothing shows it passes: it is sent with ``Compliance.Status`` WARNING). ``unknown`` results (a
Terraform value known only after apply), waived, baseline, pass and skip results are not sent:
Security Hub findings are about deployed resources, and an accepted failure is not news.

A finding belongs to an account and a region; a result whose record has neither (a Terraform plan
without an ARN) is left out, unless the ``asff.product_arn`` setting names a product ARN, whose
account and region are then used. :func:`unplaced` counts what was left out so the CLI can say so.

Settings (``RenderOptions.settings``): ``asff.product_arn``; the default is the account's own
default product, ``arn:<partition>:securityhub:<region>:<account>:product/<account>/default``,
the one ``BatchImportFindings`` accepts from that account with no integration set up.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from checker.files.timestamps import format_timestamp
from checker.model import Resource, Result, RuleInfo, Status, Verdict
from checker.reports.escape import json_text
from checker.reports.interface import RenderOptions, ReportWriter
from checker.reports.json import encode
from checker.results import Report
from checker.text import shorten

SCHEMA_VERSION = "2018-10-08"
FINDING_TYPE = "Software and Configuration Checks/AWS Security Best Practices"
SEVERITY_LABEL = {
    "info": "INFORMATIONAL",
    "low": "LOW",
    "medium": "MEDIUM",
    "high": "HIGH",
    "critical": "CRITICAL",
}
COMPLIANCE = {Status.FAIL: "FAILED", Status.ERROR: "WARNING"}
EXPORTED = frozenset(COMPLIANCE)

# Security Hub's documented limits.
MAX_DESCRIPTION = 1024
MAX_TITLE = 256
MAX_RECOMMENDATION = 512
MAX_ID = 512

PRODUCT_ARN = re.compile(
    r"^arn:(?P<partition>aws[\w-]*):securityhub:(?P<region>[a-z0-9-]+):(?P<account>\d{12})?:"
    r"product/[\w.-]+/[\w.-]+$"
)


def finding_id(rule_id: str, key: str) -> str:
    """A finding's id from its rule and resource key: stable across runs, so a re-import
    updates the finding rather than adding another."""
    text = f"wfcheck/{rule_id}/{key}"
    if len(text) <= MAX_ID:
        return text
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"wfcheck/{rule_id}/sha256:{digest}"


def _placement(result: Result, settings: Mapping[str, str]) -> tuple[str, str, str] | None:
    """(partition, region, account) of the finding, or None when it cannot be placed."""
    return _place(result.resource, settings)


def _place(res: Resource, settings: Mapping[str, str]) -> tuple[str, str, str] | None:
    match = PRODUCT_ARN.match(settings.get("asff.product_arn", ""))
    account = res.account or (match["account"] if match else None)
    region = res.region or (match["region"] if match else None)
    if not account or not region:
        return None
    partition = res.partition if res.arn else (match["partition"] if match else "aws")
    return partition, region, account


def unplaced(report: Report, settings: Mapping[str, str]) -> int:
    """How many exportable results were left out for want of an account or region."""
    return sum(
        1
        for result in report.results.findings()
        if result.status in EXPORTED and _placement(result, settings) is None
    )


def _description(result: Result) -> str:
    res = result.resource
    return _describe(res.name or res.key, result.status, result.message)


def _describe(workforce: str, status: Status, message: str) -> str:
    if status is Status.ERROR:
        return shorten(
            f"Workforce {workforce}: the rule could not be evaluated: {message}", MAX_DESCRIPTION
        )
    return shorten(f"Workforce {workforce}: {message}", MAX_DESCRIPTION)


def finding(result: Result, report: Report, settings: Mapping[str, str]) -> dict[str, Any] | None:
    placement = _placement(result, settings)
    if placement is None:
        return None
    partition, region, account = placement
    product_arn = _product_arn(placement, settings)
    res = result.resource
    stamp = format_timestamp(report.generated_at)
    info = result.rule
    details = {
        "WorkforceName": res.name,
        "Source": res.source,
        "Path": result.path,
        "TerraformAddress": res.address,
    }
    resource: dict[str, Any] = {
        "Type": "Other",
        "Id": res.key,
        "Partition": partition,
        "Region": region,
        "Details": {"Other": {k: shorten(v, 1024) for k, v in details.items() if v}},
    }
    recommendation: dict[str, str] = {
        "Text": shorten(result.remediation or result.title, MAX_RECOMMENDATION)
    }
    urls = [ref for ref in info.references if ref.startswith("https://")]
    if urls:
        recommendation["Url"] = urls[0]
    product_fields = {
        "ProviderName": "wfcheck",
        "ProviderVersion": report.tool_version,
        "wfcheck/Status": result.status.value,
        "wfcheck/Severity": result.severity,
        "wfcheck/Fingerprint": shorten(result.fingerprint, 2048),
    }
    return {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": finding_id(result.rule_id, res.key),
        "ProductArn": product_arn,
        "GeneratorId": result.rule_id,
        "AwsAccountId": account,
        "Types": [FINDING_TYPE],
        "CreatedAt": stamp,
        "UpdatedAt": stamp,
        "Severity": {"Label": SEVERITY_LABEL[result.severity], "Original": result.severity},
        "Title": shorten(f"{result.rule_id} {result.title}", MAX_TITLE),
        "Description": _description(result),
        "Resources": [resource],
        "Compliance": {"Status": COMPLIANCE[result.status]},
        "Remediation": {"Recommendation": recommendation},
        "RecordState": "ACTIVE",
        "ProductFields": product_fields,
    }


def _product_arn(placement: tuple[str, str, str], settings: Mapping[str, str]) -> str:
    partition, region, account = placement
    return settings.get("asff.product_arn") or (
        f"arn:{partition}:securityhub:{region}:{account}:product/{account}/default"
    )


def iter_findings(report: Report, settings: Mapping[str, str]) -> Iterator[dict[str, Any]]:
    """The ASFF findings of a report, in report order, one at a time."""
    for result in report.results.findings():
        if result.status in EXPORTED:
            item = finding(result, report, settings)
            if item is not None:
                yield item


def findings(report: Report, settings: Mapping[str, str]) -> list[dict[str, Any]]:
    """The ASFF findings of a report, in report order (what ``--securityhub-import`` sends)."""
    return list(iter_findings(report, settings))


_string = json.encoder.encode_basestring  # what the encoder writes for a str (no ASCII-only)


@dataclass(frozen=True, slots=True)
class _ResourceText:
    """A record's parts of its findings, encoded once for all of them."""

    key: str
    workforce: str
    head: str  # from "ProductArn" to before "GeneratorId"
    account: str
    place: str  # "Id" to before "Details" in the Resources entry
    name: str
    source: str
    address: str

    @classmethod
    def of(cls, res: Resource, settings: Mapping[str, str]) -> _ResourceText | None:
        placement = _place(res, settings)
        if placement is None:
            return None
        partition, region, account = placement
        return cls(
            key=res.key,
            workforce=res.name or res.key,
            head=f', "ProductArn": {_string(_product_arn(placement, settings))}',
            account=_string(account),
            place=f'"Id": {_string(res.key)}, "Partition": {_string(partition)}, '
            f'"Region": {_string(region)}',
            name=_detail("WorkforceName", res.name),
            source=_detail("Source", res.source),
            address=_detail("TerraformAddress", res.address),
        )


def _detail(name: str, value: str | None) -> str:
    return f"{_string(name)}: {_string(shorten(value, 1024))}" if value else ""


@dataclass(frozen=True, slots=True)
class _VerdictText:
    """A rule's verdict's parts of its findings, encoded once for every record that has it."""

    rule_id: str
    status: Status
    message: str
    generator: str
    middle: str  # from "Types" to "Description"
    path: str
    tail: str  # from "Compliance" to the fingerprint's value

    @classmethod
    def of(cls, info: RuleInfo, verdict: Verdict, report: Report) -> _VerdictText:
        status, message, path = verdict.status, verdict.message, verdict.path
        stamp = format_timestamp(report.generated_at)
        middle = {
            "Types": [FINDING_TYPE],
            "CreatedAt": stamp,
            "UpdatedAt": stamp,
            "Severity": {"Label": SEVERITY_LABEL[info.severity], "Original": info.severity},
            "Title": shorten(f"{info.id} {info.title}", MAX_TITLE),
        }
        recommendation = {"Text": shorten(info.remediation or info.title, MAX_RECOMMENDATION)}
        urls = [ref for ref in info.references if ref.startswith("https://")]
        if urls:
            recommendation["Url"] = urls[0]
        tail = {
            "Compliance": {"Status": COMPLIANCE[status]},
            "Remediation": {"Recommendation": recommendation},
            "RecordState": "ACTIVE",
        }
        fields = {
            "ProviderName": "wfcheck",
            "ProviderVersion": report.tool_version,
            "wfcheck/Status": status.value,
            "wfcheck/Severity": info.severity,
        }
        return cls(
            rule_id=info.id,
            status=status,
            message=message,
            generator=f', "GeneratorId": {_string(info.id)}, "AwsAccountId": ',
            middle=f", {encode(middle)[1:-1]}, " + '"Description": ',
            path=_detail("Path", path),
            tail=f"}}}}}}], {encode(tail)[1:-1]}, "
            + f'"ProductFields": {{{encode(fields)[1:-1]}, "wfcheck/Fingerprint": ',
        )


def _finding_text(res: _ResourceText, verdict: _VerdictText) -> str:
    """What ``dumps(finding(...))`` writes for this record and verdict, from encoded parts."""
    details = ", ".join(part for part in (res.name, res.source, verdict.path, res.address) if part)
    fingerprint = shorten(f"{verdict.rule_id}:{res.key}", 2048)
    return json_text(
        f'{{"SchemaVersion": "{SCHEMA_VERSION}", '
        f'"Id": {_string(finding_id(verdict.rule_id, res.key))}{res.head}{verdict.generator}'
        f"{res.account}{verdict.middle}"
        f"{_string(_describe(res.workforce, verdict.status, verdict.message))}, "
        f'"Resources": [{{"Type": "Other", {res.place}, "Details": {{"Other": {{{details}'
        f"{verdict.tail}{_string(fingerprint)}}}}}"
    )


class AsffWriter(ReportWriter):
    """A JSON list of findings, one per line, written as they are built: what
    :func:`findings` holds, from parts encoded once per record and once per distinct verdict
    (the same text, tested)."""

    name = "asff"

    def write(self, report: Report, stream: TextIO, options: RenderOptions) -> None:
        store = report.results
        width, verdicts = store.width, store.verdicts
        texts: dict[int, _VerdictText] = {}
        record_text: _ResourceText | None = None
        current = -1
        separator = "\n  "
        stream.write("[")
        for record, position, index in store.places():
            if verdicts[index][0] not in EXPORTED:
                continue
            if record != current:
                current = record
                record_text = _ResourceText.of(store.resources[record], options.settings)
            if record_text is None:
                continue
            key = index * width + position
            text = texts.get(key)
            if text is None:
                text = texts[key] = _VerdictText.of(store.rules[position], verdicts[index], report)
            stream.write(separator + _finding_text(record_text, text))
            separator = ",\n  "
        stream.write("]\n" if separator == "\n  " else "\n]\n")


WRITER = AsffWriter()
