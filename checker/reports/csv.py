"""CSV: one row per result, for spreadsheets and ad-hoc analysis.

The columns (``COLUMNS``) are a stable contract: new columns are only ever appended. Every cell
goes through :func:`checker.reports.escape.csv_cell`: one line with no control characters or
escape sequences (a log or a terminal showing the file stays intact), and a cell that a
spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) gets a single quote in front
(OWASP's advice for CSV injection). Cells with commas or quotes are quoted (RFC 4180, CRLF row
ends).

Rows stream: a row is the rule's cells, the verdict's cells and the record's cells, each part
escaped once (per rule, per distinct verdict, per record) and joined per result.
"""

from __future__ import annotations

import csv
import io
from array import array
from collections.abc import Sequence
from typing import TextIO

from checker.model import Resource, Result, RuleInfo, Verdict
from checker.reports.acceptance import acceptance_reason
from checker.reports.escape import csv_cell, terminal_line
from checker.reports.interface import RenderOptions, ReportWriter
from checker.results import Report

COLUMNS: tuple[str, ...] = (
    "rule_id",
    "title",
    "severity",
    "status",
    "account",
    "region",
    "workforce",
    "arn",
    "address",
    "source",
    "path",
    "message",
    "evidence",
    "reason",
    "remediation",
    "fingerprint",
)


def _line(cells: list[str]) -> str:
    """Cells as one CSV row fragment (no row end), quoted as ``csv`` does (QUOTE_MINIMAL)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="", quoting=csv.QUOTE_MINIMAL).writerow(cells)
    return buffer.getvalue()


def _rule_parts(info: RuleInfo) -> tuple[str, str]:
    """(rule_id, title, severity) and (remediation,) for one rule."""
    return (
        _line([csv_cell(info.id), csv_cell(info.title), csv_cell(info.severity)]),
        _line([csv_cell(info.remediation)]),
    )


def _verdict_parts(verdict: Verdict, rule: RuleInfo, resource: Resource) -> tuple[str, str]:
    """(status,) and (path, message, evidence, reason) of one distinct verdict."""
    status, message, path, evidence, annotation = verdict
    result = Result(rule, status, resource, message, path, evidence, annotation)
    shown = "; ".join(f"{name}={value}" for name, value in evidence)
    return (
        _line([csv_cell(status.value)]),
        _line(
            [
                csv_cell(path),
                csv_cell(message),
                csv_cell(shown),
                csv_cell(acceptance_reason(result) or ""),
            ]
        ),
    )


def _record_part(res: Resource) -> str:
    """(account, region, workforce, arn, address, source) of one record."""
    return _line(
        [
            csv_cell(res.account or ""),
            csv_cell(res.region or ""),
            csv_cell(res.name or ""),
            csv_cell(res.arn or ""),
            csv_cell(res.address or ""),
            csv_cell(res.source),
        ]
    )


def row(result: Result) -> str:
    """One result as a CSV row (without the row end)."""
    head, remediation = _rule_parts(result.rule)
    status, rest = _verdict_parts(
        (result.status, result.message, result.path, result.evidence, result.annotation),
        result.rule,
        result.resource,
    )
    fingerprint = _fingerprint_cell(csv_cell(result.rule_id), terminal_line(result.resource.key))
    return ",".join((head, status, _record_part(result.resource), rest, remediation, fingerprint))


def _fingerprint_cell(rule: str, key: str) -> str:
    """The fingerprint cell from its already escaped parts, quoted when it must be."""
    text = f"{rule}:{key}"
    if '"' in text or "," in text:
        return '"' + text.replace('"', '""') + '"'
    return text


ROW_TEMPLATES = 4096
"""Distinct rows (verdict per rule) whose text is kept; estates repeat a few configurations."""


def _esc(text: str) -> str:
    """Text as a literal part of a ``str.format`` template."""
    return text.replace("{", "{{").replace("}", "}}")


class CsvWriter(ReportWriter):
    """Each distinct row (verdict per rule) becomes a template once; a record's rows are that
    template filled with its own cells (``{r}``) and key (``{k}``)."""

    name = "csv"

    def write(self, report: Report, stream: TextIO, options: RenderOptions) -> None:
        stream.write(_line(list(COLUMNS)) + "\r\n")
        store = report.results
        rules = [_rule_parts(info) for info in store.rules]
        rule_ids = [csv_cell(info.id) for info in store.rules]  # the fingerprint's start
        verdicts: dict[int, tuple[str, str]] = {}
        templates: dict[bytes, str] = {}
        absent = len(store.verdicts)

        def template(resource: Resource, cells: Sequence[int], key: str | None) -> str:
            """The row's lines with the record's part as ``{r}`` and, when ``key`` is None,
            the key as ``{k}``; else the key written in (a key that needs quoting)."""
            lines = []
            for position, index in enumerate(cells):
                if index >= absent:  # ABSENT: this rule was not evaluated on this record
                    continue
                parts = verdicts.get(index)
                if parts is None:
                    parts = verdicts[index] = _verdict_parts(
                        store.verdicts[index], store.rules[position], resource
                    )
                head, remediation = rules[position]
                if key is None:
                    rule = rule_ids[position]
                    quoted = '"' in rule or "," in rule
                    fingerprint = (
                        '"' + _esc(rule.replace('"', '""')) + ':{k}"' if quoted
                        else _esc(rule) + ":{k}"
                    )  # fmt: skip
                else:
                    fingerprint = _esc(_fingerprint_cell(rule_ids[position], key))
                lines.append(
                    f"{_esc(head)},{_esc(parts[0])},{{r}},{_esc(parts[1])},"
                    f"{_esc(remediation)},{fingerprint}\r\n"
                )
            return "".join(lines)

        for _, resource, cells in store.rows():
            record = _record_part(resource)
            key = terminal_line(resource.key)
            if '"' in key or "," in key:  # rare: this record's key needs quoting
                stream.write(template(resource, cells, key).format(r=record))
                continue
            row = cells.tobytes() if isinstance(cells, array) else bytes(array("I", cells))
            text = templates.get(row)
            if text is None:
                text = template(resource, cells, None)
                if len(templates) < ROW_TEMPLATES:  # a rare row past the cap is not kept
                    templates[row] = text
            stream.write(text.format(r=record, k=key))


WRITER = CsvWriter()
