"""The default terminal report: failures first, by severity and rule, then accepted results,
collection errors, counts of what passed, notes and a one-line summary.

Made to be read in a terminal of any width: no line is wider than ``RenderOptions.width`` (the
CLI passes ``COLUMNS`` when set, the terminal's width, else 120). Each rule is a heading line
(id and title); its results are rows of status, workforce, account, region and message. Cells
are cut with ``…`` to their column and messages wrap over at most :data:`MESSAGE_LINES` lines,
so one huge value can never blow the table up: the full values are in the machine formats
(JSON, SARIF, CSV). Rows for infrastructure-as-code resources add where the resource is written
and what the plan does to it; waived and baseline rows add why they are accepted (reason,
owner, expiry, ticket).

The report streams: column widths come from one pass over the findings (capped), then each
row is written as it is read. Every value goes through
:func:`checker.reports.escape.terminal_line`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TextIO

from checker.model import (
    ACCEPTED_STATUSES,
    FAILING_STATUSES,
    SEVERITIES,
    SEVERITY_RANK,
    Resource,
    Result,
    Status,
)
from checker.reports.acceptance import acceptance_details
from checker.reports.escape import clip, display_width, terminal_line
from checker.reports.interface import RECORDS_KEPT, RenderOptions, ReportWriter
from checker.results import Report, summarize

_COLORS = {
    "critical": "\x1b[1;31m",
    "high": "\x1b[31m",
    "medium": "\x1b[33m",
    "low": "\x1b[36m",
    "info": "\x1b[2m",
}
_RESET = "\x1b[0m"
FAILING = tuple(FAILING_STATUSES)

MIN_WIDTH = 60
"""Narrower terminals get this width (lines wrap there rather than lose every column)."""
MESSAGE_LINES = 4
"""A message wraps over at most this many lines; the rest is cut with an ellipsis."""
INDENT = "  "
GAP = "  "
# Column caps (terminal columns): enough for real values, small enough for the message.
CAPS = {"status": 8, "workforce": 32, "account": 14, "region": 16}
MIN_MESSAGE = 24
MESSAGE_SHARE = 0.4
"""The message column gets at least this share of the width, the workforce column giving way."""
DETAIL_LINES = 2
"""Each detail line (resource, waiver) wraps over at most this many lines."""
HEADERS = ("status", "workforce", "account", "region", "message")


def summary_line(report: Report) -> str:
    counts = summarize(report)
    shown = ", ".join(
        f"{counts.count(status)} {status.value}"
        for status in Status
        if counts.count(status) or status in (Status.PASS, Status.FAIL, Status.SKIP, Status.ERROR)
    )
    line = f"{counts.records} workforce(s), {counts.rules} rule(s): {shown}"
    if report.errors:
        line += f"; {len(report.errors)} collection error(s)"
    return line


def _record_cells(res: Resource) -> tuple[str, str, str]:
    return (
        terminal_line(res.name or res.address or res.key),
        terminal_line(res.account or "-"),
        terminal_line(res.region or "-"),
    )


def resource_details(res: Resource) -> list[str]:
    """Where an infrastructure-as-code resource is written and what the plan does to it."""
    if not (res.address or res.location is not None or res.action):
        return []
    text = "resource"
    if res.address and res.address != res.name:
        text += f" {res.address}"
    if res.location is not None:
        text += f" at {res.location.file}:{res.location.line}"
    if res.action:
        text += f" (planned: {res.action})"
    return [terminal_line(text)] if text != "resource" else []


def _acceptance_lines(result: Result) -> list[str]:
    found = acceptance_details(result.annotation)
    if result.status is Status.WAIVED and found:
        lines = [f"waived: {found[0][1]}" if found[0][0] == "reason" else "waived"]
        # one line each, so a long owner cannot push the expiry or the ticket out of sight
        return lines + [f"{label} {value}" for label, value in found if label != "reason"]
    if result.status is Status.BASELINE:
        return ["in the baseline: a known failure, accepted until it is fixed"]
    return []


@dataclass(frozen=True)
class Layout:
    """Column widths that fit ``width`` terminal columns."""

    width: int
    status: int
    workforce: int
    account: int
    region: int

    @property
    def message(self) -> int:
        used = len(INDENT) + self.status + self.workforce + self.account + self.region
        return max(self.width - used - 4 * len(GAP), 1)

    @classmethod
    def fit(cls, width: int, natural: dict[str, int]) -> Layout:
        width = max(width, MIN_WIDTH)
        sizes = {name: max(min(natural.get(name, 0), CAPS[name]), len(name)) for name in CAPS}
        layout = cls(width, **sizes)
        target = max(MIN_MESSAGE, int(width * MESSAGE_SHARE))
        while layout.message < target and layout.workforce > 12:
            layout = dataclasses.replace(layout, workforce=layout.workforce - 1)
        while layout.message < MIN_MESSAGE and layout.region > 6:
            layout = dataclasses.replace(layout, region=layout.region - 1)
        while layout.message < MIN_MESSAGE and layout.account > 6:
            layout = dataclasses.replace(layout, account=layout.account - 1)
        return layout

    def row(self, cells: Sequence[str], message: str, extra: Iterable[str] = ()) -> list[str]:
        """A row: the first line with every column, then the message's continuation lines and
        the detail lines in the message column."""
        left = self.status_part(cells[0]) + self.record_part(cells[1:])
        details = [part for line in extra for part in self.detail_lines(line)]
        return self.lines(left, self.message_lines(message), details)

    def status_part(self, status: str) -> str:
        return INDENT + _pad(clip(status, self.status), self.status) + GAP

    def record_part(self, cells: Sequence[str]) -> str:
        """The workforce, account and region columns."""
        return (
            _pad(clip(cells[0], self.workforce), self.workforce)
            + GAP
            + _pad(clip(cells[1], self.account), self.account)
            + GAP
            + _pad(clip(cells[2], self.region), self.region)
            + GAP
        )

    def message_lines(self, message: str) -> list[str]:
        return wrap(message, self.message, MESSAGE_LINES)

    def detail_lines(self, line: str) -> list[str]:
        return wrap(line, self.message, DETAIL_LINES)

    @staticmethod
    def lines(left: str, message: Sequence[str], details: Sequence[str]) -> list[str]:
        """A row from its columns, its message's lines and its detail lines (all wrapped)."""
        out = [(left + message[0]).rstrip()]
        blank = " " * len(left)
        out += [(blank + line).rstrip() for line in message[1:]]
        out += [(blank + part).rstrip() for part in details]
        return out

    def header(self) -> str:
        return self.row(HEADERS[:4], HEADERS[4])[0]


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def wrap(text: str, width: int, limit: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns (breaking at spaces when it can), at most
    ``limit`` lines, the last cut with ``…`` when there is more."""
    text = text or "-"
    lines: list[str] = []
    rest = text
    while rest and len(lines) < limit:
        if rest.startswith("::"):  # a CI runner would read the line as a workflow command
            rest = "\\" + rest
        if display_width(rest) <= width:
            lines.append(rest)
            rest = ""
            break
        cut = clip(rest, width + 1)[:-1]  # the longest prefix that fits
        space = cut.rfind(" ")
        if space > 0:  # break between words when the line has a space
            cut = cut[:space]
        lines.append(cut)
        rest = rest[len(cut) :].lstrip(" ")
    if rest:
        lines[-1] = clip(lines[-1] + " " + rest[: width + 1], width)
        if not lines[-1].endswith("…"):
            lines[-1] = clip(lines[-1], width - 1) + "…"
    return lines


def _section(result: Result) -> str:
    """Which section lists a result: its severity when failing, else accepted or passed."""
    if result.status in FAILING_STATUSES:
        return result.severity
    if result.status in ACCEPTED_STATUSES:
        return "accepted"
    return "passed"


def _order(positions: dict[str, int]) -> Callable[[Result], int]:
    """Failing results first (most severe first), then accepted; by rule within each."""

    def key(result: Result) -> int:
        group = 0 if result.status in FAILING_STATUSES else 1
        severity = len(SEVERITIES) - 1 - SEVERITY_RANK[result.severity]
        return (group * len(SEVERITIES) + severity) * 100_000 + positions.get(result.rule_id, 0)

    return key


def headings(report: Report) -> dict[str, str]:
    """Section titles with how many results each holds (every result counts)."""
    failing = dict.fromkeys(SEVERITIES, 0)
    totals = dict.fromkeys(Status, 0)
    for info, tally in zip(report.results.rules, report.results.tally(), strict=True):
        for status, count in tally.items():
            totals[status] += count
            if status in FAILING_STATUSES:
                failing[info.severity] += count
    titles = {severity: f"{severity.upper()} ({failing[severity]})" for severity in SEVERITIES}
    accepted = totals[Status.WAIVED] + totals[Status.BASELINE]
    titles["accepted"] = f"ACCEPTED ({accepted}: waived or in the baseline)"
    titles["passed"] = f"PASSED AND SKIPPED ({totals[Status.PASS] + totals[Status.SKIP]})"
    return titles


MESSAGES_KEPT = 4096
"""Distinct verdicts whose wrapped message is kept; estates repeat a few messages."""


class _Rows:
    """Rows from parts made once: a record's columns and detail lines, a verdict's message
    lines, a status's column (estates repeat verdicts; a record has many findings)."""

    def __init__(self, report: Report, layout: Layout) -> None:
        self.store = report.results
        self.layout = layout
        self.records: dict[int, tuple[str, list[str]]] = {}
        self.messages: dict[int, list[str]] = {}
        self.statuses: dict[Status, str] = {}

    def lines(self, record: int, index: int, result: Result) -> list[str]:
        layout = self.layout
        parts = self.records.get(record)
        if parts is None:
            res = self.store.resources[record]
            extra = [part for line in resource_details(res) for part in layout.detail_lines(line)]
            parts = (layout.record_part(_record_cells(res)), extra)
            # memory grows with findings, never with results, and is bounded
            if result.status.is_finding and len(self.records) < RECORDS_KEPT:
                self.records[record] = parts
        message = self.messages.get(index)
        if message is None:
            message = layout.message_lines(terminal_line(result.message))
            if len(self.messages) < MESSAGES_KEPT:
                self.messages[index] = message
        status = self.statuses.get(result.status)
        if status is None:
            status = self.statuses[result.status] = layout.status_part(result.status.value)
        details = parts[1]
        if result.status in ACCEPTED_STATUSES:
            accepted = (terminal_line(line) for line in _acceptance_lines(result))
            details = [*details, *(part for line in accepted for part in layout.detail_lines(line))]
        return layout.lines(status + parts[0], message, details)


class TableWriter(ReportWriter):
    name = "table"

    def write(self, report: Report, stream: TextIO, options: RenderOptions) -> None:
        store = report.results
        natural = dict.fromkeys(CAPS, 0)
        seen = -1
        for record, _, index in self._shown(report, options, None):
            status = store.verdicts[index][0].value
            natural["status"] = max(natural["status"], min(len(status), CAPS["status"]))
            if record != seen:  # a record's findings are consecutive in report order
                seen = record
                cells = _record_cells(store.resources[record])
                for name, cell in zip(HEADERS[1:], cells, strict=False):
                    natural[name] = max(natural[name], min(display_width(cell), CAPS[name]))
        layout = Layout.fit(options.width, natural)
        width = layout.width
        titles = headings(report)
        positions = {info.id: index for index, info in enumerate(store.rules)}
        rows = _Rows(report, layout)
        section: str | None = None
        rule_id: str | None = None
        for record, position, index in self._shown(report, options, positions):
            result = store.result(record, position)
            assert result is not None
            name = _section(result)
            if name != section:
                if section is not None:
                    stream.write("\n")
                title = clip(titles[name], width)
                if options.color and name in _COLORS:
                    title = f"{_COLORS[name]}{title}{_RESET}"
                stream.write(title + "\n" + layout.header() + "\n")
                section, rule_id = name, None
            if result.rule_id != rule_id:
                rule_id = result.rule_id
                line = terminal_line(f"{result.rule_id}  {result.title}")
                stream.write(clip(line, width) + "\n")
            stream.write("\n".join(rows.lines(record, index, result)) + "\n")
        if section is not None:
            stream.write("\n")
        self._errors(report, stream, width)
        self._rest(report, stream, options, width)
        stream.write(clip(summary_line(report), width) + "\n")

    @staticmethod
    def _shown(
        report: Report, options: RenderOptions, positions: dict[str, int] | None
    ) -> Iterator[tuple[int, int, int]]:
        """What the table lists, as (record, rule position, verdict index), in its order (or
        in report order without ``positions``): findings (failing, then accepted), and with
        ``--show-passed`` every other result."""
        store = report.results
        yield from store.places(group=_order(positions) if positions is not None else None)
        if options.show_passed:
            for record, position, index in store.places(everything=True):
                if not store.verdicts[index][0].is_finding:
                    yield record, position, index

    @staticmethod
    def _errors(report: Report, stream: TextIO, width: int) -> None:
        if not report.errors:
            return
        stream.write(f"COLLECTION ERRORS ({len(report.errors)})\n")
        natural = {"status": 16, "workforce": 24, "account": 12, "region": 14}
        errors = Layout.fit(width, natural)
        stream.write(errors.row(("code", "source", "account", "region"), "message")[0] + "\n")
        for error in report.errors:
            cells = (
                terminal_line(error.code),
                terminal_line(error.source),
                terminal_line(error.account or "-"),
                terminal_line(error.region or "-"),
            )
            stream.write("\n".join(errors.row(cells, terminal_line(error.message))) + "\n")
        stream.write("\n")

    @staticmethod
    def _rest(report: Report, stream: TextIO, options: RenderOptions, width: int) -> None:
        counts = summarize(report)
        if not options.show_passed and counts.count(Status.PASS, Status.SKIP):
            line = (
                f"not listed: {counts.count(Status.PASS)} passed and "
                f"{counts.count(Status.SKIP)} skipped result(s) "
                "(--show-passed lists them)"
            )
            stream.write("\n".join(wrap(line, width, 2)) + "\n")
        for note in report.notes:
            lines = wrap(terminal_line(note), width - len("note: "), MESSAGE_LINES)
            stream.write("note: " + ("\n      ".join(lines)) + "\n")


WRITER = TableWriter()
