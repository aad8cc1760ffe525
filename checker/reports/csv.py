"""CSV: one row per result, for spreadsheets and ad-hoc analysis.

The columns (``COLUMNS``) are a stable contract: new columns are only ever appended. A spreadsheet
runs a cell that begins with ``=``, ``+``, ``-``, ``@``, TAB or CR as a formula, and record values
(a workforce name, an OIDC URL, a FailureReason) are free text an attacker may influence, so such
cells are prefixed with a single quote (OWASP's advice for CSV injection). Cells with commas,
quotes or newlines are quoted (RFC 4180, CRLF row ends).
"""

from __future__ import annotations

import csv
import io

from checker.model import Report, Result
from checker.reports.acceptance import acceptance_reason
from checker.reports.interface import RenderOptions

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

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(cell: str) -> str:
    """A cell a spreadsheet will show as text, never evaluate."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def row(result: Result) -> list[str]:
    res = result.resource
    reason = acceptance_reason(result)
    evidence = "; ".join(f"{name}={value}" for name, value in result.evidence)
    cells = [
        result.rule_id,
        result.title,
        result.severity,
        result.status.value,
        res.account or "",
        res.region or "",
        res.name or "",
        res.arn or "",
        res.address or "",
        res.source,
        result.path,
        result.message,
        evidence,
        reason or "",
        result.remediation,
        result.fingerprint,
    ]
    return [neutralize(cell) for cell in cells]


class CsvWriter:
    name = "csv"

    def render(self, report: Report, options: RenderOptions) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(COLUMNS)
        writer.writerows(row(result) for result in report.results)
        return buffer.getvalue()


WRITER = CsvWriter()
