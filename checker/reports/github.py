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

from dataclasses import dataclass
from typing import TextIO

from checker.model import Resource, RuleInfo, Status
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


def _level(status: Status, severity: str) -> str:
    return "error" if status is Status.ERROR else LEVEL_BY_SEVERITY.get(severity, "warning")


def _plain(text: str) -> bool:
    """True when ``text`` is its own terminal-safe form (then escaping it is only ``%``)."""
    return text.isascii() and text.isprintable()


def _data(*parts: str) -> str:
    """``workflow_data`` of the parts joined, escaping each plain part on its own (the same
    text: a printable ASCII part needs only its ``%`` encoded)."""
    if all(_plain(part) for part in parts):
        return "".join(parts).replace("%", "%25")
    return workflow_data("".join(parts))


@dataclass(frozen=True, slots=True)
class _RecordParts:
    """What a record's annotations share: the subject line's start, the planned action line
    and the file of the record's source."""

    subject: str
    action: str
    resource: Resource

    @classmethod
    def of(cls, res: Resource) -> _RecordParts:
        where = "/".join(part for part in (res.account, res.region) if part)
        subject = res.name or res.address or res.key
        if res.address and res.address != subject:
            subject += f" ({res.address})"
        action = "%0A" + _data(f"Planned action: {res.action}") if res.action else ""
        return cls(f"{subject}{f' ({where})' if where else ''}: ", action, res)

    def file_line(self, path: str) -> str:
        """The ``file`` and ``line`` properties for a result at ``path`` (may be empty)."""
        res = self.resource
        file = res.source if res.source_kind != "aws" and res.source not in NOT_A_FILE else ""
        line = ""
        location = res.location_for(path)
        if location is not None:
            file, line = location.file, str(location.line)
        props = [
            f"{key}={workflow_property(value)}"
            for key, value in (("file", file), ("line", line))
            if value
        ]
        return ",".join(props)


@dataclass(frozen=True, slots=True)
class _VerdictParts:
    """What every annotation of one rule's verdict shares."""

    level: str
    prefix: str
    message: str
    path: str
    fix: str
    title: str

    @classmethod
    def of(cls, info: RuleInfo, status: Status, message: str, path: str) -> _VerdictParts:
        return cls(
            level=_level(status, info.severity),
            prefix="" if status is Status.FAIL else f"[{status.value}] ",
            message=message,
            path=path,
            fix="%0A" + _data(f"Fix: {info.remediation}") if info.remediation else "",
            title="title=" + workflow_property(f"{info.id} ({info.severity}): {info.title}"),
        )


def _command(record: _RecordParts, verdict: _VerdictParts) -> str:
    where = record.file_line(verdict.path)
    props = f"{where},{verdict.title}" if where else verdict.title
    text = _data(verdict.prefix, record.subject, verdict.message)
    return f"::{verdict.level} {props}::{text}{record.action}{verdict.fix}"


class GithubWriter(ReportWriter):
    """An annotation per finding, from parts made once per record and per distinct verdict."""

    name = "github"

    def write(self, report: Report, stream: TextIO, options: RenderOptions) -> None:
        store = report.results
        verdicts: dict[int, _VerdictParts | None] = {}
        record = -1
        parts: _RecordParts | None = None
        for number, position, index in store.places():
            key = index * store.width + position
            if key not in verdicts:
                status, message, path = store.verdicts[index][:3]
                verdicts[key] = (
                    _VerdictParts.of(store.rules[position], status, message, path)
                    if status in ANNOTATED
                    else None
                )
            verdict = verdicts[key]
            if verdict is None:
                continue
            if number != record or parts is None:
                record, parts = number, _RecordParts.of(store.resources[number])
            stream.write(_command(parts, verdict) + "\n")
        for error in report.errors:
            where = "/".join(part for part in (error.account, error.region) if part)
            message = f"{error.code}: {error.message}"
            title = f"wfcheck could not read {where or error.source}"
            stream.write(command("error", message, title=title) + "\n")
        stream.write(summary_line(report) + "\n")


WRITER = GithubWriter()
