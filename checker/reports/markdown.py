"""The Markdown report: for ``$GITHUB_STEP_SUMMARY``, merge-request notes and PR comments.

Record values (names, FailureReason, OIDC URLs) are attacker-influenced free text, and Markdown
is rendered: every value goes through :func:`md_cell`, which makes it inert (no HTML, links,
images, mentions, code spans, emphasis or table breaks). GitHub rejects a step summary over
1 MiB, so the report summarizes itself when it would grow past :data:`MAX_BYTES`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from checker.files.timestamps import format_timestamp
from checker.model import SEVERITIES, ErrorEntry, Report, Result, Status, summarize
from checker.reports.escape import terminal_safe
from checker.reports.interface import RenderOptions

MAX_BYTES = 1024 * 1024 - 16 * 1024
"""Stay well under GitHub's 1 MiB step-summary limit (room for other steps' summaries)."""

MAX_CELL = 300
"""Longest cell text (characters); longer values are cut with an ellipsis."""

T = TypeVar("T")
FAILING = (Status.FAIL, Status.ERROR, Status.UNKNOWN)
ACCEPTED = (Status.WAIVED, Status.BASELINE)

# Characters with a Markdown meaning inside a table cell: emphasis, code, links and images,
# headings, strikethrough, math, mentions, table pipes, and the escape character itself.
_BACKSLASHED = re.compile(r"([\\`*_{}\[\]()#!|~@$])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_AUTOLINK = re.compile(r"(://|www\.)", re.IGNORECASE)


def md_cell(text: str | None, limit: int = MAX_CELL) -> str:
    """``text`` as inert Markdown on one line (safe in a table cell or a list item)."""
    if not text:
        return "-"
    flat = terminal_safe(text.replace("\r\n", " ").replace("\r", " "))
    if limit and len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    flat = "".join(_ENTITIES.get(char, char) for char in flat)
    flat = _BACKSLASHED.sub(r"\\\1", flat)
    # GitHub turns bare URLs into links; a backslash inside the scheme or "www." stops that.
    return _AUTOLINK.sub(lambda m: ":\\/\\/" if m[0] == "://" else m[0][:3] + "\\.", flat)


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def _result_row(result: Result) -> list[str]:
    res = result.resource
    return [
        result.severity,
        f"{md_cell(result.rule_id)} {md_cell(result.title)}",
        result.status.value,
        md_cell(res.name or res.address or res.key),
        md_cell(res.account),
        md_cell(res.region),
        md_cell(result.message),
    ]


def _error_row(error: ErrorEntry) -> list[str]:
    return [
        md_cell(error.source),
        md_cell(error.account),
        md_cell(error.region),
        md_cell(error.code),
        md_cell(error.message),
    ]


RESULT_HEADERS = ("Severity", "Rule", "Status", "Workforce", "Account", "Region", "Message")


class _Budget:
    """Collects lines while counting UTF-8 bytes, so large reports can be cut to fit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.lines: list[str] = []
        self.size = 0

    def fits(self, line: str, reserve: int = 0) -> bool:
        return self.size + len(line.encode("utf-8")) + 1 + reserve <= self.limit

    def add(self, *lines: str) -> None:
        for line in lines:
            self.lines.append(line)
            self.size += len(line.encode("utf-8")) + 1


_RESERVE = 4096  # what a table leaves for the closing lines of every later section
_CLOSING = 256  # what a list item leaves for its own closing lines


def _add_table(
    out: _Budget,
    headers: Sequence[str],
    items: Sequence[T],
    row: Callable[[T], Sequence[str]],
    what: str,
) -> None:
    """A table with as many rows as fit; a line saying how many were left out.

    Rows are formatted only while they fit, so a huge report costs no more than a full one.
    """
    out.add(*_table(headers, []))
    for index, item in enumerate(items):
        line = "| " + " | ".join(row(item)) + " |"
        if not out.fits(line, _RESERVE):
            out.add(
                "",
                f"*…and {len(items) - index} more {what} not shown: the report is "
                "summarized to stay under GitHub's 1 MiB limit; see the full report "
                "(JSON, SARIF or HTML).*",
            )
            return
        out.add(line)


def _details(out: _Budget, summary: str, body: list[str] | None = None) -> None:
    out.add(f"<details><summary>{summary}</summary>", "")
    if body:
        out.add(*body)


def render_markdown(report: Report, options: RenderOptions, max_bytes: int = MAX_BYTES) -> str:
    counts = summarize(report)
    failing = [r for r in report.results if r.status in FAILING]
    failing.sort(key=lambda r: -SEVERITIES.index(r.severity))  # stable: report order within
    accepted = [r for r in report.results if r.status in ACCEPTED]
    accounts = sorted({r.resource.account for r in report.results if r.resource.account})
    regions = sorted({r.resource.region for r in report.results if r.resource.region})

    out = _Budget(max_bytes)
    verdict = f"{len(failing)} failing result(s)" if failing else "no failing results"
    out.add(f"## wfcheck: {verdict}", "")
    out.add(
        f"{counts['records']} workforce(s) in {len(accounts)} account(s) and {len(regions)} "
        f"region(s), {counts['rules']} rule(s); generated {format_timestamp(report.generated_at)}"
        f" by wfcheck {md_cell(report.tool_version)}.",
        "",
    )
    status_line = ", ".join(f"{counts[s.value]} {s.value}" for s in Status if counts[s.value])
    out.add(f"Results: {status_line or 'none'}.", "")
    if report.errors:
        out.add(
            f"**{len(report.errors)} collection error(s)**: some workforces could not be "
            "read, so this report is incomplete.",
            "",
        )

    out.add("| Severity | Fail | Error |", "|---|---:|---:|")
    for severity in reversed(SEVERITIES):
        bucket = counts["by_severity"][severity]
        out.add(f"| {severity} | {bucket['fail']} | {bucket['error']} |")
    out.add("")

    if failing:
        out.add("### Failures", "")
        _add_table(out, RESULT_HEADERS, failing, _result_row, "failing result(s)")
        out.add("")
        remediations = []
        for rule_id in dict.fromkeys(r.rule_id for r in failing):
            info = report.rule(rule_id)
            if info is not None:
                remediations.append(
                    f"- **{md_cell(info.id)}** {md_cell(info.title)}: "
                    f"{md_cell(info.remediation, 0)}"
                )
        if remediations:
            _details(out, f"How to fix ({len(remediations)} rule(s))")
            for line in remediations:
                if not out.fits(line, _CLOSING):
                    break
                out.add(line)
            out.add("", "</details>", "")

    if report.errors:
        _details(out, f"Collection errors ({len(report.errors)})")
        _add_table(
            out,
            ("Source", "Account", "Region", "Code", "Message"),
            report.errors,
            _error_row,
            "error(s)",
        )
        out.add("", "</details>", "")

    if accepted:
        _details(out, f"Accepted: waived or in the baseline ({len(accepted)})")
        _add_table(out, RESULT_HEADERS, accepted, _result_row, "accepted result(s)")
        out.add("", "</details>", "")

    if options.show_passed:
        rest = [r for r in report.results if r.status in (Status.PASS, Status.SKIP)]
        if rest:
            _details(out, f"Passed and skipped ({len(rest)})")
            _add_table(out, RESULT_HEADERS, rest, _result_row, "result(s)")
            out.add("", "</details>", "")

    for note in report.notes:
        line = f"> {md_cell(note, 0)}"
        if out.fits(line, _CLOSING):
            out.add(line, "")
    return "\n".join(out.lines).rstrip("\n") + "\n"


class MarkdownWriter:
    name = "markdown"

    def render(self, report: Report, options: RenderOptions) -> str:
        return render_markdown(report, options)


WRITER = MarkdownWriter()
