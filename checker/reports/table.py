"""The default terminal report: failures grouped by severity, then a one-line summary."""

from __future__ import annotations

from tabulate import tabulate

from checker.model import SEVERITIES, Report, Result, Status, summarize
from checker.reports.escape import terminal_safe
from checker.reports.interface import RenderOptions

_COLORS = {
    "critical": "\x1b[1;31m",
    "high": "\x1b[31m",
    "medium": "\x1b[33m",
    "low": "\x1b[36m",
    "info": "\x1b[2m",
}
_RESET = "\x1b[0m"
FAILING = (Status.FAIL, Status.ERROR, Status.UNKNOWN)


def _cell(text: str | None, width: int = 0) -> str:
    safe = terminal_safe(text or "-")
    return safe if not width or len(safe) <= width else safe[: width - 1] + "…"


def _rows(results: list[Result]) -> list[list[str]]:
    return [
        [
            _cell(r.rule_id),
            r.status.value,
            _cell(r.resource.account),
            _cell(r.resource.region),
            _cell(r.resource.name or r.resource.address),
            _cell(r.message, 160),
        ]
        for r in results
    ]


HEADERS = ["rule", "status", "account", "region", "workforce", "message"]


def _grid(rows: list[list[str]], headers: list[str]) -> str:
    """A plain-text table. Cells stay text: tabulate would otherwise read a workforce named
    ``1e5`` as the number 100000 and right-align account ids."""
    return tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)


class TableWriter:
    name = "table"

    def render(self, report: Report, options: RenderOptions) -> str:
        parts: list[str] = []
        for severity in reversed(SEVERITIES):
            group = [r for r in report.results if r.severity == severity and r.status in FAILING]
            if not group:
                continue
            title = f"{severity.upper()} ({len(group)})"
            if options.color:
                title = f"{_COLORS[severity]}{title}{_RESET}"
            parts.append(title)
            parts.append(_grid(_rows(group), HEADERS))
            parts.append("")
        others = [r for r in report.results if r.status in (Status.WAIVED, Status.BASELINE)]
        if others:
            parts.append(f"ACCEPTED ({len(others)}: waived or in the baseline)")
            parts.append(_grid(_rows(others), HEADERS))
            parts.append("")
        if options.show_passed:
            rest = [r for r in report.results if r.status in (Status.PASS, Status.SKIP)]
            if rest:
                parts.append(f"PASSED AND SKIPPED ({len(rest)})")
                parts.append(_grid(_rows(rest), HEADERS))
                parts.append("")
        if report.errors:
            parts.append(f"COLLECTION ERRORS ({len(report.errors)})")
            parts.append(
                _grid(
                    [
                        [
                            _cell(e.source),
                            _cell(e.account),
                            _cell(e.region),
                            _cell(e.code),
                            _cell(e.message, 160),
                        ]
                        for e in report.errors
                    ],
                    ["source", "account", "region", "code", "message"],
                )
            )
            parts.append("")
        for note in report.notes:
            parts.append(f"note: {terminal_safe(note)}")
        parts.append(summary_line(report))
        return "\n".join(parts) + "\n"


def summary_line(report: Report) -> str:
    counts = summarize(report)
    shown = ", ".join(
        f"{counts[status.value]} {status.value}"
        for status in Status
        if counts[status.value] or status in (Status.PASS, Status.FAIL, Status.SKIP, Status.ERROR)
    )
    line = f"{counts['records']} workforce(s), {counts['rules']} rule(s): {shown}"
    if report.errors:
        line += f"; {len(report.errors)} collection error(s)"
    return line


WRITER = TableWriter()
