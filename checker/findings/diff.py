"""``wfcheck diff OLD NEW``: the compliance change between two scans, to review like a plan.

Each side is a JSON report (``wfcheck scan --format json``) or any input ``scan`` reads (a
snapshot, list-workforces output), which the CLI evaluates with the current policies and vars.
Results are matched by fingerprint (rule id + ARN, else Terraform address): a failure only in
NEW is *new*, one only in OLD is *resolved*, one in both is *unchanged*; grouped per workforce.
The renderers are pure (diff in, text out) and escape every record value for their format.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from checker.errors import InputError
from checker.model import SEVERITY_RANK, Report, Resource, Result
from checker.reports.escape import terminal_safe

FAILING = frozenset({"fail", "error", "unknown"})
KINDS = ("new", "resolved", "unchanged")
REPORT_SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class Finding:
    """One result as the diff sees it (from a Report or from a JSON report's result)."""

    fingerprint: str
    rule_id: str
    title: str
    severity: str
    status: str
    key: str
    name: str | None
    account: str | None
    region: str | None
    message: str

    @property
    def failing(self) -> bool:
        return self.status in FAILING


@dataclass(frozen=True)
class Side:
    """One of the two scans: every result by fingerprint, the workforces seen, its gaps."""

    label: str
    kind: str  # report | input
    findings: Mapping[str, Finding]
    resources: frozenset[str]
    errors: int = 0


@dataclass(frozen=True, slots=True)
class Change:
    kind: str  # new | resolved | unchanged
    old: Finding | None
    new: Finding | None

    @property
    def current(self) -> Finding:
        found = self.new or self.old
        assert found is not None
        return found

    @property
    def message(self) -> str:
        """What was wrong for a resolved failure; what is wrong now otherwise."""
        shown = self.old if self.kind == "resolved" else self.new
        return (shown or self.current).message


@dataclass(frozen=True)
class WorkforceDiff:
    key: str
    name: str | None
    account: str | None
    region: str | None
    presence: str  # both | added | removed
    changes: tuple[Change, ...]

    def count(self, kind: str) -> int:
        return sum(1 for change in self.changes if change.kind == kind)


@dataclass(frozen=True)
class Diff:
    old: Side
    new: Side
    workforces: tuple[WorkforceDiff, ...]
    notes: tuple[str, ...] = ()

    def count(self, kind: str) -> int:
        return sum(group.count(kind) for group in self.workforces)

    def changes(self, kind: str) -> list[Change]:
        return [c for group in self.workforces for c in group.changes if c.kind == kind]


# --- reading the two sides ----------------------------------------------------------------------


def _finding(result: Result) -> Finding:
    res = result.resource
    return Finding(
        result.fingerprint,
        result.rule_id,
        result.title,
        result.severity,
        result.status.value,
        res.key,
        res.name,
        res.account,
        res.region,
        result.message,
    )


def _merge(findings: dict[str, Finding], finding: Finding) -> None:
    """The same resource read twice keeps its failing result, so nothing is hidden."""
    known = findings.get(finding.fingerprint)
    if known is None or (finding.failing and not known.failing):
        findings[finding.fingerprint] = finding


def side_from_report(report: Report, label: str) -> Side:
    findings: dict[str, Finding] = {}
    for result in report.results:
        _merge(findings, _finding(result))
    return Side(
        label, "input", findings, frozenset(f.key for f in findings.values()), len(report.errors)
    )


def is_report(data: Any) -> bool:
    return isinstance(data, dict) and "results" in data and "records" not in data


def side_from_report_dict(data: dict[str, Any], label: str) -> Side:
    """A side from a ``--format json`` report; malformed entries are an ``InputError``."""
    if data.get("schema_version") != REPORT_SCHEMA_VERSION:
        raise InputError(
            f"unsupported report schema_version {data.get('schema_version')!r} "
            f"(this wfcheck reads {REPORT_SCHEMA_VERSION})",
            file=label,
        )
    results = data.get("results")
    if not isinstance(results, list):
        raise InputError("results: expected a list", file=label)
    findings: dict[str, Finding] = {}
    for index, item in enumerate(results):
        _merge(findings, _finding_from_dict(item, f"results[{index}]", label))
    errors = data.get("errors")
    return Side(
        label,
        "report",
        findings,
        frozenset(f.key for f in findings.values()),
        len(errors) if isinstance(errors, list) else 0,
    )


def _text(
    item: Mapping[str, Any], key: str, where: str, label: str, *, required: bool = True
) -> Any:
    value = item.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise InputError(
            f"{where}.{key}: expected a string, got {type(value).__name__}",
            file=label,
            hint="is this a wfcheck --format json report?",
        )
    return value


def _finding_from_dict(item: Any, where: str, label: str) -> Finding:
    if not isinstance(item, dict) or not isinstance(item.get("resource"), dict):
        raise InputError(f"{where}: expected a result object with a resource", file=label)
    raw = item["resource"]
    resource = Resource(
        arn=_text(raw, "arn", f"{where}.resource", label, required=False),
        name=_text(raw, "name", f"{where}.resource", label, required=False),
        account=_text(raw, "account", f"{where}.resource", label, required=False),
        region=_text(raw, "region", f"{where}.resource", label, required=False),
        source=str(raw.get("source") or label),
        address=_text(raw, "address", f"{where}.resource", label, required=False),
    )
    rule_id = _text(item, "rule_id", where, label)
    status = _text(item, "status", where, label)
    severity = _text(item, "severity", where, label)
    if severity not in SEVERITY_RANK:
        raise InputError(f"{where}.severity: unknown severity {severity!r}", file=label)
    fingerprint = item.get("fingerprint")
    if fingerprint is None:
        fingerprint = f"{rule_id}:{resource.key}"
    elif not isinstance(fingerprint, str):
        raise InputError(f"{where}.fingerprint: expected a string", file=label)
    return Finding(
        fingerprint,
        rule_id,
        str(item.get("title") or ""),
        severity,
        status,
        resource.key,
        resource.name,
        resource.account,
        resource.region,
        str(item.get("message") or ""),
    )


def load_side(path: str, evaluate: Callable[[str], Report]) -> Side:
    """A JSON report is read as it is; anything else is evaluated as a scan input."""
    from checker.files.loading import load_json

    data = load_json(path, kind="diff input")
    if is_report(data):
        return side_from_report_dict(data, path)
    return side_from_report(evaluate(path), path)


# --- comparing ----------------------------------------------------------------------------------


def compare(old: Side, new: Side) -> Diff:
    """New, resolved and unchanged failures per workforce (workforces with none are left out)."""
    groups: dict[str, list[Change]] = {}
    for fingerprint in sorted(set(old.findings) | set(new.findings)):
        before, after = old.findings.get(fingerprint), new.findings.get(fingerprint)
        was = before is not None and before.failing
        now = after is not None and after.failing
        if not was and not now:
            continue
        kind = "unchanged" if was and now else "new" if now else "resolved"
        change = Change(kind, before, after)
        groups.setdefault(change.current.key, []).append(change)
    workforces = []
    for key, changes in groups.items():
        ref = changes[0].current
        presence = (
            "both"
            if key in old.resources and key in new.resources
            else "added"
            if key in new.resources
            else "removed"
        )
        changes.sort(key=lambda c: (KINDS.index(c.kind), c.current.rule_id, c.current.fingerprint))
        workforces.append(
            WorkforceDiff(key, ref.name, ref.account, ref.region, presence, tuple(changes))
        )
    workforces.sort(key=lambda g: (g.account or "", g.region or "", g.name or "", g.key))
    notes = [
        f"{side.label} is incomplete ({side.errors} collection error(s)): a resolved failure "
        "there may be missing data, not a fix"
        for side in (old, new)
        if side.errors
    ]
    return Diff(old, new, tuple(workforces), tuple(notes))


def gate_failures(diff: Diff, fail_on: str) -> int:
    """New failures at or above ``fail_on`` (``info`` never fails, as in the scan gate)."""
    threshold = SEVERITY_RANK[fail_on]
    return sum(
        1
        for change in diff.changes("new")
        if change.current.severity != "info" and SEVERITY_RANK[change.current.severity] >= threshold
    )


# --- rendering ----------------------------------------------------------------------------------


def _status(finding: Finding | None) -> str:
    return finding.status if finding else "absent"


def _transition(change: Change) -> str:
    return f"{_status(change.old)} -> {_status(change.new)}"


def _headline(diff: Diff) -> str:
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


def render_table(diff: Diff, show_unchanged: bool = False) -> str:
    from tabulate import tabulate  # only the table format needs it

    lines = [terminal_safe(f"wfcheck diff: {diff.old.label} -> {diff.new.label}"), ""]
    for group in diff.workforces:
        rows = [
            [
                c.kind,
                terminal_safe(c.current.rule_id),
                c.current.severity,
                terminal_safe(_transition(c)),
                _cut(terminal_safe(c.message), 120),
            ]
            for c in _shown(group, show_unchanged)
        ]
        hidden = 0 if show_unchanged else group.count("unchanged")
        lines.append(terminal_safe(_title(group)))
        if rows:
            lines.append(
                tabulate(
                    rows,
                    headers=["change", "rule", "severity", "status", "message"],
                    tablefmt="simple",
                )
            )
        if hidden:
            lines.append(f"({hidden} unchanged failure(s); --show-unchanged lists them)")
        lines.append("")
    lines.extend(f"note: {terminal_safe(note)}" for note in diff.notes)
    lines.append(_headline(diff))
    return "\n".join(lines) + "\n"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


_MD_SPECIAL = str.maketrans(
    {
        "\\": "\\\\",
        "`": "\\`",
        "*": "\\*",
        "_": "\\_",
        "[": "\\[",
        "]": "\\]",
        "|": "\\|",
        "#": "\\#",
        "!": "\\!",
        "~": "\\~",
        "<": "&lt;",
        ">": "&gt;",
        "&": "&amp;",
    }
)


def md(text: str | None) -> str:
    """Record text made inert in Markdown (and in the HTML it becomes): one line, no markup."""
    return terminal_safe(text or "-").translate(_MD_SPECIAL)


def render_markdown(diff: Diff, show_unchanged: bool = False) -> str:
    lines = [
        f"## wfcheck diff: {_headline(diff)}",
        "",
        f"Old: `{md(diff.old.label)}` · New: `{md(diff.new.label)}`",
        "",
    ]
    for group in diff.workforces:
        lines.append(f"### {md(_title(group))}")
        lines.append("")
        shown = _shown(group, show_unchanged)
        if shown:
            lines.append("| change | rule | severity | status | message |")
            lines.append("| --- | --- | --- | --- | --- |")
            lines.extend(
                f"| {c.kind} | {md(c.current.rule_id)} | {c.current.severity} | "
                f"{md(_transition(c))} | {md(c.message)} |"
                for c in shown
            )
            lines.append("")
        hidden = 0 if show_unchanged else group.count("unchanged")
        if hidden:
            lines.append(f"{hidden} unchanged failure(s) not listed.")
            lines.append("")
    lines.extend(f"> note: {md(note)}" for note in diff.notes)
    return "\n".join(lines).rstrip("\n") + "\n"


def _finding_dict(finding: Finding | None) -> dict[str, Any] | None:
    if finding is None:
        return None
    return {"status": finding.status, "message": finding.message}


def diff_to_dict(diff: Diff) -> dict[str, Any]:
    def side(s: Side) -> dict[str, Any]:
        return {
            "source": s.label,
            "kind": s.kind,
            "results": len(s.findings),
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


def render_json(diff: Diff, show_unchanged: bool = False) -> str:
    return json.dumps(diff_to_dict(diff), indent=2, ensure_ascii=False) + "\n"


RENDERER_BY_NAME: dict[str, Callable[[Diff, bool], str]] = {
    "table": render_table,
    "json": render_json,
    "markdown": render_markdown,
}


def keys(items: Iterable[Change]) -> list[str]:
    """Fingerprints of some changes (handy for tests and scripts)."""
    return [change.current.fingerprint for change in items]
