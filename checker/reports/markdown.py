"""The Markdown report: for ``$GITHUB_STEP_SUMMARY``, merge-request notes and PR comments.

It leads with what failed (most severe first) and why, then how to fix it, what could not be
read, what was accepted and why (waiver reason, owner, expiry, ticket), and counts of the rest:
passed and skipped results are counted per rule and listed only with ``--show-passed``.

Record values (names, FailureReason, OIDC URLs) are attacker-influenced free text, and Markdown
is rendered: every value goes through :func:`md_cell`
(:func:`checker.reports.escape.markdown_inline`), which makes it inert (no HTML, links, images,
mentions, code spans, emphasis or table breaks) and cuts it at :data:`MAX_CELL` characters.
GitHub rejects a step summary over 1 MiB, so the report streams under a byte budget and says
how many rows it left out when it would grow past :data:`MAX_BYTES`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TextIO, TypeVar

from checker.files.timestamps import format_timestamp
from checker.model import (
    ACCEPTED_STATUSES,
    FAILING_STATUSES,
    SEVERITIES,
    SEVERITY_RANK,
    ErrorEntry,
    Result,
    Status,
)
from checker.reports.acceptance import acceptance_details
from checker.reports.escape import markdown_inline
from checker.reports.interface import RenderOptions, ReportWriter
from checker.results import Report, Summary, rule_tally, summarize

MAX_BYTES = 1024 * 1024 - 16 * 1024
"""Stay well under GitHub's 1 MiB step-summary limit (room for other steps' summaries)."""

MAX_CELL = 300
"""Longest cell text (characters); longer values are cut with an ellipsis."""

T = TypeVar("T")
RESULT_HEADERS = ("Severity", "Rule", "Status", "Workforce", "Account", "Region", "Message")
ACCEPTED_HEADERS = (*RESULT_HEADERS, "Reason", "Owner", "Expires", "Ticket")


def md_cell(text: str | None, limit: int = MAX_CELL) -> str:
    """``text`` as inert Markdown on one line (safe in a table cell or a list item)."""
    return markdown_inline(text, limit)


def workforce_cell(result: Result) -> str:
    """The workforce, and for infrastructure-as-code its address, file:line and planned
    action."""
    res = result.resource
    text = md_cell(res.name or res.address or res.key)
    extra = []
    if res.address and res.address != res.name:
        extra.append(md_cell(res.address))
    if res.location is not None:
        extra.append(md_cell(f"{res.location.file}:{res.location.line}"))
    if res.action:
        extra.append(f"planned: {md_cell(res.action)}")
    return f"{text} ({', '.join(extra)})" if extra and text != extra[0] else text


def _result_row(result: Result) -> list[str]:
    res = result.resource
    return [
        result.severity,
        f"{md_cell(result.rule_id)} {md_cell(result.title)}",
        result.status.value,
        workforce_cell(result),
        md_cell(res.account),
        md_cell(res.region),
        md_cell(result.message),
    ]


def _accepted_row(result: Result) -> list[str]:
    details = dict(acceptance_details(result.annotation))
    reason = details.get("reason") or details.get("baseline")
    return [
        *_result_row(result),
        md_cell(reason),
        md_cell(details.get("owner")),
        md_cell(details.get("expires")),
        md_cell(details.get("ticket")),
    ]


def _error_row(error: ErrorEntry) -> list[str]:
    return [
        md_cell(error.source),
        md_cell(error.account),
        md_cell(error.region),
        md_cell(error.code),
        md_cell(error.message),
    ]


class _Budget:
    """Writes lines to the stream while counting UTF-8 bytes, so large reports stop in time.

    Blank lines are held back until a line follows them: the report ends with its last line.
    """

    def __init__(self, stream: TextIO, limit: int) -> None:
        self.stream = stream
        self.limit = limit
        self.size = 0
        self.blank = 0

    def fits(self, line: str, reserve: int = 0) -> bool:
        return self.size + len(line.encode("utf-8")) + 1 + reserve <= self.limit

    def add(self, *lines: str) -> None:
        for line in lines:
            self.size += len(line.encode("utf-8")) + 1
            if not line:
                self.blank += 1
                continue
            self.stream.write("\n" * self.blank + line + "\n")
            self.blank = 0


_RESERVE = 4096  # what a table leaves for the closing lines of every later section
_CLOSING = 256  # what a list item leaves for its own closing lines


def _add_table(
    out: _Budget,
    headers: Sequence[str],
    items: Iterable[T],
    total: int,
    row: Callable[[T], Sequence[str]],
    what: str,
) -> None:
    """A table with as many rows as fit; a line saying how many were left out.

    Rows are formatted only while they fit, so a huge report costs no more than a full one.
    """
    out.add("| " + " | ".join(headers) + " |", "|" + "---|" * len(headers))
    for index, item in enumerate(items):
        line = "| " + " | ".join(row(item)) + " |"
        if not out.fits(line, _RESERVE):
            out.add(
                "",
                f"*…and {total - index} more {what} not shown: the report is "
                "summarized to stay under GitHub's 1 MiB limit; see the full report "
                "(JSON, SARIF or HTML).*",
            )
            return
        out.add(line)


def _details(out: _Budget, summary: str) -> None:
    out.add(f"<details><summary>{summary}</summary>", "")


def _failing_first(result: Result) -> int:
    """Failing results by severity (most severe first), then accepted ones."""
    if result.status in FAILING_STATUSES:
        return len(SEVERITIES) - 1 - SEVERITY_RANK[result.severity]
    return len(SEVERITIES)


def write_markdown(
    report: Report, stream: TextIO, options: RenderOptions, max_bytes: int = MAX_BYTES
) -> None:
    counts = summarize(report)
    out = _Budget(stream, max_bytes)
    _add_heading(out, report, counts)
    if counts.failing:
        _add_failures(out, report, counts.failing)
    if report.errors:
        _details(out, f"Collection errors ({len(report.errors)})")
        _add_table(
            out,
            ("Source", "Account", "Region", "Code", "Message"),
            report.errors,
            len(report.errors),
            _error_row,
            "error(s)",
        )
        out.add("", "</details>", "")
    if counts.accepted:
        _details(out, f"Accepted: waived or in the baseline ({counts.accepted})")
        rows = (r for r in report.results.findings() if r.status in ACCEPTED_STATUSES)
        _add_table(
            out, ACCEPTED_HEADERS, rows, counts.accepted, _accepted_row, "accepted result(s)"
        )
        out.add("", "</details>", "")
    passed = counts.count(Status.PASS, Status.SKIP)
    if passed:
        _add_rule_counts(out, report, counts)
    if options.show_passed and passed:
        _details(out, f"Passed and skipped ({passed})")
        rows = (r for r in report.results if not r.status.is_finding)
        _add_table(out, RESULT_HEADERS, rows, passed, _result_row, "result(s)")
        out.add("", "</details>", "")
    for note in report.notes:
        line = f"> {md_cell(note, 0)}"
        if out.fits(line, _CLOSING):
            out.add(line, "")


def _add_heading(out: _Budget, report: Report, counts: Summary) -> None:
    """The verdict, the scope, the counts by status and the failures by severity."""
    failing = counts.failing
    verdict = f"{failing} failing result(s)" if failing else "no failing results"
    out.add(f"## wfcheck: {verdict}", "")
    out.add(
        f"{counts.records} workforce(s) in {len(counts.accounts)} account(s) and "
        f"{len(counts.regions)} region(s), {counts.rules} rule(s); generated "
        f"{format_timestamp(report.generated_at)} by wfcheck {md_cell(report.tool_version)}.",
        "",
    )
    status_line = ", ".join(f"{counts.count(s)} {s.value}" for s in Status if counts.count(s))
    out.add(f"Results: {status_line or 'none'}.", "")
    if report.errors:
        out.add(
            f"**{len(report.errors)} collection error(s)**: some workforces could not be "
            "read, so this report is incomplete.",
            "",
        )
    out.add("| Severity | Fail | Error |", "|---|---:|---:|")
    for severity in reversed(SEVERITIES):
        bucket = counts.gate_by_severity[severity]
        out.add(f"| {severity} | {bucket['fail']} | {bucket['error']} |")
    out.add("")


def _add_failures(out: _Budget, report: Report, failing: int) -> None:
    """The failing results, most severe first, then how to fix each failing rule."""
    store = report.results
    out.add("### Failures", "")
    rows = (r for r in store.findings(_failing_first) if r.status in FAILING_STATUSES)
    _add_table(out, RESULT_HEADERS, rows, failing, _result_row, "failing result(s)")
    out.add("")
    failing_rules = [
        info for info, t in rule_tally(report) if any(s in FAILING_STATUSES for s in t)
    ]
    failing_rules.sort(key=lambda info: -SEVERITY_RANK[info.severity])
    remediations = [
        f"- **{md_cell(info.id)}** {md_cell(info.title)}: {md_cell(info.remediation, 0)}"
        for info in failing_rules
        if info.remediation
    ]
    if remediations:
        _details(out, f"How to fix ({len(remediations)} rule(s))")
        for line in remediations:
            if not out.fits(line, _CLOSING):
                break
            out.add(line)
        out.add("", "</details>", "")


def _add_rule_counts(out: _Budget, report: Report, counts: Summary) -> None:
    """Per rule: how many results of each status."""
    passed, skipped = counts.count(Status.PASS), counts.count(Status.SKIP)
    _details(out, f"Results by rule ({passed} passed, {skipped} skipped)")
    out.add(
        "| Rule | Severity | Fail | Error | Unknown | Accepted | Pass | Skip |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    )
    for info, tally in rule_tally(report):
        row = [
            f"{md_cell(info.id)} {md_cell(info.title)}",
            info.severity,
            *(str(tally.get(status, 0)) for status in (Status.FAIL, Status.ERROR, Status.UNKNOWN)),
            str(tally.get(Status.WAIVED, 0) + tally.get(Status.BASELINE, 0)),
            str(tally.get(Status.PASS, 0)),
            str(tally.get(Status.SKIP, 0)),
        ]
        line = "| " + " | ".join(row) + " |"
        if not out.fits(line, _RESERVE):
            break
        out.add(line)
    out.add("", "</details>", "")


class MarkdownWriter(ReportWriter):
    name = "markdown"

    def write(self, report: Report, stream: TextIO, options: RenderOptions) -> None:
        write_markdown(report, stream, options)


WRITER = MarkdownWriter()
