"""CSV: one row per result, for spreadsheets and ad-hoc analysis.

The columns (``COLUMNS``) are a stable contract: new columns are only ever appended. Every cell
goes through :func:`checker.reports.escape.csv_cell`: one line with no control characters or
escape sequences (a log or a terminal showing the file stays intact), and a cell that a
spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) gets a single quote in front
(OWASP's advice for CSV injection). Cells with commas or quotes are quoted (RFC 4180, CRLF row
ends).

The remediation is given where there may be something to do (``Status.is_finding``: fail,
error, unknown, waived, baseline); a passed or skipped result's cell is empty, as JUnit's
skips carry no details (most rows of a large estate are those).

Rows stream: a row is the rule's cells, the verdict's cells and the record's cells, each part
escaped once (per rule, per distinct verdict, per record) and joined per result.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import TextIO

from checker.model import Resource, Result, RuleInfo, Verdict
from checker.reports.acceptance import acceptance_reason
from checker.reports.escape import csv_cell, terminal_line
from checker.reports.interface import RenderOptions, ReportWriter
from checker.results import Report, row_key

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
    """Cells as one CSV row fragment (no row end), quoted as ``csv`` does (QUOTE_MINIMAL).
    Cells are :func:`csv_cell` output (one line), so only commas and quotes need quoting."""
    joined = ",".join(cells)
    if len(cells) > 1 and '"' not in joined and joined.count(",") == len(cells) - 1:
        return joined  # what csv writes for these cells, without a writer per row
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


def _record_part(res: Resource, shared: Callable[[str], str] = csv_cell) -> str:
    """(account, region, workforce, arn, address, source) of one record; ``shared`` escapes
    the cells many records share (account, region, source)."""
    return _line(
        [
            shared(res.account or ""),
            shared(res.region or ""),
            csv_cell(res.name or ""),
            csv_cell(res.arn or ""),
            csv_cell(res.address or ""),
            shared(res.source),
        ]
    )


SHARED_CELLS = 1 << 16
"""Distinct account, region and source cells kept escaped."""


def _shared_cells() -> Callable[[str], str]:
    """:func:`csv_cell` remembering up to :data:`SHARED_CELLS` values."""
    cells: dict[str, str] = {}

    def shared(text: str) -> str:
        cell = cells.get(text)
        if cell is None:
            cell = csv_cell(text)
            if len(cells) < SHARED_CELLS:
                cells[text] = cell
        return cell

    return shared


def _needs_quotes(text: str) -> bool:
    return '"' in text or "," in text


def _fingerprint_cell(rule: str, key: str) -> str:
    """The fingerprint cell from its already escaped parts, quoted when it must be."""
    text = f"{rule}:{key}"
    return '"' + text.replace('"', '""') + '"' if _needs_quotes(text) else text


ROW_TEMPLATES = 4096
"""Distinct rows (verdict per rule) whose text is kept; estates repeat a few configurations."""


class CsvWriter(ReportWriter):
    """Each distinct row (verdict per rule) becomes a template once: its text in pieces, with
    a slot for the record's cells every fourth piece from the second and one for its key
    every fourth from the fourth. A record's rows are that template with its slots filled,
    joined (no format string is parsed per record)."""

    name = "csv"

    def write(self, report: Report, stream: TextIO, options: RenderOptions) -> None:
        stream.write(_line(list(COLUMNS)) + "\r\n")
        store = report.results
        rules = [_rule_parts(info) for info in store.rules]
        rule_ids = [csv_cell(info.id) for info in store.rules]  # the fingerprint's start
        verdicts: dict[int, tuple[str, str]] = {}
        templates: dict[tuple[bytes, bool], list[str]] = {}
        absent = len(store.verdicts)

        def template(resource: Resource, cells: Sequence[int], quoted_key: bool) -> list[str]:
            """The row's pieces: [line start, cells, up to the key, key, line end + next
            line start, ...]; every fingerprint is quoted when the key must be."""
            pieces = [""]
            for position, index in enumerate(cells):
                if index >= absent:  # ABSENT: this rule was not evaluated on this record
                    continue
                parts = verdicts.get(index)
                if parts is None:
                    parts = verdicts[index] = _verdict_parts(
                        store.verdicts[index], store.rules[position], resource
                    )
                head, remediation = rules[position]
                if not store.verdicts[index][0].is_finding:
                    remediation = ""  # passed or skipped: nothing to remediate
                rule = rule_ids[position]
                quoted = quoted_key or _needs_quotes(rule)
                fingerprint = '"' + rule.replace('"', '""') + ":" if quoted else rule + ":"
                pieces[-1] += f"{head},{parts[0]},"
                pieces += ["", f",{parts[1]},{remediation},{fingerprint}", ""]
                pieces.append('"\r\n' if quoted else "\r\n")
            return pieces

        shared = _shared_cells()
        for _, resource, cells in store.rows():
            record = _record_part(resource, shared)
            key = terminal_line(resource.key)
            quoted_key = _needs_quotes(key)
            if quoted_key:
                key = key.replace('"', '""')
            row = row_key(cells)
            pieces = templates.get((row, quoted_key))
            if pieces is None:
                pieces = template(resource, cells, quoted_key)
                if len(templates) < ROW_TEMPLATES:  # a rare row past the cap is not kept
                    templates[row, quoted_key] = pieces
            lines = len(pieces) // 4
            pieces[1::4] = [record] * lines
            pieces[3::4] = [key] * lines
            stream.write("".join(pieces))


WRITER = CsvWriter()
