"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

A workforce is a cloud resource, not a line in a file, so a result points either at the file
its record was read from (a saved API response, snapshot or Terraform plan) or at a space-free
pseudo-path ``aws/<account>/<region>/sagemaker/workforce/<name>`` that GitHub accepts as an
artifact location. The ARN (and the Terraform address) go in ``logicalLocations``.

Settings (``RenderOptions.settings``): ``sarif.automation_id`` (default ``wfcheck/``), the
``runAutomationDetails.id`` GitHub uses as the analysis category.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePosixPath
from typing import Any, TextIO
from urllib.parse import quote

from checker.files.timestamps import format_timestamp
from checker.model import ErrorEntry, Report, Result, RuleInfo, Status
from checker.reports.acceptance import acceptance_reason
from checker.reports.interface import RenderOptions, ReportWriter
from checker.reports.json import dumps

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
DEFAULT_AUTOMATION_ID = "wfcheck/"
FINGERPRINT_KEY = "wfcheckResourceRule/v1"

# GitHub ranks alerts by this score: >9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY = {"critical": "9.5", "high": "7.5", "medium": "5.5", "low": "2.0"}
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}

# pass and skip are not findings; everything else is (``Status.is_finding``), with waived and
# baseline results marked as accepted.

# Source kinds whose ``Resource.source`` is a file a reader can open.
FILE_KINDS = frozenset({"file", "snapshot", "terraform"})
NOT_FILES = frozenset({"", "-", "stdin", "aws"})

_UNSAFE_SEGMENT = re.compile(r"[^A-Za-z0-9._-]+")
_MESSAGE_SPECIAL = re.compile(r"([\\\[\]])")


def _segment(text: str | None, fallback: str) -> str:
    """One path segment with only ``[A-Za-z0-9._-]``; never empty, ``.`` or ``..``."""
    cleaned = _UNSAFE_SEGMENT.sub("_", text or "").strip("_")
    if not cleaned or set(cleaned) == {"."}:
        return fallback
    return cleaned[:128]


def pseudo_path(result: Result) -> str:
    """``aws/<account>/<region>/sagemaker/workforce/<name>``: a relative, space-free URI."""
    res = result.resource
    return "/".join(
        [
            _segment(res.partition, "aws"),
            _segment(res.account, "unknown-account"),
            _segment(res.region, "unknown-region"),
            "sagemaker",
            "workforce",
            _segment(res.name or res.address, "unnamed"),
        ]
    )


def artifact_uri(result: Result) -> str:
    """The record's source file as a URI when there is one, else the pseudo-path."""
    res = result.resource
    source = res.source or ""
    if res.source_kind in FILE_KINDS and source not in NOT_FILES:
        path = PurePosixPath(source.replace("\\", "/"))
        if path.is_absolute():
            return path.as_uri()
        parts = [part for part in path.parts if part not in ("", ".")]
        if parts and ".." not in parts:
            return "/".join(quote(part, safe="") for part in parts)
    return pseudo_path(result)


def physical_location(result: Result) -> dict[str, Any]:
    """Where the resource is written (the ``.tf`` block, the template resource) when a source
    knows it, relative to the repository root (``%SRCROOT%``); else the record's file, line 1."""
    location = result.resource.location
    if location is None:
        return {"artifactLocation": {"uri": artifact_uri(result)}, "region": {"startLine": 1}}
    path = PurePosixPath(location.file.replace("\\", "/"))
    region: dict[str, int] = {"startLine": max(location.line, 1)}
    if location.column:
        region["startColumn"] = location.column
    if path.is_absolute():
        return {"artifactLocation": {"uri": path.as_uri()}, "region": region}
    uri = "/".join(quote(part, safe="") for part in path.parts if part not in ("", "."))
    return {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"}, "region": region}


def message_text(text: str) -> str:
    """Escape ``\\``, ``[`` and ``]``: SARIF viewers read ``[text](target)`` as an embedded link."""
    return _MESSAGE_SPECIAL.sub(r"\\\1", text)


def fingerprint(result: Result) -> str:
    """Stable across runs: the rule id and the resource key, hashed."""
    return hashlib.sha256(f"{result.rule_id}\0{result.resource.key}".encode()).hexdigest()


def _rule_help_markdown(info: RuleInfo) -> str:
    lines = [f"**{info.title}**"]
    if info.description.strip():
        lines += ["", info.description.strip()]
    if info.remediation.strip():
        lines += ["", "**Remediation**", "", info.remediation.strip()]
    if info.references:
        lines += ["", "**References**", ""]
        lines += [f"- <{ref}>" for ref in info.references]
    return "\n".join(lines) + "\n"


def _rule_help_text(info: RuleInfo) -> str:
    parts = [info.description.strip() or info.title]
    if info.remediation.strip():
        parts.append(f"Remediation: {info.remediation.strip()}")
    if info.references:
        parts.append("References:\n" + "\n".join(f"- {ref}" for ref in info.references))
    return "\n\n".join(parts)


def rule_descriptor(info: RuleInfo) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "tags": ["security", "sagemaker", "ground-truth", "workforce"],
        "precision": "very-high",
        "severity": info.severity,
    }
    if info.severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[info.severity]
    descriptor: dict[str, Any] = {
        "id": info.id,
        "name": info.id,
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": info.description.strip() or info.title},
        "help": {"text": _rule_help_text(info), "markdown": _rule_help_markdown(info)},
        "defaultConfiguration": {"level": LEVEL.get(info.severity, "warning")},
        "properties": properties,
    }
    if info.references:
        descriptor["helpUri"] = info.references[0]
    return descriptor


def _message(result: Result) -> str:
    res = result.resource
    who = res.name or res.address or res.key
    prefix = {
        Status.ERROR: "could not be evaluated: ",
        Status.UNKNOWN: "unknown until apply: ",
        Status.WAIVED: "waived: ",
        Status.BASELINE: "in the baseline: ",
    }.get(result.status, "")
    return message_text(f"Workforce {who}: {result.title}: {prefix}{result.message}")


def _logical_locations(result: Result) -> list[dict[str, str]]:
    res = result.resource
    locations = []
    if res.arn:
        locations.append(
            {"name": res.name or res.arn, "fullyQualifiedName": res.arn, "kind": "resource"}
        )
    if res.address:
        locations.append(
            {"name": res.address, "fullyQualifiedName": res.address, "kind": "resource"}
        )
    if not locations:
        locations.append(
            {"name": res.name or res.key, "fullyQualifiedName": res.key, "kind": "resource"}
        )
    return locations


def result_object(result: Result, rule_index: int, with_baseline: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "status": result.status.value,
        "severity": result.severity,
        "path": result.path,
        "account": result.resource.account,
        "region": result.resource.region,
    }
    if result.evidence:
        properties["evidence"] = {name: value for name, value in result.evidence}
    item: dict[str, Any] = {
        "ruleId": result.rule_id,
        "ruleIndex": rule_index,
        "level": LEVEL.get(result.severity, "warning"),
        "message": {"text": _message(result)},
        "locations": [
            {
                "physicalLocation": physical_location(result),
                "logicalLocations": _logical_locations(result),
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(result)},
        "properties": properties,
    }
    if result.status is Status.WAIVED:
        suppression: dict[str, Any] = {"kind": "external", "status": "accepted"}
        reason = acceptance_reason(result)
        if reason:
            suppression["justification"] = reason
        item["suppressions"] = [suppression]
    if with_baseline:
        item["baselineState"] = "unchanged" if result.status is Status.BASELINE else "new"
    return item


def _notification(error: ErrorEntry) -> dict[str, Any]:
    where = "/".join(p for p in (error.account, error.region) if p)
    return {
        "level": "error",
        "message": {"text": message_text(f"{error.source} {where}: {error.code}: {error.message}")},
    }


class SarifWriter(ReportWriter):
    """One run; the rules and the run's parts are small and written whole, the results stream
    (one per line)."""

    name = "sarif"

    def write(self, report: Report, stream: TextIO, options: RenderOptions) -> None:
        rules = report.all_rules()
        index = {info.id: position for position, info in enumerate(rules)}
        store = report.results
        # SARIF: baselineState is on every result of a run or on none.
        with_baseline = store.count([Status.BASELINE]) > 0
        invocation: dict[str, Any] = {"executionSuccessful": not report.errors}
        if report.errors:
            invocation["toolExecutionNotifications"] = [_notification(e) for e in report.errors]
        automation_id = options.settings.get("sarif.automation_id") or DEFAULT_AUTOMATION_ID
        driver = {
            "name": "wfcheck",
            "version": report.tool_version,
            "semanticVersion": report.tool_version,
        }
        properties = {
            "generatedAt": format_timestamp(report.generated_at),
            "records": report.records,
            "sources": list(report.sources),
            "policies": list(report.policies),
        }
        if "configuration" in report.extra:  # the options the run used, and where each came from
            properties["configuration"] = report.extra["configuration"]
        stream.write(f'{{\n  "$schema": {dumps(SCHEMA_URI)},\n  "version": "2.1.0",\n')
        stream.write('  "runs": [\n    {\n')
        descriptors = ",\n".join(f"        {dumps(rule_descriptor(info))}" for info in rules)
        stream.write(f'      "tool": {{"driver": {dumps(driver)[:-1]}, "rules": [\n')
        stream.write(f"{descriptors}\n      ]}}}},\n" if rules else "      ]}},\n")
        stream.write(f'      "automationDetails": {dumps({"id": automation_id})},\n')
        stream.write(f'      "invocations": [{dumps(invocation)}],\n')
        stream.write('      "results": [')
        first = True
        for result in store.findings():
            item = result_object(result, index[result.rule_id], with_baseline)
            stream.write(("\n        " if first else ",\n        ") + dumps(item))
            first = False
        stream.write("]" if first else "\n      ]")
        stream.write(',\n      "columnKind": "unicodeCodePoints",\n')
        stream.write(f'      "properties": {dumps(properties)}\n    }}\n  ]\n}}\n')


WRITER = SarifWriter()
