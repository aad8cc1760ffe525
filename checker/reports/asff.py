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
import re
from collections.abc import Iterator, Mapping
from typing import Any, TextIO

from checker.files.timestamps import format_timestamp
from checker.model import Result, Status
from checker.reports.interface import RenderOptions, ReportWriter
from checker.reports.json import dumps
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


def finding_id(result: Result) -> str:
    """Stable across runs, so a re-import updates the finding rather than adding another."""
    text = f"wfcheck/{result.rule_id}/{result.resource.key}"
    if len(text) <= MAX_ID:
        return text
    digest = hashlib.sha256(result.resource.key.encode()).hexdigest()
    return f"wfcheck/{result.rule_id}/sha256:{digest}"


def _placement(result: Result, settings: Mapping[str, str]) -> tuple[str, str, str] | None:
    """(partition, region, account) of the finding, or None when it cannot be placed."""
    res = result.resource
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
    text = f"Workforce {res.name or res.key}: {result.message}"
    if result.status is Status.ERROR:
        text = f"Workforce {res.name or res.key}: the rule could not be evaluated: {result.message}"
    return shorten(text, MAX_DESCRIPTION)


def finding(result: Result, report: Report, settings: Mapping[str, str]) -> dict[str, Any] | None:
    placement = _placement(result, settings)
    if placement is None:
        return None
    partition, region, account = placement
    product_arn = settings.get("asff.product_arn") or (
        f"arn:{partition}:securityhub:{region}:{account}:product/{account}/default"
    )
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
        "Id": finding_id(result),
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


class AsffWriter(ReportWriter):
    """A JSON list of findings, one per line, written as they are built."""

    name = "asff"

    def write(self, report: Report, stream: TextIO, options: RenderOptions) -> None:
        stream.write("[")
        first = True
        for item in iter_findings(report, options.settings):
            stream.write(("\n  " if first else ",\n  ") + dumps(item))
            first = False
        stream.write("]\n" if first else "\n]\n")


WRITER = AsffWriter()
