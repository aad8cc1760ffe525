"""The core values every layer shares: records in, rules, results and the report out.

Sources produce :class:`Record`; the policy layer produces :class:`Rule`; the engine turns the two
into :class:`Result`; report writers read only :class:`Report`. Nothing here does I/O.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from itertools import islice
from typing import Any, Literal, NamedTuple, overload

SEVERITIES: tuple[str, ...] = ("info", "low", "medium", "high", "critical")
SEVERITY_RANK: Mapping[str, int] = {name: rank for rank, name in enumerate(SEVERITIES)}


class Status(str, Enum):
    """Outcome of one rule on one record.

    ``waived`` and ``baseline`` are failures someone accepted; ``unknown`` is a failure that cannot
    be decided yet (a Terraform value known only after apply).
    """

    PASS = "pass"  # noqa: S105 - a status, not a password
    FAIL = "fail"
    SKIP = "skip"
    ERROR = "error"
    WAIVED = "waived"
    BASELINE = "baseline"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value

    @property
    def is_finding(self) -> bool:
        """Failing, not decidable yet, or accepted: what human reports list (not pass/skip)."""
        return self not in (Status.PASS, Status.SKIP)


GATE_FAILING: frozenset[Status] = frozenset({Status.FAIL, Status.ERROR})
"""What fails the gate by default: nothing unproven passes, so ``error`` fails too."""


def gate_failing(fail_on_unknown: bool = False) -> frozenset[Status]:
    """The statuses that fail the gate: ``unknown`` too with ``--fail-on-unknown``."""
    return GATE_FAILING | {Status.UNKNOWN} if fail_on_unknown else GATE_FAILING


FAILING_STATUSES: frozenset[Status] = frozenset({Status.FAIL, Status.ERROR, Status.UNKNOWN})
"""What human reports show as failing: failures, rules that could not be evaluated, and
values not decidable yet."""
ACCEPTED_STATUSES: frozenset[Status] = frozenset({Status.WAIVED, Status.BASELINE})


def at_or_above(severity: str, threshold: str) -> bool:
    """Whether ``severity`` reaches the gate threshold; ``info`` never does."""
    return severity != "info" and SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold]


UNKNOWN_AFTER_APPLY = "known only after apply"

STATUSES: tuple[str, ...] = tuple(s.value for s in Status)

_ARN = re.compile(r"^arn:(?P<partition>[\w-]+):sagemaker:(?P<region>[\w-]*):(?P<account>\d*):")


def arn_parts(arn: str | None) -> tuple[str | None, str | None, str | None]:
    """(partition, region, account) of a SageMaker ARN; Nones when it is not one."""
    match = _ARN.match(arn or "")
    if not match:
        return None, None, None
    return (match["partition"], match["region"] or None, match["account"] or None)


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a file a reader can open: the ``.tf`` resource block, the template resource.

    ``file`` is relative to the repository root when known (SARIF ``%SRCROOT%``), else as given.
    """

    file: str
    line: int
    column: int | None = None


@dataclass(frozen=True, slots=True)
class Resource:
    """Where a record came from and how reports name it.

    ``source`` is the file a record was read from (or ``aws`` for the live API); ``address`` is the
    infrastructure-as-code address when the record came from one: the Terraform address
    (``module.x.aws_sagemaker_workforce.main``) or the CloudFormation ``stack/LogicalId``.
    ``location`` is where that resource is written (file and line), when known; ``action`` is
    what a plan does to it (``create``, ``update``, ``replace``, ``no-op``, ``import``,
    ``deferred``).
    """

    arn: str | None
    name: str | None
    account: str | None
    region: str | None
    source: str
    source_kind: str = "file"
    address: str | None = None
    location: Location | None = None
    action: str | None = None

    @property
    def key(self) -> str:
        """A stable identity for fingerprints: the ARN, else the Terraform address."""
        if self.arn:
            return self.arn
        if self.address:
            return self.address
        return f"{self.account or '-'}/{self.region or '-'}/{self.name or '-'}"

    @property
    def partition(self) -> str:
        return arn_parts(self.arn)[0] or "aws"


@dataclass(frozen=True, slots=True)
class Record:
    """One ``Workforce`` as the API returns it, plus its origin.

    ``workforce`` keeps unknown fields (the API grows); absent or null optional blocks are
    dropped, and timestamps are timezone-aware datetimes. ``unknown_paths`` lists dotted field
    paths whose values are not known yet (Terraform ``after_unknown``); ``sensitive_paths`` those
    whose values a source marks sensitive (Terraform ``sensitive()``): evaluated like any other
    value, never printed. ``unknown_reasons`` says, per unknown path, why it is unknown when the
    source knows better than the default ("known only after apply"), e.g. a CloudFormation
    ``known only at deploy time (!GetAtt Pool.Arn)``. ``default_reasons`` names, per path, a
    value the source filled in because the input leaves it to a documented default (a Terraform
    block the configuration does not write, which AWS creates unrestricted), and says so in words:
    failing results on it lead with that reason.
    """

    workforce: Mapping[str, Any]
    resource: Resource
    unknown_paths: frozenset[str] = frozenset()
    sensitive_paths: frozenset[str] = frozenset()
    unknown_reasons: Mapping[str, str] = field(default_factory=dict)
    default_reasons: Mapping[str, str] = field(default_factory=dict)

    def unknown_reason(self, path: str) -> str:
        """Why the value at an unknown path is not known: the source's words, or the default."""
        return self.unknown_reasons.get(path, UNKNOWN_AFTER_APPLY)

    def document(self) -> dict[str, Any]:
        """The value rule paths are evaluated on: the workforce plus its origin fields."""
        doc = dict(self.workforce)
        doc["_account"] = self.resource.account
        doc["_region"] = self.resource.region
        doc["_source"] = self.resource.source
        return doc


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What reports need to know about a rule; the compiled conditions stay in the engine."""

    id: str
    title: str
    severity: str
    description: str = ""
    remediation: str = ""
    references: tuple[str, ...] = ()
    vars: tuple[str, ...] = ()
    source: str = ""
    line: int = 0
    tags: tuple[str, ...] = ()
    controls: tuple[str, ...] = ()


class Result(NamedTuple):
    """One rule on one record.

    A result refers to its rule and its record's :class:`Resource` instead of copying their
    text: title, severity and remediation are read from ``rule``. A NamedTuple rather than a
    frozen dataclass: writers materialize millions of these one at a time, and a tuple is both
    immutable and several times cheaper to build.
    """

    rule: RuleInfo
    status: Status
    resource: Resource
    message: str
    path: str
    evidence: tuple[tuple[str, str], ...] = ()
    annotation: Mapping[str, Any] | None = None

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def title(self) -> str:
        return self.rule.title

    @property
    def severity(self) -> str:
        return self.rule.severity

    @property
    def remediation(self) -> str:
        return self.rule.remediation

    @property
    def fingerprint(self) -> str:
        return f"{self.rule.id}:{self.resource.key}"


@dataclass(frozen=True, slots=True)
class ErrorEntry:
    """Something that could not be read: one collection unit, or one input."""

    source: str
    message: str
    code: str = "Error"
    account: str | None = None
    region: str | None = None


UnitState = Literal["ok", "error", "skipped", "partial"]
"""How a collection unit ended."""
UNIT_STATES: tuple[UnitState, ...] = ("ok", "error", "skipped", "partial")


@dataclass(frozen=True, slots=True)
class UnitStatus:
    """How one collection unit (file, or account x region) ended."""

    source: str
    status: UnitState
    records: int = 0
    account: str | None = None
    region: str | None = None
    resume_token: str | None = None
    note: str | None = None


Verdict = tuple[Status, str, str, tuple[tuple[str, str], ...], "Mapping[str, Any] | None"]
"""(status, message, path, evidence, annotation): what one rule said about one record, minus
the rule and the record. Estates repeat configurations, so a scan has few distinct verdicts."""

ABSENT = 0xFFFFFFFF
"""A cell with no result: that rule was not evaluated on that record (only in stores built from
an arbitrary list of results)."""


def resource_sort_key(res: Resource) -> tuple[str, str, str, str, str]:
    """Report order: account, region, workforce name, then the stable key and the source."""
    return (res.account or "", res.region or "", res.name or "", res.key, res.source)


class ResultStore:
    """Every result of a scan in little memory, materialized only while a writer reads it.

    One row per record: its :class:`Resource` and, per rule, an index into the distinct
    :data:`Verdict` values (4 bytes a result). Results come out as :class:`Result` tuples, one
    at a time, as often as asked (one pass per report written), in report order: records by
    :func:`resource_sort_key` once :meth:`sort` has run (else as added), rules in store order.
    Counts by rule and status are computed from the indexes, never from results.

    The pipeline fills a store with :meth:`add` (engine outcomes) while records stream in; tests
    and small tools build one from results with :meth:`from_results`. Acceptance (waivers,
    baseline) rewrites single cells with :meth:`set_verdict`; nothing else changes a store.
    """

    def __init__(self, rules: Sequence[RuleInfo]) -> None:
        self.rules: tuple[RuleInfo, ...] = tuple(rules)
        self.width = len(self.rules)
        self.resources: list[Resource] = []
        self.cells = array("I")
        self.verdicts: list[Verdict] = []
        self._by_id: dict[int, int] = {}
        self._by_value: dict[Hashable, int] = {}
        self._kept: list[object] = []  # the objects whose id() is in _by_id stay alive
        self._order: array[int] | None = None
        self._tally: list[dict[int, int]] | None = None
        self._findings: array[int] | None = None
        self._partial = False

    # --- building ---------------------------------------------------------------------------

    def add(self, resource: Resource, outcomes: Sequence[tuple[Any, ...]]) -> None:
        """One record's outcomes, one per rule in store order: (status, message, path,
        evidence). The same outcome object (a memo hit) is interned once, by identity."""
        if len(outcomes) != self.width:
            raise ValueError(f"expected {self.width} outcomes, got {len(outcomes)}")
        by_id = self._by_id
        append = self.cells.append
        for outcome in outcomes:
            index = by_id.get(id(outcome))
            if index is None:
                index = self._intern_outcome(outcome)
            append(index)
        self.resources.append(resource)
        self._changed()

    def add_indexes(self, resource: Resource, indexes: Sequence[int]) -> None:
        """One record's row as verdict indexes already interned here (one per rule)."""
        if len(indexes) != self.width:
            raise ValueError(f"expected {self.width} indexes, got {len(indexes)}")
        self.cells.extend(indexes)
        self.resources.append(resource)
        self._changed()

    def outcome_index(self, outcome: tuple[Any, ...]) -> int:
        """The verdict index of an engine outcome (status, message, path, evidence)."""
        index = self._by_id.get(id(outcome))
        return self._intern_outcome(outcome) if index is None else index

    def _intern_outcome(self, outcome: tuple[Any, ...]) -> int:
        index = self._by_value.get(outcome)
        if index is None:
            index = self.intern((outcome[0], outcome[1], outcome[2], outcome[3], None))
            self._by_id[id(outcome)] = index
            self._kept.append(outcome)
        return index

    def intern(self, verdict: Verdict) -> int:
        """The index of ``verdict`` among the distinct verdicts, added when new."""
        key: Hashable = verdict[:4] if verdict[4] is None else (*verdict[:4], _frozen(verdict[4]))
        index = self._by_value.get(key)
        if index is None:
            index = self._by_value[key] = len(self.verdicts)
            self.verdicts.append(verdict)
        return index

    def set_verdict(self, record: int, position: int, index: int) -> None:
        """Replace one cell (acceptance: a failure becomes waived or baseline)."""
        cell = record * self.width + position
        before = self.cells[cell]
        self.cells[cell] = index
        self._tally = None
        if (
            before == ABSENT
            or self.verdicts[before][0].is_finding != self.verdicts[index][0].is_finding
        ):
            self._findings = None

    def sort(self) -> None:
        """Put records in report order (:func:`resource_sort_key`); results within a record
        stay in rule order."""
        keys = [resource_sort_key(res) for res in self.resources]
        self._order = array("I", sorted(range(len(keys)), key=keys.__getitem__))
        self._findings = None

    def _changed(self) -> None:
        self._order = self._tally = self._findings = None

    @classmethod
    def from_results(cls, results: Iterable[Result], rules: Sequence[RuleInfo] = ()) -> ResultStore:
        """A store holding exactly ``results``, in their order: consecutive results on the same
        resource share a row (a repeated rule starts a new one); rules not in ``rules`` are
        added in the order they are first seen."""
        items = list(results)
        known = list(dict.fromkeys([*rules, *(result.rule for result in items)]))
        store = cls(known)
        position = {info: index for index, info in enumerate(known)}
        row: list[int] | None = None
        current: Resource | None = None
        for result in items:
            column = position[result.rule]
            if row is None or result.resource is not current or row[column] != ABSENT:
                if row is not None and current is not None:
                    store._append_row(current, row)
                row, current = [ABSENT] * store.width, result.resource
            row[column] = store.intern(
                (result.status, result.message, result.path, result.evidence, result.annotation)
            )
        if row is not None and current is not None:
            store._append_row(current, row)
        return store

    def _append_row(self, resource: Resource, row: list[int]) -> None:
        self._partial = self._partial or ABSENT in row
        self.resources.append(resource)
        self.cells.extend(row)
        self._changed()

    # --- reading ----------------------------------------------------------------------------

    def __len__(self) -> int:
        if self._partial:
            return len(self.cells) - self.cells.count(ABSENT)
        return len(self.cells)

    def __bool__(self) -> bool:
        return len(self) > 0

    def order(self) -> Sequence[int]:
        """Record numbers in report order."""
        return self._order if self._order is not None else range(len(self.resources))

    def rows(self) -> Iterator[tuple[int, Resource, Sequence[int]]]:
        """(record number, resource, verdict index per rule) in report order: for writers that
        format each distinct verdict once instead of once per result."""
        cells, width, resources = self.cells, self.width, self.resources
        for record in self.order():
            base = record * width
            yield record, resources[record], cells[base : base + width]

    def result(self, record: int, position: int) -> Result | None:
        index = self.cells[record * self.width + position]
        if index == ABSENT:
            return None
        status, message, path, evidence, annotation = self.verdicts[index]
        return Result(
            self.rules[position],
            status,
            self.resources[record],
            message,
            path,
            evidence,
            annotation,
        )

    @overload
    def __getitem__(self, item: int) -> Result: ...

    @overload
    def __getitem__(self, item: slice) -> list[Result]: ...

    def __getitem__(self, item: int | slice) -> Result | list[Result]:
        """The result at a place in report order (a slice gives a list)."""
        if isinstance(item, slice):
            return list(islice(self, *item.indices(len(self))))
        size = len(self)
        place = item + size if item < 0 else item
        if not 0 <= place < size:
            raise IndexError("result index out of range")
        if self._partial:
            return next(islice(self, place, None))
        record, position = divmod(place, self.width)
        found = self.result(self.order()[record], position)
        assert found is not None
        return found

    def __iter__(self) -> Iterator[Result]:
        """Every result in report order, built one at a time."""
        rules, verdicts = self.rules, self.verdicts
        make = tuple.__new__  # Result's own __new__ re-binds every argument; this is hot
        for _, resource, row in self.rows():
            for position, index in enumerate(row):
                if index == ABSENT:
                    continue
                status, message, path, evidence, annotation = verdicts[index]
                yield make(
                    Result,
                    (rules[position], status, resource, message, path, evidence, annotation),
                )

    def finding_cells(self) -> array[int]:
        """Cells (record * width + rule position) whose status is a finding (not pass or
        skip), in report order. Findings are few next to results; this is what human formats
        walk."""
        if self._findings is None:
            flags = [verdict[0].is_finding for verdict in self.verdicts]
            cells, width = self.cells, self.width
            found = array("Q")
            by_row: dict[bytes, tuple[int, ...]] = {}  # rows repeat: decide each one once
            for record in self.order():
                base = record * width
                row = cells[base : base + width]
                key = row.tobytes()
                where = by_row.get(key)
                if where is None:
                    where = tuple(
                        position
                        for position, index in enumerate(row)
                        if index != ABSENT and flags[index]
                    )
                    if len(by_row) < 4096:  # common rows come early; rare ones are not kept
                        by_row[key] = where
                if where:
                    found.extend([base + position for position in where])
            self._findings = found
        return self._findings

    def findings(self, group: Callable[[Result], int] | None = None) -> Iterator[Result]:
        """Every result that is a finding, in report order; with ``group``, ordered by its
        value first (stable: report order within a group)."""
        width = self.width
        cells = self.finding_cells()
        if group is None:
            for cell in cells:
                found = self.result(cell // width, cell % width)
                assert found is not None
                yield found
            return
        buckets: dict[int, list[int]] = {}
        for cell in cells:
            found = self.result(cell // width, cell % width)
            assert found is not None
            buckets.setdefault(group(found), []).append(cell)
        for key in sorted(buckets):
            for cell in buckets.pop(key):
                found = self.result(cell // width, cell % width)
                assert found is not None
                yield found

    def tally(self) -> list[dict[Status, int]]:
        """Per rule (store order): how many results have each status."""
        if self._tally is None:
            self._tally = [
                Counter(self.cells[position :: self.width]) for position in range(self.width)
            ]
        verdicts = self.verdicts
        counts: list[dict[Status, int]] = []
        for column in self._tally:
            by_status: dict[Status, int] = {}
            for index, count in column.items():
                if index != ABSENT:
                    status = verdicts[index][0]
                    by_status[status] = by_status.get(status, 0) + count
            counts.append(by_status)
        return counts

    def count(self, statuses: Iterable[Status], *, at_or_above_severity: str | None = None) -> int:
        """How many results have one of ``statuses`` (and, when given, a severity that reaches
        the threshold, as :func:`at_or_above` says)."""
        wanted = frozenset(statuses)
        total = 0
        for info, counts in zip(self.rules, self.tally(), strict=True):
            if at_or_above_severity is not None and not at_or_above(
                info.severity, at_or_above_severity
            ):
                continue
            total += sum(n for status, n in counts.items() if status in wanted)
        return total


def _frozen(value: Any) -> Hashable:
    """A hashable stand-in for an annotation (nested dicts and lists), for interning."""
    if isinstance(value, Mapping):
        return tuple(sorted((str(key), _frozen(item)) for key, item in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(item) for item in value)
    return value  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Report:
    """Everything a report writer may read. Writers never see raw records.

    ``results`` is a :class:`ResultStore`; a plain sequence of :class:`Result` is accepted too
    (tests, small tools) and stored as one.
    """

    tool_version: str
    generated_at: datetime
    rules: tuple[RuleInfo, ...]
    results: ResultStore
    records: int
    errors: tuple[ErrorEntry, ...] = ()
    units: tuple[UnitStatus, ...] = ()
    sources: tuple[str, ...] = ()
    policies: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.results, ResultStore):
            store = ResultStore.from_results(self.results, self.rules)
            object.__setattr__(self, "results", store)

    def rule(self, rule_id: str) -> RuleInfo | None:
        for info in (*self.rules, *self.results.rules):
            if info.id == rule_id:
                return info
        return None

    def all_rules(self) -> tuple[RuleInfo, ...]:
        """The report's rules, then any rule only a result names (one entry per id)."""
        seen = {info.id for info in self.rules}
        extra = []
        for info in self.results.rules:
            if info.id not in seen:
                seen.add(info.id)
                extra.append(info)
        return (*self.rules, *extra)


def summarize(report: Report) -> dict[str, Any]:
    """Counts by status and, for failing statuses, by severity: every result counts."""
    counts = {status: 0 for status in STATUSES}
    by_severity: dict[str, dict[str, int]] = {sev: {"fail": 0, "error": 0} for sev in SEVERITIES}
    for info, tally in zip(report.results.rules, report.results.tally(), strict=True):
        for status, count in tally.items():
            counts[status.value] += count
            if status in GATE_FAILING:
                by_severity[info.severity][status.value] += count
    summary: dict[str, Any] = {"records": report.records, "rules": len(report.rules)}
    summary.update(counts)
    summary["by_severity"] = by_severity
    return summary


def rule_tally(report: Report) -> list[tuple[RuleInfo, dict[Status, int]]]:
    """Per rule of the results: how many results of each status (every result counts)."""
    return list(zip(report.results.rules, report.results.tally(), strict=True))
