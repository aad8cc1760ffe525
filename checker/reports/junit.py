"""JUnit XML for CI test reports (Jenkins, GitLab, Azure DevOps and junitparser).

One ``<testcase>`` per (rule, record): ``classname`` is the rule id and ``name`` the resource key
(the ARN, else the Terraform address), so no two test cases share a name (GitLab keeps only the
first of duplicates). One ``<testsuite>`` per account/region. Status mapping:

- fail: ``<failure type="SEVERITY">``; error: ``<error>``;
- skip: ``<skipped>``; waived, baseline and unknown (not decidable before apply): ``<skipped>``
  with a message saying why, since none of them fail the gate by default;
- pass: an empty test case.

The XML is written by hand so escaping is explicit: characters XML 1.0 cannot carry at all
(most C0 controls, such as ESC) are written as a visible ``\\xNN``, and CR, LF and TAB in
attributes as character references so a parser reads them back unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from checker.files.timestamps import format_timestamp
from checker.model import Report, Result, Status
from checker.reports.acceptance import acceptance_reason
from checker.reports.interface import RenderOptions

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TEXT = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_ATTR = {**_TEXT, '"': "&quot;", "\n": "&#10;", "\t": "&#9;"}
_TEXT_RE = re.compile("[&<>\r]")
_ATTR_RE = re.compile('[&<>"\r\n\t]')

SKIP_REASON = {
    Status.SKIP: "not applicable",
    Status.WAIVED: "waived",
    Status.BASELINE: "accepted in the baseline",
    Status.UNKNOWN: "unknown until apply",
}


def _escape_code(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _visible(text: str) -> str:
    return _NOT_XML.sub(_escape_code, text)


def xml_text(text: str) -> str:
    return _TEXT_RE.sub(lambda m: _TEXT[m.group()], _visible(text))


def xml_attr(text: str) -> str:
    return _ATTR_RE.sub(lambda m: _ATTR[m.group()], _visible(text))


def _attrs(pairs: Iterable[tuple[str, Any]]) -> str:
    return "".join(
        f' {name}="{xml_attr(str(value))}"' for name, value in pairs if value is not None
    )


def suite_name(result: Result) -> str:
    res = result.resource
    return f"{res.account or 'no-account'}/{res.region or 'no-region'}"


def _details(result: Result) -> str:
    res = result.resource
    lines = [
        f"Rule: {result.rule_id} {result.title}",
        f"Severity: {result.severity}",
        f"Status: {result.status.value}",
        f"Workforce: {res.name or '-'}",
        f"Resource: {res.key}",
        f"Account: {res.account or '-'}",
        f"Region: {res.region or '-'}",
        f"Source: {res.source}",
        f"Path: {result.path}",
        f"Message: {result.message}",
    ]
    lines += [f"Evidence {name}: {value}" for name, value in result.evidence]
    reason = acceptance_reason(result)
    if reason:
        lines.append(f"Reason: {reason}")
    lines.append(f"Remediation: {result.remediation}")
    return "\n".join(lines)


def _testcase(result: Result) -> str:
    head = "    <testcase" + _attrs(
        [("classname", result.rule_id), ("name", result.resource.key), ("time", "0")]
    )
    status = result.status
    if status is Status.PASS:
        return head + "/>"
    details = xml_text(_details(result))
    if status is Status.FAIL:
        body = (
            f"<failure{_attrs([('type', result.severity.upper()), ('message', result.message)])}>"
            f"{details}</failure>"
        )
    elif status is Status.ERROR:
        body = (
            f"<error{_attrs([('type', 'EvaluationError'), ('message', result.message)])}>"
            f"{details}</error>"
        )
    else:
        reason = acceptance_reason(result)
        message = (
            result.message
            if status is Status.SKIP
            else (f"{SKIP_REASON.get(status, status.value)}: {reason or result.message}")
        )
        body = f"<skipped{_attrs([('message', message)])}>{details}</skipped>"
    return f"{head}>\n      {body}\n    </testcase>"


def _counts(results: list[Result]) -> dict[str, int]:
    failures = sum(1 for r in results if r.status is Status.FAIL)
    errors = sum(1 for r in results if r.status is Status.ERROR)
    skipped = sum(1 for r in results if r.status not in (Status.PASS, Status.FAIL, Status.ERROR))
    return {"tests": len(results), "failures": failures, "errors": errors, "skipped": skipped}


def render_junit(report: Report) -> str:
    suites: dict[str, list[Result]] = {}
    for result in report.results:
        suites.setdefault(suite_name(result), []).append(result)
    stamp = format_timestamp(report.generated_at)
    total = _counts(list(report.results))
    total["tests"] += len(report.errors)
    total["errors"] += len(report.errors)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<testsuites"
        + _attrs(
            [
                ("name", "wfcheck"),
                ("tests", total["tests"]),
                ("failures", total["failures"]),
                ("errors", total["errors"]),
                ("time", "0"),
            ]
        )
        + ">",
    ]
    for name in sorted(suites):
        results = suites[name]
        counts = _counts(results)
        lines.append(
            "  <testsuite"
            + _attrs(
                [
                    ("name", name),
                    ("tests", counts["tests"]),
                    ("failures", counts["failures"]),
                    ("errors", counts["errors"]),
                    ("skipped", counts["skipped"]),
                    ("time", "0"),
                    ("timestamp", stamp),
                    ("package", "wfcheck"),
                ]
            )
            + ">"
        )
        lines.extend(_testcase(result) for result in results)
        lines.append("  </testsuite>")
    if report.errors:
        # Collection errors are not test results, but a CI reader must see them: one suite of
        # errored test cases, one per unit that could not be read.
        lines.append(
            "  <testsuite"
            + _attrs(
                [
                    ("name", "collection"),
                    ("tests", len(report.errors)),
                    ("failures", 0),
                    ("errors", len(report.errors)),
                    ("skipped", 0),
                    ("time", "0"),
                    ("timestamp", stamp),
                    ("package", "wfcheck"),
                ]
            )
            + ">"
        )
        for position, error in enumerate(report.errors, 1):
            where = "/".join(p for p in (error.account, error.region) if p) or error.source
            lines.append(
                "    <testcase"
                + _attrs(
                    [("classname", "collection"), ("name", f"{position}: {where}"), ("time", "0")]
                )
                + ">"
            )
            lines.append(
                f"      <error{_attrs([('type', error.code), ('message', error.message)])}>"
                f"{xml_text(f'{error.source}: {error.code}: {error.message}')}</error>"
            )
            lines.append("    </testcase>")
        lines.append("  </testsuite>")
    lines.append("</testsuites>")
    return "\n".join(lines) + "\n"


class JunitWriter:
    name = "junit"

    def render(self, report: Report, options: RenderOptions) -> str:
        return render_junit(report)


WRITER = JunitWriter()
