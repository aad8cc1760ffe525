"""``wfcheck diff OLD NEW``: the compliance change between two scans, to review like a plan.

Each side is a JSON report (``wfcheck scan --format json``) or any input ``scan`` reads (a
snapshot, list-workforces output), which the CLI evaluates with the current policies and vars.
Results are matched by fingerprint (rule id + ARN, else Terraform address): a failure only in
NEW is *new*, one only in OLD is *resolved*, one in both is *unchanged*; grouped per workforce.
The renderers are pure (diff in, text out) and escape every record value for their format.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from checker.errors import InputError
from checker.model import FAILING_STATUSES, SEVERITY_RANK, STATUSES, Resource, Result
from checker.results import ABSENT, Report

if TYPE_CHECKING:
    from checker.files.json_documents import JsonStream

FAILING = frozenset(status.value for status in FAILING_STATUSES)
KINDS = ("new", "resolved", "unchanged")


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


Lookup = Callable[[str, str], "tuple[str, str] | None"]
"""(rule id, resource key) -> (status, message) of that result on a side, None when absent."""


def _nothing(rule_id: str, key: str) -> tuple[str, str] | None:
    return None


@dataclass(frozen=True)
class Side:
    """One of the two scans: its failing results by fingerprint, every result's status (for
    the other side of a change), the workforces seen, its gaps. Memory is bounded by the
    failures plus a few bytes a result, never by every result's text."""

    label: str
    kind: Literal["report", "input"]
    findings: Mapping[str, Finding]  # failing results only
    resources: frozenset[str]
    errors: int = 0
    results: int = 0
    lookup: Lookup = _nothing

    def finding(self, ref: Finding) -> Finding | None:
        """This side's result for the rule and resource of ``ref`` (a failure on either side)."""
        found = self.findings.get(ref.fingerprint)
        if found is not None:
            return found
        status = self.lookup(ref.rule_id, ref.key)
        if status is None:
            return None
        return Finding(
            ref.fingerprint,
            ref.rule_id,
            ref.title,
            ref.severity,
            status[0],
            ref.key,
            ref.name,
            ref.account,
            ref.region,
            status[1],
        )


class StatusIndex:
    """Every result's (status, message) in a few bytes each: one column of indexes into the
    distinct (status, message) pairs per rule, one row per resource key."""

    def __init__(self) -> None:
        self.rows: dict[str, int] = {}
        self.columns: dict[str, array[int]] = {}
        self.pairs: list[tuple[str, str]] = []
        self._index: dict[tuple[str, str], int] = {}

    def add(self, rule_id: str, key: str, status: str, message: str) -> None:
        """Record a result; the same resource read twice keeps a failing status."""
        row = self.rows.setdefault(key, len(self.rows))
        column = self.columns.get(rule_id)
        if column is None:
            column = self.columns[rule_id] = array("I")
        if len(column) <= row:
            column.extend([ABSENT] * (row + 1 - len(column)))
        if column[row] != ABSENT and (
            self.pairs[column[row]][0] in FAILING or status not in FAILING
        ):
            return
        pair = (status, message)
        index = self._index.get(pair)
        if index is None:
            index = self._index[pair] = len(self.pairs)
            self.pairs.append(pair)
        column[row] = index

    def get(self, rule_id: str, key: str) -> tuple[str, str] | None:
        row = self.rows.get(key)
        column = self.columns.get(rule_id)
        if row is None or column is None or row >= len(column) or column[row] == ABSENT:
            return None
        return self.pairs[column[row]]


ChangeKind = Literal["new", "resolved", "unchanged"]
Presence = Literal["both", "added", "removed"]


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
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
    presence: Presence
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
    """The same resource read twice keeps its failing result, so nothing is hidden; only
    failures matter to a diff (a result that passes, or is absent, is not failing)."""
    if finding.failing and finding.fingerprint not in findings:
        findings[finding.fingerprint] = finding


def side_from_report(report: Report, label: str) -> Side:
    """A side from an evaluated input: its failures, the resources it covered, its size, and
    every result's status read from the report's own compact store."""
    store = report.results
    findings: dict[str, Finding] = {}
    for result in store.findings():
        _merge(findings, _finding(result))
    records: dict[str, list[int]] = {}
    for number, resource in enumerate(store.resources):
        records.setdefault(resource.key, []).append(number)
    positions = {info.id: position for position, info in enumerate(store.rules)}

    def lookup(rule_id: str, key: str) -> tuple[str, str] | None:
        position = positions.get(rule_id)
        if position is None:
            return None
        found = None
        for number in records.get(key, ()):
            result = store.result(number, position)
            if result is not None and (found is None or result.status.value in FAILING):
                found = (result.status.value, result.message)
        return found

    return Side(
        label, "input", findings, frozenset(records), len(report.errors), len(store), lookup
    )


REPORT_VERSIONS = (1, 2)
INPUT_KEYS = frozenset({"records", "Workforces", "Workforce", "WorkforceName", "WorkforceArn"})
MAX_REPORT_BYTES = 8 * 1024 * 1024 * 1024
"""Reports are read a piece at a time, so this only refuses what cannot be a report."""


class _ReportReader:
    """A ``--format json`` report (schema version 1 or 2) read as it streams: only failing
    results are kept, with the resources results refer to (version 2) in compact form."""

    def __init__(self, stream: JsonStream, label: str) -> None:
        self.stream = stream
        self.label = label
        self.version: Any = None
        self.rules: dict[str, tuple[str, str]] = {}  # v2: rule id -> (title, severity)
        self.resources: list[tuple[str, str | None, str | None, str | None]] = []
        self.pending: list[tuple[dict[str, Any], int]] = []  # v2 results read before resources
        self.findings: dict[str, Finding] = {}
        self.statuses = StatusIndex()
        self.keys: set[str] = set()
        self.results = 0
        self.errors = 0
        self.resources_seen = False

    def fail(self, message: str, hint: str | None = None) -> InputError:
        line, column = self.stream.where(self.stream.last)
        return InputError(message, file=self.label, line=line, column=column, hint=hint)

    def check_version(self) -> None:
        if self.version not in REPORT_VERSIONS or isinstance(self.version, bool):
            raise InputError(
                f"unsupported report schema_version {self.version!r} "
                f"(this wfcheck reads {' and '.join(map(str, REPORT_VERSIONS))})",
                file=self.label,
            )

    def read_rules(self) -> None:
        rules = self.stream.value()
        if not isinstance(rules, dict):
            raise self.fail("rules: expected an object of rule id -> rule")
        for rule_id, info in rules.items():
            if not isinstance(info, dict):
                raise self.fail(f"rules.{rule_id}: expected an object")
            title = _text(info, "title", f"rules.{rule_id}", self.label)
            severity = _text(info, "severity", f"rules.{rule_id}", self.label)
            if severity not in SEVERITY_RANK:
                raise self.fail(f"rules.{rule_id}.severity: unknown severity {severity!r}")
            self.rules[rule_id] = (title, severity)

    def read_resources(self) -> None:
        if self.stream.peek() != "[":
            raise self.fail("resources: expected a list")
        for index, raw in enumerate(self.stream.items()):
            where = f"resources[{index}]"
            if not isinstance(raw, dict):
                raise self.fail(f"{where}: expected a resource object")
            resource = _resource(raw, where, self.label)
            key = raw["key"] if isinstance(raw.get("key"), str) else resource.key
            self.resources.append((key, resource.name, resource.account, resource.region))
            self.keys.add(key)
        self.resources_seen = True
        for item, index in self.pending:
            self.add_v2(item, index)
        self.pending.clear()

    def read_results(self) -> None:
        if self.stream.peek() != "[":
            raise self.fail("results: expected a list")
        self.check_version()
        for index, item in enumerate(self.stream.items()):
            self.results += 1
            if self.version == 1:
                finding = _finding_from_dict(item, f"results[{index}]", self.label)
                self.keys.add(finding.key)
                _merge(self.findings, finding)
                self.statuses.add(finding.rule_id, finding.key, finding.status, finding.message)
            elif self.resources_seen:
                self.add_v2(item, index)
            else:  # resources come later: keep the compact result until they do
                _status(item, f"results[{index}]", self.label)
                self.pending.append((item, index))

    def add_v2(self, item: Any, index: int) -> None:
        where = f"results[{index}]"
        if not isinstance(item, dict):
            raise InputError(f"{where}: expected a result object", file=self.label)
        rule_id = _text(item, "rule_id", where, self.label)
        status = _status(item, where, self.label)
        position = item.get("resource")
        if isinstance(position, bool) or not isinstance(position, int):
            raise InputError(f"{where}.resource: expected an index into resources", file=self.label)
        if not 0 <= position < len(self.resources):
            raise InputError(f"{where}.resource: no resource {position}", file=self.label)
        if rule_id not in self.rules:
            raise InputError(f"{where}.rule_id: {rule_id!r} is not in rules", file=self.label)
        key, name, account, region = self.resources[position]
        message = item.get("message")
        self.statuses.add(rule_id, key, status, message if isinstance(message, str) else "")
        if status not in FAILING:
            return
        title, severity = self.rules[rule_id]
        _merge(
            self.findings,
            Finding(
                f"{rule_id}:{key}",
                rule_id,
                title,
                severity,
                status,
                key,
                name,
                account,
                region,
                message if isinstance(message, str) else "",
            ),
        )

    def side(self) -> Side:
        self.check_version()
        if self.pending:
            raise InputError(
                "results refer to resources, but there is no resources list", file=self.label
            )
        return Side(
            self.label,
            "report",
            self.findings,
            frozenset(self.keys),
            self.errors,
            self.results,
            self.statuses.get,
        )


def _status(item: Any, where: str, label: str) -> str:
    if not isinstance(item, dict):
        raise InputError(f"{where}: expected a result object", file=label)
    status: str = _text(item, "status", where, label)
    if status not in STATUSES:
        raise InputError(
            f"{where}.status: unknown status {status!r} (expected one of {', '.join(STATUSES)})",
            file=label,
            hint="a report from another tool, or a newer wfcheck?",
        )
    return status


def _resource(raw: dict[str, Any], where: str, label: str) -> Resource:
    return Resource(
        arn=_text(raw, "arn", where, label, required=False),
        name=_text(raw, "name", where, label, required=False),
        account=_text(raw, "account", where, label, required=False),
        region=_text(raw, "region", where, label, required=False),
        source=str(raw.get("source") or label),
        address=_text(raw, "address", where, label, required=False),
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
    """A version 1 result (its resource inline)."""
    if not isinstance(item, dict) or not isinstance(item.get("resource"), dict):
        raise InputError(f"{where}: expected a result object with a resource", file=label)
    resource = _resource(item["resource"], f"{where}.resource", label)
    rule_id = _text(item, "rule_id", where, label)
    status = _status(item, where, label)
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
    """A JSON report is read as it is (streamed); anything else is evaluated as a scan input.

    The document is recognized by its top-level keys as they come: ``results`` makes it a
    report, an input's records (``records``, ``Workforces``, ...) an input."""
    from checker.files.json_documents import JsonStream

    with JsonStream(path, limit=MAX_REPORT_BYTES, kind="diff input") as stream:
        if stream.peek() != "{":
            is_report = False
        else:
            reader = _ReportReader(stream, path)
            is_report = False
            for key in stream.members():
                if key in INPUT_KEYS:
                    break
                if key == "schema_version":
                    reader.version = stream.value()
                elif key == "rules" and stream.peek() == "{":
                    reader.read_rules()
                elif key == "resources":
                    reader.read_resources()
                elif key == "results":
                    is_report = True
                    reader.read_results()
                elif key == "errors":
                    errors = stream.value()
                    reader.errors = len(errors) if isinstance(errors, list) else 0
                else:
                    stream.value()
            else:
                stream.end()
            if is_report:
                return reader.side()
    return side_from_report(evaluate(path), path)


# --- comparing ----------------------------------------------------------------------------------


def compare(old: Side, new: Side) -> Diff:
    """New, resolved and unchanged failures per workforce (workforces with none are left out)."""
    groups: dict[str, list[Change]] = {}
    for fingerprint in sorted(set(old.findings) | set(new.findings)):
        ref = old.findings.get(fingerprint) or new.findings[fingerprint]
        before, after = old.finding(ref), new.finding(ref)
        was = before is not None and before.failing
        now = after is not None and after.failing
        if not was and not now:
            continue
        kind: ChangeKind = "unchanged" if was and now else "new" if now else "resolved"
        change = Change(kind, before, after)
        groups.setdefault(change.current.key, []).append(change)
    workforces = []
    for key, changes in groups.items():
        ref = changes[0].current
        presence: Presence = (
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
