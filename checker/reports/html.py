"""The HTML report: one self-contained page a security reviewer can read, filter, print and file.

Rendered with jinja2 with autoescaping on, so every record value is escaped by the template
engine rather than by hand. The page loads nothing: CSS, JS and the chart (SVG) are inline, and
a Content-Security-Policy allows only that CSS and JS, by their SHA-256 hashes (computed from
the shipped files, so the output stays byte-identical for the same report).
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from functools import lru_cache
from importlib import resources
from typing import Any

from jinja2 import Environment, StrictUndefined, Template
from markupsafe import Markup

from checker.files.timestamps import format_timestamp
from checker.model import SEVERITIES, SEVERITY_RANK, Report, Result, Status, summarize
from checker.reports.escape import terminal_safe
from checker.reports.interface import RenderOptions

FAILING = (Status.FAIL, Status.ERROR, Status.UNKNOWN)
ACCEPTED = (Status.WAIVED, Status.BASELINE)
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


def _text(value: str | None, *, multiline: bool = False) -> str:
    """Record text without escapes, control or bidi characters (jinja escapes the rest)."""
    if not value:
        return "-"
    return terminal_safe(value.replace("\r\n", "\n"), keep_newlines=multiline)


def _finding(result: Result) -> dict[str, Any]:
    res = result.resource
    return {
        "severity": result.severity,
        "rule_id": _text(result.rule_id),
        "title": _text(result.title),
        "status": result.status.value,
        "name": _text(res.name or res.address or res.key),
        "where": " / ".join(_text(part) for part in (res.account, res.region)),
        "key": _text(res.key),
        "source": _text(res.source) if res.source else "",
        "message": _text(result.message, multiline=True),
        "evidence": [
            (_text(name), _text(value, multiline=True)) for name, value in result.evidence
        ],
        "path": _text(result.path) if result.path else "",
        "remediation": _text(result.remediation, multiline=True) if result.remediation else "",
    }


def _chart(report: Report) -> dict[str, Any]:
    counts = Counter(r.severity for r in report.results if r.status in FAILING)
    top = max(counts.values(), default=0)
    left, track = 80, 320
    bars = [
        {
            "severity": severity,
            "count": counts.get(severity, 0),
            "y": 4 + index * 28,
            "width": round(track * counts.get(severity, 0) / top) if top else 0,
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


def _breakdown(report: Report) -> list[dict[str, Any]]:
    cells: dict[tuple[str, str], dict[str, Any]] = {}

    def cell(account: str | None, region: str | None) -> dict[str, Any]:
        key = (_text(account), _text(region))
        if key not in cells:
            cells[key] = {
                "account": key[0],
                "region": key[1],
                "keys": set(),
                "failing": Counter(),
                "accepted": 0,
                "errors": 0,
            }
        return cells[key]

    for result in report.results:
        entry = cell(result.resource.account, result.resource.region)
        entry["keys"].add(result.resource.key)
        if result.status in FAILING:
            entry["failing"][result.severity] += 1
        elif result.status in ACCEPTED:
            entry["accepted"] += 1
    for error in report.errors:
        cell(error.account, error.region)["errors"] += 1
    return [
        {
            "account": entry["account"],
            "region": entry["region"],
            "workforces": len(entry["keys"]),
            "failing": [entry["failing"].get(sev, 0) for sev in reversed(SEVERITIES)],
            "accepted": entry["accepted"],
            "errors": entry["errors"],
        }
        for _, entry in sorted(cells.items())
    ]


def render_html(report: Report, options: RenderOptions) -> str:
    template, css, js, csp = _page()
    counts = summarize(report)
    failing = sum(1 for r in report.results if r.status in FAILING)
    shown = [r for r in report.results if options.show_passed or r.status is not Status.PASS]
    order = {id(r): i for i, r in enumerate(shown)}
    shown.sort(
        key=lambda r: (_STATUS_ORDER[r.status], -SEVERITY_RANK.get(r.severity, 0), order[id(r)])
    )
    findings = [_finding(r) for r in shown]
    rule_titles = {f["rule_id"]: f["title"] for f in findings}
    places = [(r.resource.account, r.resource.region) for r in report.results]
    places += [(e.account, e.region) for e in report.errors]
    places += [(u.account, u.region) for u in report.units]
    return template.render(
        csp=csp,
        css=Markup(css),  # noqa: S704 - our own shipped file, allowed by its hash in the CSP
        js=Markup(js),  # noqa: S704 - idem
        tool_version=_text(report.tool_version),
        generated_at=format_timestamp(report.generated_at),
        verdict=(f"{failing} failing result(s)" if failing else "no failing results"),
        failing=failing,
        records=report.records,
        rule_count=len(report.rules),
        accounts=sorted({_text(a) for a, _ in places if a}),
        regions=sorted({_text(r) for _, r in places if r}),
        sources=[_text(s) for s in report.sources],
        policies=[_text(p) for p in report.policies],
        notes=[_text(n) for n in report.notes],
        chart=_chart(report),
        statuses=[(s.value, counts[s.value]) for s in Status],
        severities=list(reversed(SEVERITIES)),
        breakdown=_breakdown(report),
        findings=findings,
        findings_scope=(
            "All results, passed ones included."
            if options.show_passed
            else "Every result that did not pass (passed results are counted above; "
            "use --show-passed to list them)."
        ),
        filter_severities=[
            s for s in reversed(SEVERITIES) if any(f["severity"] == s for f in findings)
        ],
        filter_rules=sorted(rule_titles.items()),
        filter_statuses=[
            s.value for s in _STATUS_ORDER if any(f["status"] == s.value for f in findings)
        ],
        errors=[
            {
                "source": _text(e.source),
                "account": _text(e.account),
                "region": _text(e.region),
                "code": _text(e.code),
                "message": _text(e.message, multiline=True),
            }
            for e in report.errors
        ],
        incomplete_units=[
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
    )


class HtmlWriter:
    name = "html"

    def render(self, report: Report, options: RenderOptions) -> str:
        return render_html(report, options)


WRITER = HtmlWriter()
