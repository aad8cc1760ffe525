"""The HTML report: one self-contained page a security reviewer can read, filter, print and file.

It leads with the findings, failing ones first and then accepted ones with why they are
accepted (waiver reason, owner, expiry, ticket); every finding is shown in full. Passed and
skipped results are counted per rule (the Rules section, which also says how to fix each rule
once) and listed only with ``--show-passed``. The page stays usable with 100,000 records: the
findings table is the only large part, the account/region breakdown and the scope lists are
capped, and the filter script walks the rows once per change.

Rendered with jinja2 with autoescaping on, so every record value is escaped by the template
engine rather than by hand; the template streams (``Template.generate``) while findings are
read one at a time. The page loads nothing: CSS, JS and the chart (SVG) are inline, and a
Content-Security-Policy allows only that CSS and JS, by their SHA-256 hashes (computed from
the shipped files, so the output stays byte-identical for the same report).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from importlib import resources
from itertools import islice
from typing import Any, TextIO

from jinja2 import Environment, StrictUndefined, Template
from markupsafe import Markup

from checker.files.timestamps import format_timestamp
from checker.model import (
    ACCEPTED_STATUSES,
    FAILING_STATUSES,
    SEVERITIES,
    SEVERITY_RANK,
    Resource,
    Result,
    RuleInfo,
    Status,
)
from checker.reports.acceptance import acceptance_details
from checker.reports.escape import html_text, json_text
from checker.reports.interface import RECORDS_KEPT, RenderOptions, ReportWriter
from checker.reports.json import encode
from checker.results import Report, Summary, row_key, rule_tally, summarize

_STATUS_ORDER = {
    s: i
    for i, s in enumerate(
        (
            Status.FAIL,
            Status.ERROR,
            Status.UNKNOWN,
            Status.WAIVED,
            Status.BASELINE,
            Status.SKIP,
            Status.PASS,
        )
    )
}
SEVERITY_COLORS = {
    "critical": "#7a0916",
    "high": "#c4232e",
    "medium": "#b35c00",
    "low": "#1f6fb2",
    "info": "#5f6b7a",
}
PAGE_ROWS = 2000
"""Findings rendered as rows; the rest are data the page's script shows a page at a time (so
a report of 100,000 workforces opens in seconds). Every finding is in the page."""
MAX_PLACES = 50
"""Accounts and regions named in the scope; the rest are counted."""
MAX_BREAKDOWN = 500
"""Account/region rows in the breakdown; beyond that only pairs with findings, then a count."""
ROW_TALLIES = 4096
"""Distinct rows of verdicts whose counts the breakdown keeps; estates repeat a few."""


def _asset(name: str) -> str:
    return (resources.files("checker.reports") / "templates" / name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


@lru_cache(maxsize=1)
def _page() -> tuple[Template, str, str, str]:
    """The template, the inline CSS and JS, and the policy that allows exactly those two."""
    env = Environment(
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    template = env.from_string(_asset("report.html.j2"))
    css, js = _asset("report.css"), _asset("report.js")
    csp = (
        f"default-src 'none'; style-src '{_sha256(css)}'; script-src '{_sha256(js)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    return template, css, js, csp


_text = html_text


def _configuration(record: Any) -> dict[str, Any] | None:
    """The options the run used and where each came from (``checker.cli.provenance``)."""
    if not isinstance(record, dict):
        return None
    options = record.get("options") or {}
    rows = [
        (
            _text(str(key)),
            _text(json.dumps(item.get("value"), ensure_ascii=False)),
            _text(str(item.get("origin"))),
        )
        for key, item in sorted(options.items())
    ]
    found = record.get("file")
    return {
        "file": _text(found) if found else "",
        "found": _text(record.get("found") or ""),
        "options": rows,
    }


def _anchor(rule_id: str) -> str:
    """A fragment id for a rule (ids are free text: keep letters, digits, ``-`` and ``_``)."""
    return "rule-" + "".join(c if c.isalnum() or c in "-_" else "_" for c in rule_id)


def _finding(result: Result) -> dict[str, Any]:
    """A finding's fields for the page (``DATA_FIELDS``, by name)."""
    return {**_rule_fields(result), **_record_fields(result.resource), **_verdict_fields(result)}


def _rule_fields(result: Result) -> dict[str, Any]:
    return {
        "severity": result.severity,
        "rule_id": _text(result.rule_id),
        "anchor": _anchor(result.rule_id),
        "title": _text(result.title),
        "status": result.status.value,
    }


def _record_fields(res: Resource) -> dict[str, Any]:
    where = []
    if res.address and res.address != res.name:
        where.append(_text(res.address))
    if res.location is not None:
        where.append(_text(f"{res.location.file}:{res.location.line}"))
    return {
        "name": _text(res.name or res.address or res.key),
        "where": f"{_text(res.account)} / {_text(res.region)}",
        "key": _text(res.key),
        "resource": ", ".join(where),
        "action": _text(res.action) if res.action else "",
        "source": _text(res.source) if res.source else "",
    }


def _verdict_fields(result: Result) -> dict[str, Any]:
    return {
        "message": _text(result.message, multiline=True),
        "evidence": [
            (_text(name), _text(value, multiline=True)) for name, value in result.evidence
        ],
        "path": _text(result.path) if result.path else "",
        "accepted": [
            (_text(label), _text(value)) for label, value in acceptance_details(result.annotation)
        ],
    }


def _chart(failing: dict[str, int]) -> dict[str, Any]:
    top = max(failing.values(), default=0)
    left, track = 80, 320
    bars = [
        {
            "severity": severity,
            "count": failing.get(severity, 0),
            "y": 4 + index * 28,
            "width": round(track * failing.get(severity, 0) / top) if top else 0,
            "color": SEVERITY_COLORS[severity],
        }
        for index, severity in enumerate(reversed(SEVERITIES))
    ]
    return {
        "bars": bars,
        "left": left,
        "track": track,
        "width": left + track + 60,
        "height": 8 + 28 * len(bars),
    }


def _has_findings(row: dict[str, Any]) -> bool:
    return bool(sum(row["failing"]) or row["accepted"] or row["errors"])


def _row_tally(report: Report) -> Callable[[Sequence[int]], tuple[tuple[int, ...], int]]:
    """Failing results per severity (most severe first) and accepted results in one record's
    row of verdicts; each distinct row (estates repeat a few) is counted once."""
    store = report.results
    severity_of = [len(SEVERITIES) - 1 - SEVERITY_RANK[info.severity] for info in store.rules]
    kind = [
        "failing" if v[0] in FAILING_STATUSES else "accepted" if v[0] in ACCEPTED_STATUSES else ""
        for v in store.verdicts
    ]
    absent = len(store.verdicts)
    counted: dict[bytes, tuple[tuple[int, ...], int]] = {}

    def tally(cells: Sequence[int]) -> tuple[tuple[int, ...], int]:
        row = row_key(cells)
        found = counted.get(row)
        if found is None:
            failing, accepted = [0] * len(SEVERITIES), 0
            for position, index in enumerate(cells):
                if index < absent and kind[index] == "failing":
                    failing[severity_of[position]] += 1
                elif index < absent and kind[index]:
                    accepted += 1
            found = (tuple(failing), accepted)
            if len(counted) < ROW_TALLIES:
                counted[row] = found
        return found

    return tally


def _breakdown(report: Report) -> tuple[list[dict[str, Any]], str]:
    """Rows per account/region (workforces, failing per severity, accepted, errors) and a
    note on what was left out. Records are in report order, so each pair is a contiguous run:
    one pass, keeping at most :data:`MAX_BREAKDOWN` rows (past that, only pairs with
    findings or errors)."""
    errors: dict[tuple[str, str], int] = {}
    for error in report.errors:
        where = (_text(error.account), _text(error.region))
        errors[where] = errors.get(where, 0) + 1
    rows: list[dict[str, Any]] = []
    pairs = 0
    overflow = False

    def keep(key: tuple[str, str], workforces: int, failing: list[int], accepted: int) -> None:
        nonlocal rows, overflow, pairs
        pairs += 1
        row = {
            "account": key[0],
            "region": key[1],
            "workforces": workforces,
            "failing": failing,
            "accepted": accepted,
            "errors": errors.pop(key, 0),
        }
        if not overflow and len(rows) < MAX_BREAKDOWN:
            rows.append(row)
            return
        if not overflow:
            overflow = True
            rows = [kept for kept in rows if _has_findings(kept)]
        if _has_findings(row) and len(rows) < MAX_BREAKDOWN:
            rows.append(row)

    tally = _row_tally(report)
    raw: tuple[str | None, str | None] | None = None
    key: tuple[str, str] | None = None
    workforces, failing, accepted = 0, [0] * len(SEVERITIES), 0
    for _, res, cells in report.results.rows():
        if raw != (res.account, res.region):
            raw = (res.account, res.region)
            place = (_text(res.account), _text(res.region))
            if place != key:
                if key is not None:
                    keep(key, workforces, failing, accepted)
                key, workforces, failing, accepted = place, 0, [0] * len(SEVERITIES), 0
        workforces += 1
        row_failing, row_accepted = tally(cells)
        if row_accepted or any(row_failing):
            failing = [a + b for a, b in zip(failing, row_failing, strict=True)]
            accepted += row_accepted
    if key is not None:
        keep(key, workforces, failing, accepted)
    for place, _ in sorted(errors.items()):  # pairs that only have collection errors
        keep(place, 0, [0] * len(SEVERITIES), 0)
    rows.sort(key=lambda row: (row["account"], row["region"]))
    note = ""
    if overflow:
        note = (
            f"{pairs} account/region pairs: {len(rows)} with findings or collection errors "
            f"are shown (at most {MAX_BREAKDOWN}); the JSON and CSV reports cover every pair."
        )
    return rows, note


def _places(values: set[str]) -> tuple[list[str], int]:
    ordered = sorted(values)
    return ordered[:MAX_PLACES], len(ordered)


def _rules(report: Report) -> list[dict[str, Any]]:
    """Per rule: its text once (description, remediation, references) and counts by status."""
    rows = []
    for info, tally in rule_tally(report):
        rows.append(_rule_row(info, tally))
    rows.sort(key=lambda row: (-row["problems"], -SEVERITY_RANK[row["severity"]]))
    return rows


def _rule_row(info: RuleInfo, tally: dict[Status, int]) -> dict[str, Any]:
    failing = sum(tally.get(status, 0) for status in FAILING_STATUSES)
    accepted = sum(tally.get(status, 0) for status in ACCEPTED_STATUSES)
    return {
        "id": _text(info.id),
        "anchor": _anchor(info.id),
        "title": _text(info.title),
        "severity": info.severity,
        "description": _text(info.description, multiline=True) if info.description else "",
        "remediation": _text(info.remediation, multiline=True) if info.remediation else "",
        "references": [_text(ref) for ref in info.references],
        "counts": [tally.get(status, 0) for status in _STATUS_ORDER],
        "problems": failing + accepted,
        "failing": failing,
    }


def _findings(report: Report) -> Iterator[tuple[int, int, int]]:
    """Where each finding is, in the page's order: by status, then most severe first."""

    def order(result: Result) -> int:
        rank = _STATUS_ORDER[result.status] * len(SEVERITIES)
        return rank + len(SEVERITIES) - 1 - SEVERITY_RANK[result.severity]

    return report.results.places(group=order)


def _page_rows(report: Report, places: Iterator[tuple[int, int, int]]) -> Iterator[dict[str, Any]]:
    for record, position, _ in places:
        result = report.results.result(record, position)
        assert result is not None
        yield _finding(result)


DATA_FIELDS = (
    "severity",
    "rule_id",
    "anchor",
    "title",
    "status",
    "name",
    "where",
    "key",
    "resource",
    "action",
    "source",
    "message",
    "evidence",
    "path",
    "accepted",
)
"""A finding in the page's data block, in the order ``report.js`` reads it: the rule's and
status's fields, the record's, then the verdict's."""
RULE_FIELDS, RECORD_FIELDS, VERDICT_FIELDS = DATA_FIELDS[:5], DATA_FIELDS[5:11], DATA_FIELDS[11:]

DATA_CHUNK = 256
"""Findings joined into one piece of the data block: the template handles a piece, not each."""
_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def _encoded(fields: dict[str, Any], names: tuple[str, ...]) -> str:
    """The fields' values as the members of a JSON array (no brackets), safe in a ``<script>``
    block."""
    text = encode([fields[name] for name in names])[1:-1]
    if "<" in text or ">" in text or "&" in text:
        text = "".join(_SCRIPT_UNSAFE.get(char, char) for char in text)
    return json_text(text)


def _data(report: Report, places: Iterator[tuple[int, int, int]]) -> Iterator[Markup]:
    """The findings past the first page, as JSON for a ``<script type="application/json">``
    block: never executed, and with ``<``, ``>`` and ``&`` escaped no value can end the block.
    Each record's and each distinct verdict's part is encoded once (records: up to
    :data:`RECORDS_KEPT`). Findings go to the template :data:`DATA_CHUNK` at a time."""
    store = report.results
    verdicts: dict[int, tuple[str, str]] = {}
    records: dict[int, str] = {}
    chunk: list[str] = []
    separator = ""
    for record, position, index in places:
        key = index * store.width + position
        parts = verdicts.get(key)
        result: Result | None = None
        if parts is None:
            result = store.result(record, position)
            assert result is not None
            parts = verdicts[key] = (
                _encoded(_rule_fields(result), RULE_FIELDS),
                _encoded(_verdict_fields(result), VERDICT_FIELDS),
            )
        middle = records.get(record)
        if middle is None:
            middle = _encoded(_record_fields(store.resources[record]), RECORD_FIELDS)
            if len(records) < RECORDS_KEPT:
                records[record] = middle
        chunk.append(f"[{parts[0]}, {middle}, {parts[1]}]")
        if len(chunk) >= DATA_CHUNK:
            yield Markup(separator + ",".join(chunk))  # noqa: S704 - escaped JSON
            chunk, separator = [], ","
    if chunk:
        yield Markup(separator + ",".join(chunk))  # noqa: S704 - escaped JSON


def _passed(report: Report) -> Iterator[dict[str, Any]]:
    for result in report.results:
        if not result.status.is_finding:
            yield _finding(result)


def write_html(report: Report, stream: TextIO, options: RenderOptions) -> None:
    template, css, js, csp = _page()
    counts = summarize(report)
    context = {
        "csp": csp,
        "css": Markup(css),  # noqa: S704 - our own shipped file, allowed by its hash in the CSP
        "js": Markup(js),  # noqa: S704 - idem
        **_scope(report, counts),
        **_results(report, counts, options),
        "errors": [
            {
                "source": _text(e.source),
                "account": _text(e.account),
                "region": _text(e.region),
                "code": _text(e.code),
                "message": _text(e.message, multiline=True),
            }
            for e in report.errors
        ],
        "incomplete_units": [
            {
                "source": _text(u.source),
                "account": _text(u.account),
                "region": _text(u.region),
                "status": _text(u.status),
                "records": u.records,
                "note": _text(u.note),
            }
            for u in report.units
            if u.status != "ok"
        ],
    }
    for chunk in template.generate(**context):
        stream.write(chunk)


def _scope(report: Report, counts: Summary) -> dict[str, Any]:
    """The verdict and what the run covered: tool, time, records, places, inputs, options."""
    failing = counts.failing
    return {
        "tool_version": _text(report.tool_version),
        "generated_at": format_timestamp(report.generated_at),
        "verdict": (f"{failing} failing result(s)" if failing else "no failing results"),
        "failing": failing,
        "records": report.records,
        "rule_count": len(report.rules),
        "accounts": _places({_text(account) for account in counts.accounts}),
        "regions": _places({_text(region) for region in counts.regions}),
        "sources": [_text(s) for s in report.sources],
        "policies": [_text(p) for p in report.policies],
        "notes": [_text(n) for n in report.notes],
        "configuration": _configuration(report.extra.get("configuration")),
        "chart": _chart(dict(counts.failing_by_severity)),
        "statuses": [(s.value, counts.count(s)) for s in Status],
        "status_order": [s.value for s in _STATUS_ORDER],
        "severities": list(reversed(SEVERITIES)),
    }


def _results(report: Report, counts: Summary, options: RenderOptions) -> dict[str, Any]:
    """The breakdown, the rules, the findings (first page as rows, the rest as data) and the
    filters over them."""
    breakdown, breakdown_note = _breakdown(report)
    rules = _rules(report)
    findings = _findings(report)  # the first page is rendered, the rest is data
    listed = sum(counts.count(status) for status in Status if status.is_finding)
    passed = counts.count(Status.PASS, Status.SKIP)
    finding_severities = {
        info.severity
        for info, tally in rule_tally(report)
        if any(count for status, count in tally.items() if status.is_finding)
    }
    return {
        "breakdown": breakdown,
        "breakdown_note": breakdown_note,
        "rules": rules,
        "findings": _page_rows(report, islice(findings, PAGE_ROWS)),
        "findings_count": listed,
        "more_count": max(listed - PAGE_ROWS, 0),
        "more_findings": _data(report, findings),
        "findings_scope": (
            "Every result that did not pass or skip: failing first, then accepted ones "
            f"(waived or in the baseline). {passed} passed or skipped result(s) are counted "
            "in Rules"
            + ("" if options.show_passed else "; use --show-passed to list them too")
            + "."
        ),
        "passed": _passed(report) if options.show_passed else iter(()),
        "passed_count": passed if options.show_passed else 0,
        "filter_severities": [s for s in reversed(SEVERITIES) if s in finding_severities],
        "filter_rules": [
            (row["id"], row["title"])
            for row in sorted(rules, key=lambda row: row["id"])
            if row["problems"]
        ],
        "filter_statuses": [s.value for s in _STATUS_ORDER if s.is_finding and counts.count(s)],
    }


class HtmlWriter(ReportWriter):
    name = "html"

    def write(self, report: Report, stream: TextIO, options: RenderOptions) -> None:
        write_html(report, stream, options)


WRITER = HtmlWriter()
