"""``wfcheck diff`` output: table, Markdown and JSON writers for a
:class:`checker.findings.diff.Diff` (``DIFF_WRITER_BY_NAME``).

Every value goes through :mod:`checker.reports.escape` as in the scan reports: the table is
made of terminal lines, the Markdown is inert (no links, mentions, math or HTML), the JSON
carries no raw control characters. ``RenderOptions.show_passed`` lists unchanged failures in
the table and Markdown (the JSON always has them).
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from checker.findings.diff import KINDS, Change, Diff, Finding, Side, WorkforceDiff
from checker.reports.escape import clip, json_text, markdown_inline, terminal_line
from checker.reports.interface import RenderOptions, Writer

MESSAGE_WIDTH = 120
"""Longest message in the diff table (the JSON has it whole)."""


def _status(finding: Finding | None) -> str:
    return finding.status if finding else "absent"


def _transition(change: Change) -> str:
    return f"{_status(change.old)} -> {_status(change.new)}"


def headline(diff: Diff) -> str:
    return (
        f"{diff.count('new')} new failure(s), {diff.count('resolved')} resolved, "
        f"{diff.count('unchanged')} unchanged in {len(diff.workforces)} workforce(s)"
    )


def _shown(group: WorkforceDiff, show_unchanged: bool) -> list[Change]:
    return [c for c in group.changes if show_unchanged or c.kind != "unchanged"]


def _title(group: WorkforceDiff) -> str:
    where = " ".join(part for part in (group.account, group.region) if part)
    title = group.name or group.key
    if where:
        title += f" ({where})"
    if group.presence != "both":
        title += f" [workforce {group.presence}]"
    return title


class DiffTableWriter(Writer[Diff]):
    name = "table"

    def write(self, diff: Diff, stream: TextIO, options: RenderOptions) -> None:
        stream.write(terminal_line(f"wfcheck diff: {diff.old.label} -> {diff.new.label}") + "\n\n")
        headers = ["change", "rule", "severity", "status", "message"]
        for group in diff.workforces:
            rows = [
                [
                    c.kind,
                    terminal_line(c.current.rule_id),
                    c.current.severity,
                    terminal_line(_transition(c)),
                    clip(terminal_line(c.message), MESSAGE_WIDTH),
                ]
                for c in _shown(group, options.show_passed)
            ]
            stream.write(terminal_line(_title(group)) + "\n")
            if rows:
                widths = [max(len(row[n]) for row in [headers, *rows]) for n in range(4)]
                for row in [headers, ["-" * w for w in widths] + ["-" * 7], *rows]:
                    cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
                    stream.write(("  ".join([*cells, row[4]])).rstrip() + "\n")
            hidden = 0 if options.show_passed else group.count("unchanged")
            if hidden:
                stream.write(f"({hidden} unchanged failure(s); --show-unchanged lists them)\n")
            stream.write("\n")
        for note in diff.notes:
            stream.write(f"note: {terminal_line(note)}\n")
        stream.write(headline(diff) + "\n")


def md(text: str | None) -> str:
    """Record text made inert in Markdown (and in the HTML it becomes): one line, no markup."""
    return markdown_inline(text)


class DiffMarkdownWriter(Writer[Diff]):
    name = "markdown"

    def write(self, diff: Diff, stream: TextIO, options: RenderOptions) -> None:
        lines = [
            f"## wfcheck diff: {headline(diff)}",
            "",
            f"Old: {md(diff.old.label)} · New: {md(diff.new.label)}",
            "",
        ]
        for group in diff.workforces:
            lines.append(f"### {md(_title(group))}")
            lines.append("")
            shown = _shown(group, options.show_passed)
            if shown:
                lines.append("| change | rule | severity | status | message |")
                lines.append("| --- | --- | --- | --- | --- |")
                lines.extend(
                    f"| {c.kind} | {md(c.current.rule_id)} | {c.current.severity} | "
                    f"{md(_transition(c))} | {md(c.message)} |"
                    for c in shown
                )
                lines.append("")
            hidden = 0 if options.show_passed else group.count("unchanged")
            if hidden:
                lines.append(f"{hidden} unchanged failure(s) not listed.")
                lines.append("")
        lines.extend(f"> note: {md(note)}" for note in diff.notes)
        stream.write("\n".join(lines).rstrip("\n") + "\n")


def _finding_dict(finding: Finding | None) -> dict[str, Any] | None:
    if finding is None:
        return None
    return {"status": finding.status, "message": finding.message}


def diff_to_dict(diff: Diff) -> dict[str, Any]:
    def side(s: Side) -> dict[str, Any]:
        return {
            "source": s.label,
            "kind": s.kind,
            "results": s.results,
            "collection_errors": s.errors,
        }

    return {
        "schema_version": 1,
        "old": side(diff.old),
        "new": side(diff.new),
        "summary": {kind: diff.count(kind) for kind in KINDS},
        "workforces": [
            {
                "key": group.key,
                "name": group.name,
                "account": group.account,
                "region": group.region,
                "presence": group.presence,
                **{
                    kind: [
                        {
                            "fingerprint": c.current.fingerprint,
                            "rule_id": c.current.rule_id,
                            "title": c.current.title,
                            "severity": c.current.severity,
                            "old": _finding_dict(c.old),
                            "new": _finding_dict(c.new),
                        }
                        for c in group.changes
                        if c.kind == kind
                    ]
                    for kind in KINDS
                },
            }
            for group in diff.workforces
        ],
        "notes": list(diff.notes),
    }


class DiffJsonWriter(Writer[Diff]):
    name = "json"

    def write(self, diff: Diff, stream: TextIO, options: RenderOptions) -> None:
        text = json.dumps(diff_to_dict(diff), indent=2, ensure_ascii=False)
        stream.write(json_text(text) + "\n")


TABLE = DiffTableWriter()
MARKDOWN = DiffMarkdownWriter()
JSON = DiffJsonWriter()
