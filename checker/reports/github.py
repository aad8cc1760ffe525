"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` per finding.

GitHub turns these log lines into annotations on the run and the pull request. A record value
that reached the log raw could end the command early or start a new one (a newline followed by
``::add-mask::`` or ``::error::``), so values are escaped exactly as the Actions toolkit
(``@actions/core``, ``command.ts``) does: in the message ``%``, CR and LF; in properties also
``:`` and ``,``. ANSI escapes and other control characters are dropped first, since the log
viewer renders colours.

Severity to annotation level: critical and high -> ``error``; medium and low -> ``warning``;
info -> ``notice``. A rule that could not be evaluated (status ``error``) is always ``error``.
"""

from __future__ import annotations

from typing import TextIO

from checker.model import Result, Status
from checker.reports.escape import workflow_data, workflow_property
from checker.reports.interface import RenderOptions, ReportWriter
from checker.reports.table import summary_line
from checker.results import Report

LEVEL_BY_SEVERITY = {
    "critical": "error",
    "high": "error",
    "medium": "warning",
    "low": "warning",
    "info": "notice",
}
ANNOTATED = (Status.FAIL, Status.ERROR, Status.UNKNOWN)
NOT_A_FILE = ("aws", "stdin", "-")


def command(name: str, message: str, /, **properties: str) -> str:
    """One workflow command line, as ``issueCommand`` in @actions/core builds it."""
    props = ",".join(
        f"{key}={workflow_property(value)}" for key, value in properties.items() if value
    )
    return f"::{name}{' ' + props if props else ''}::{workflow_data(message)}"


def level_for(result: Result) -> str:
    if result.status is Status.ERROR:
        return "error"
    return LEVEL_BY_SEVERITY.get(result.severity, "warning")


def result_command(result: Result) -> str:
    res = result.resource
    where = "/".join(part for part in (res.account, res.region) if part)
    subject = res.name or res.address or res.key
    if res.address and res.address != subject:
        subject += f" ({res.address})"
    lines = [f"{subject}{f' ({where})' if where else ''}: {result.message}"]
    if result.status is not Status.FAIL:
        lines[0] = f"[{result.status.value}] {lines[0]}"
    if res.action:
        lines.append(f"Planned action: {res.action}")
    if result.remediation:
        lines.append(f"Fix: {result.remediation}")
    file = res.source if res.source_kind != "aws" and res.source not in NOT_A_FILE else ""
    line = ""
    location = res.location_for(result.path)
    if location is not None:
        file, line = location.file, str(location.line)
    return command(
        level_for(result),
        "\n".join(lines),
        file=file,
        line=line,
        title=f"{result.rule_id} ({result.severity}): {result.title}",
    )


class GithubWriter(ReportWriter):
    name = "github"

    def write(self, report: Report, stream: TextIO, options: RenderOptions) -> None:
        for result in report.results.findings():
            if result.status in ANNOTATED:
                stream.write(result_command(result) + "\n")
        for error in report.errors:
            where = "/".join(part for part in (error.account, error.region) if part)
            message = f"{error.code}: {error.message}"
            title = f"wfcheck could not read {where or error.source}"
            stream.write(command("error", message, title=title) + "\n")
        stream.write(summary_line(report) + "\n")


WRITER = GithubWriter()
