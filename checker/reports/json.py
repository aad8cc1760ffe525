"""The JSON report: the machine-readable contract (schema_version 1)."""

from __future__ import annotations

import json
from typing import Any

from checker.files.timestamps import format_timestamp
from checker.model import ErrorEntry, Report, Result, UnitStatus, summarize
from checker.reports.interface import RenderOptions

SCHEMA_VERSION = 1


def result_to_dict(result: Result) -> dict[str, Any]:
    res = result.resource
    resource: dict[str, Any] = {
        "arn": res.arn,
        "name": res.name,
        "account": res.account,
        "region": res.region,
        "source": res.source,
    }
    if res.address:
        resource["address"] = res.address
    item: dict[str, Any] = {
        "rule_id": result.rule_id,
        "title": result.title,
        "severity": result.severity,
        "status": result.status.value,
        "resource": resource,
        "message": result.message,
        "path": result.path,
        "remediation": result.remediation,
        "fingerprint": result.fingerprint,
    }
    if result.evidence:
        item["evidence"] = {name: value for name, value in result.evidence}
    if result.annotation:
        item["annotation"] = dict(result.annotation)
    return item


def error_to_dict(error: ErrorEntry) -> dict[str, Any]:
    return {
        "source": error.source,
        "account": error.account,
        "region": error.region,
        "code": error.code,
        "message": error.message,
    }


def unit_to_dict(unit: UnitStatus) -> dict[str, Any]:
    item: dict[str, Any] = {
        "source": unit.source,
        "account": unit.account,
        "region": unit.region,
        "status": unit.status,
        "records": unit.records,
    }
    if unit.resume_token:
        item["resume_token"] = unit.resume_token
    if unit.note:
        item["note"] = unit.note
    return item


def report_to_dict(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "wfcheck", "version": report.tool_version},
        "generated_at": format_timestamp(report.generated_at),
        "summary": summarize(report),
        "results": [result_to_dict(result) for result in report.results],
        "errors": [error_to_dict(error) for error in report.errors],
        "units": [unit_to_dict(unit) for unit in report.units],
        "sources": list(report.sources),
        "policies": list(report.policies),
    }
    if report.notes:
        data["notes"] = list(report.notes)
    for key, value in sorted(report.extra.items()):
        data.setdefault(key, value)
    return data


class JsonWriter:
    name = "json"

    def render(self, report: Report, options: RenderOptions) -> str:
        return json.dumps(report_to_dict(report), indent=2, ensure_ascii=False) + "\n"


WRITER = JsonWriter()
