"""JUnit XML for CI test reports (Jenkins, GitLab, Azure DevOps and junitparser).

One ``<testcase>`` per (rule, record): ``classname`` is the rule id and ``name`` the resource key
(the ARN, else the Terraform address), so no two test cases share a name (GitLab keeps only the
first of duplicates). One ``<testsuite>`` per account/region, in report order. Status mapping:

- fail: ``<failure type="SEVERITY">``; error: ``<error>``;
- skip (not applicable, not evaluated): ``<skipped message="..."/>``, the message saying why and
  nothing more: there is nothing to remediate, and the details of the record would repeat once
  per rule (most of a findings-heavy estate's report);
- waived, baseline and unknown (not decidable before apply): ``<skipped>`` with a message saying
  why and the details, since none of them fail the gate by default but each may need a look;
- pass: an empty test case.

The XML is written by hand so escaping is explicit (:func:`checker.reports.escape.xml_text` and
:func:`~checker.reports.escape.xml_attr`): every value is one line without control characters,
so CI logs that print the text never see a line wfcheck did not write (such as ``::error::``),
and characters XML 1.0 cannot carry are written as a visible ``\\uXXXX``.

The document streams. Records are in report order, so each account/region is a contiguous run
of rows: its counts are taken from the verdict indexes, then its test cases are written, each
part (rule, verdict, record) escaped once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from checker.files.timestamps import format_timestamp
from checker.model import Resource, RuleInfo, Status, Verdict
from checker.reports.acceptance import acceptance_details, acceptance_text
from checker.reports.escape import xml_attr, xml_text
from checker.reports.interface import RenderOptions, ReportWriter
from checker.results import Report, row_key

SKIP_REASON = {
    Status.WAIVED: "waived",
    Status.BASELINE: "accepted in the baseline",
    Status.UNKNOWN: "unknown until apply",
}
SKIPPED = frozenset({Status.SKIP, Status.WAIVED, Status.BASELINE, Status.UNKNOWN})


def _attrs(pairs: Iterable[tuple[str, Any]]) -> str:
    return "".join(
        f' {name}="{xml_attr(str(value))}"' for name, value in pairs if value is not None
    )


def suite_key(res: Resource) -> tuple[str, str]:
    return (res.account or "", res.region or "")


def suite_name(res: Resource) -> str:
    account, region = suite_key(res)
    return f"{account or 'no-account'}/{region or 'no-region'}"


def _lines(pairs: Iterable[tuple[str, str]]) -> str:
    return "".join(f"\n{label}: {xml_text(value)}" for label, value in pairs)


class _Repeated:
    """Escaped text of values that repeat across records (account, region, source), kept up
    to a bound so a one-off value never makes it grow."""

    def __init__(self, limit: int = 4096) -> None:
        self.kept: dict[str, str] = {}
        self.limit = limit

    def __call__(self, value: str) -> str:
        found = self.kept.get(value)
        if found is None:
            found = xml_text(value)
            if len(self.kept) < self.limit:
                self.kept[value] = found
        return found


def _record_details(res: Resource, repeated: Callable[[str], str] = xml_text) -> str:
    """A record's detail lines; ``repeated`` escapes the values many records share."""
    text = (
        f"\nWorkforce: {xml_text(res.name or '-')}\nResource: {xml_text(res.key)}"
        f"\nAccount: {repeated(res.account or '-')}\nRegion: {repeated(res.region or '-')}"
        f"\nSource: {repeated(res.source)}"
    )
    if res.address:
        text += f"\nAddress: {xml_text(res.address)}"
    if res.location is not None:
        text += f"\nLocation: {xml_text(f'{res.location.file}:{res.location.line}')}"
    if res.action:
        text += f"\nPlanned action: {xml_text(res.action)}"
    return text


class _Case:
    """A verdict of one rule as the end of a test case (after its name), cut where the
    record's details go when it has them."""

    def __init__(self, verdict: Verdict, info: RuleInfo) -> None:
        status, message, path, evidence, annotation = verdict
        self.detailed = False
        self.after = ""
        if status is Status.PASS:
            self.before = "/>"
            return
        if status is Status.SKIP:
            self.before = f">\n      <skipped{_attrs([('message', message)])}/>\n    </testcase>"
            return
        self.detailed = True
        if status is Status.FAIL:
            tag = "failure"
            attrs = _attrs([("type", info.severity.upper()), ("message", message)])
        elif status is Status.ERROR:
            tag = "error"
            attrs = _attrs([("type", "EvaluationError"), ("message", message)])
        else:
            tag = "skipped"
            reason = acceptance_text(annotation) or message
            attrs = _attrs([("message", f"{SKIP_REASON[status]}: {reason}")])
        head = _lines(
            [
                ("Rule", f"{info.id} {info.title}"),
                ("Severity", info.severity),
                ("Status", status.value),
            ]
        )
        pairs = [("Path", path), ("Message", message)]
        pairs += [(f"Evidence {name}", value) for name, value in evidence]
        pairs += [(label.capitalize(), value) for label, value in acceptance_details(annotation)]
        if info.remediation:
            pairs.append(("Remediation", info.remediation))
        # The first detail line follows the opening tag directly (no leading line break).
        self.before = f">\n      <{tag}{attrs}>{head[1:]}"
        self.after = f"{_lines(pairs)}</{tag}>\n    </testcase>"


ROW_TEMPLATES = 4096
"""Distinct rows (verdict per rule) whose text is kept; estates repeat a few configurations."""


@dataclass(frozen=True, slots=True)
class _Template:
    """A distinct row's text in pieces: every fourth piece from the second is the record's
    name attribute, every fourth from the fourth its details (when the test case has a body)
    or nothing; the rest is text escaped once. A record's text is the pieces with those slots
    filled, joined (no search through the text per record)."""

    counts: tuple[int, int, int, int]  # tests, failures, errors, skipped
    pieces: list[str]
    bodies: tuple[bool, ...]  # per test case: whether it has a body (takes the details)
    detailed: bool  # whether any has

    def fill(self, name: str, details: str) -> str:
        pieces = self.pieces
        pieces[1::4] = [name] * len(self.bodies)
        pieces[3::4] = [details if body else "" for body in self.bodies]
        return "".join(pieces)


class _Rows:
    """What a record's row (its verdict per rule) writes, built once per distinct row."""

    def __init__(self, report: Report, stamp: str) -> None:
        store = report.results
        self.store = store
        self.stamp = xml_attr(stamp)
        self.repeated = _Repeated()
        self.rule_attrs = [_attrs([("classname", info.id)]) for info in store.rules]
        self.cases: dict[tuple[int, int], _Case] = {}
        self.rows: dict[bytes, _Template] = {}

    def of(self, row: Any) -> _Template:
        key = row_key(row)
        found = self.rows.get(key)
        if found is None:
            found = self._build(row)
            if len(self.rows) < ROW_TEMPLATES:  # a rare row past the cap is not kept
                self.rows[key] = found
        return found

    def _build(self, row: Any) -> _Template:
        verdicts, rules = self.store.verdicts, self.store.rules
        counts = [0, 0, 0, 0]
        pieces = [""]
        bodies = []
        for position, index in enumerate(row):
            if index >= len(verdicts):  # ABSENT: this rule was not evaluated on this record
                continue
            status = verdicts[index][0]
            counts[0] += 1
            counts[1] += status is Status.FAIL
            counts[2] += status is Status.ERROR
            counts[3] += status in SKIPPED
            case = self.cases.get((index, position))
            if case is None:
                case = self.cases[(index, position)] = _Case(verdicts[index], rules[position])
            pieces[-1] += "    <testcase" + self.rule_attrs[position]
            pieces += ["", case.before, "", f"{case.after}\n"]
            bodies.append(case.detailed)
        counted = (counts[0], counts[1], counts[2], counts[3])
        return _Template(counted, pieces, tuple(bodies), any(bodies))


class JunitWriter(ReportWriter):
    name = "junit"

    def write(self, report: Report, stream: TextIO, options: RenderOptions) -> None:
        store = report.results
        stamp = format_timestamp(report.generated_at)
        tests = len(store) + len(report.errors)
        failures = store.count([Status.FAIL])
        errors = store.count([Status.ERROR]) + len(report.errors)
        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        stream.write(
            "<testsuites"
            + _attrs(
                [
                    ("name", "wfcheck"),
                    ("tests", tests),
                    ("failures", failures),
                    ("errors", errors),
                    ("time", "0"),
                ]
            )
            + ">\n"
        )
        order = store.order()
        rows = _Rows(report, stamp)
        start = 0
        while start < len(order):
            key = suite_key(store.resources[order[start]])
            end = start + 1
            while end < len(order) and suite_key(store.resources[order[end]]) == key:
                end += 1
            self._suite(report, stream, order[start:end], rows)
            start = end
        if report.errors:
            self._collection(report, stream, stamp)
        stream.write("</testsuites>\n")

    def _suite(self, report: Report, stream: TextIO, records: Any, rows: _Rows) -> None:
        """One account/region: counts first (from each record's row), then its test cases."""
        store = report.results
        width, cells = store.width, store.cells
        totals = [0, 0, 0, 0]
        for record in records:
            for n, count in enumerate(rows.of(cells[record * width : (record + 1) * width]).counts):
                totals[n] += count
        first = store.resources[records[0]]
        stream.write(
            f'  <testsuite name="{xml_attr(suite_name(first))}" tests="{totals[0]}" '
            f'failures="{totals[1]}" errors="{totals[2]}" skipped="{totals[3]}" time="0" '
            f'timestamp="{rows.stamp}" package="wfcheck">\n'
        )
        for record in records:
            template = rows.of(cells[record * width : (record + 1) * width])
            res = store.resources[record]
            details = _record_details(res, rows.repeated) if template.detailed else ""
            stream.write(template.fill(f' name="{xml_attr(res.key)}" time="0"', details))
        stream.write("  </testsuite>\n")

    def _collection(self, report: Report, stream: TextIO, stamp: str) -> None:
        """Collection errors are not test results, but a CI reader must see them: one suite
        of errored test cases, one per unit that could not be read."""
        count = len(report.errors)
        stream.write(
            "  <testsuite"
            + _attrs(
                [
                    ("name", "collection"),
                    ("tests", count),
                    ("failures", 0),
                    ("errors", count),
                    ("skipped", 0),
                    ("time", "0"),
                    ("timestamp", stamp),
                    ("package", "wfcheck"),
                ]
            )
            + ">\n"
        )
        for position, error in enumerate(report.errors, 1):
            where = "/".join(p for p in (error.account, error.region) if p) or error.source
            name = f"{position}: {where}"
            stream.write(
                "    <testcase"
                + _attrs([("classname", "collection"), ("name", name), ("time", "0")])
                + ">\n"
                + f"      <error{_attrs([('type', error.code), ('message', error.message)])}>"
                + f"{xml_text(f'{error.source}: {error.code}: {error.message}')}</error>\n"
                + "    </testcase>\n"
            )
        stream.write("  </testsuite>\n")


WRITER = JunitWriter()
