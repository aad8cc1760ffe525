"""The JSON report: the machine-readable contract (``schema_version`` 2).

Version 2 writes each rule's text once and each record once: ``rules`` maps a rule id to its
title, severity, description, remediation, references, tags, controls and vars; ``resources``
lists every record's resource (with its ``key``, the stable identity fingerprints use); and
``results`` holds one compact entry per (record, rule) pair, passes and skips included:
``{"rule_id", "resource" (an index into resources), "status", "message", "path"}``, plus
``evidence`` and ``annotation`` when there are any. A result's fingerprint is
``RULE_ID:RESOURCE_KEY``.

The document streams: one resource or result per line, each distinct verdict (status, message,
path, evidence, annotation) encoded once, so writing millions of results costs little memory
and time. Strings keep their exact values (UTF-8), but DEL, C1 controls, line separators and
bidi controls are written as ``\\uXXXX`` (:func:`checker.reports.escape.json_text`).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any, TextIO

from checker.files.timestamps import format_timestamp
from checker.model import ErrorEntry, Resource, RuleInfo, UnitStatus, Verdict
from checker.reports.escape import json_text
from checker.reports.interface import RenderOptions, ReportWriter
from checker.results import Report, row_key, summarize

SCHEMA_VERSION = 2

encode = json.JSONEncoder(ensure_ascii=False).encode
"""One value as compact-spaced JSON, raw: a part of a document that :func:`json_text` makes
safe as a whole."""


def dumps(value: Any) -> str:
    """One value as compact-spaced JSON (``", "`` and ``": "``) with nothing raw a terminal
    could act on."""
    return json_text(encode(value))


def rule_to_dict(info: RuleInfo) -> dict[str, Any]:
    return {
        "title": info.title,
        "severity": info.severity,
        "description": info.description,
        "remediation": info.remediation,
        "references": list(info.references),
        "tags": list(info.tags),
        "controls": list(info.controls),
        "vars": list(info.vars),
    }


def resource_to_dict(res: Resource) -> dict[str, Any]:
    item: dict[str, Any] = {
        "arn": res.arn,
        "name": res.name,
        "account": res.account,
        "region": res.region,
        "source": res.source,
        "key": res.key,
    }
    if res.address:
        item["address"] = res.address
    if res.location is not None:
        location: dict[str, Any] = {"file": res.location.file, "line": res.location.line}
        if res.location.column:
            location["column"] = res.location.column
        item["location"] = location
    if res.action:
        item["action"] = res.action
    return item


def verdict_fields(verdict: Verdict) -> dict[str, Any]:
    """A result's own fields (what follows ``rule_id`` and ``resource``)."""
    status, message, path, evidence, annotation = verdict
    item: dict[str, Any] = {"status": status.value, "message": message, "path": path}
    if evidence:
        item["evidence"] = {name: value for name, value in evidence}
    if annotation:
        item["annotation"] = dict(annotation)
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


def _array(stream: TextIO, key: str, lines: Iterator[str], last: bool = False) -> None:
    """``"key": [`` one item per line ``]``, written as the items come."""
    stream.write(f'  "{key}": [')
    first = True
    for line in lines:
        stream.write("\n    " + line if first else ",\n    " + line)
        first = False
    stream.write("]" if first else "\n  ]")
    stream.write("\n" if last else ",\n")


ROW_TEMPLATES = 4096
"""Distinct rows (verdict per rule) whose text is kept: estates repeat a few configurations,
seen early; a row past the cap (a one-off message) is built and not kept, so the cache never
thrashes."""


def _result_lines(report: Report) -> Iterator[str]:
    """Each record's results as lines. A record's text is its row's template joined with the
    record's number (``str.join`` puts it between the parts), so a row seen before costs one
    call; the templates kept are bounded."""
    store = report.results
    heads = [f'{{"rule_id": {dumps(info.id)}, "resource": ' for info in store.rules]
    tails: dict[int, str] = {}
    verdicts = store.verdicts
    templates: dict[bytes, list[str]] = {}
    for number, (_, _, row) in enumerate(store.rows()):
        key = row_key(row)
        parts = templates.get(key)
        if parts is None:
            pieces = []
            for position, index in enumerate(row):
                if index >= len(verdicts):  # ABSENT: this rule was not evaluated on this record
                    continue
                tail = tails.get(index)
                if tail is None:
                    tail = tails[index] = ", " + dumps(verdict_fields(verdicts[index]))[1:]
                pieces.append((heads[position], tail))
            if not pieces:
                continue
            parts = [pieces[0][0]]
            for (_, tail), (head, _) in itertools.pairwise(pieces):
                parts.append(f"{tail},\n    {head}")
            parts.append(pieces[-1][1])
            if len(templates) < ROW_TEMPLATES:  # a rare row past the cap is not kept
                templates[key] = parts
        yield str(number).join(parts)


class JsonWriter(ReportWriter):
    name = "json"

    def write(self, report: Report, stream: TextIO, options: RenderOptions) -> None:
        stream.write("{\n")
        stream.write(f'  "schema_version": {SCHEMA_VERSION},\n')
        tool = {"name": "wfcheck", "version": report.tool_version}
        stream.write(f'  "tool": {dumps(tool)},\n')
        stream.write(f'  "generated_at": {dumps(format_timestamp(report.generated_at))},\n')
        stream.write(f'  "summary": {dumps(summarize(report).as_dict())},\n')
        rules = report.all_rules()
        stream.write('  "rules": {')
        stream.write(
            ",".join(f"\n    {dumps(info.id)}: {dumps(rule_to_dict(info))}" for info in rules)
        )
        stream.write("\n  },\n" if rules else "},\n")
        resources = (dumps(resource_to_dict(res)) for _, res, _ in report.results.rows())
        _array(stream, "resources", resources)
        _array(stream, "results", _result_lines(report))
        _array(stream, "errors", (dumps(error_to_dict(error)) for error in report.errors))
        _array(stream, "units", (dumps(unit_to_dict(unit)) for unit in report.units))
        stream.write(f'  "sources": {dumps(list(report.sources))},\n')
        tail: list[tuple[str, Any]] = []
        if report.notes:
            tail.append(("notes", list(report.notes)))
        known = {"notes", "sources", "policies", "schema_version", "tool", "generated_at"}
        known |= {"summary", "rules", "resources", "results", "errors", "units"}
        tail += [(key, value) for key, value in sorted(report.extra.items()) if key not in known]
        stream.write(f'  "policies": {dumps(list(report.policies))}')
        for key, value in tail:
            stream.write(f",\n  {dumps(key)}: {dumps(value)}")
        stream.write("\n}\n")


WRITER = JsonWriter()
