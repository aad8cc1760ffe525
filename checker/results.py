"""The results of a scan and the report writers read: every (record, rule) verdict in a compact
store, and the report around it.

:class:`ResultStore` keeps one row per record and a small index per rule into the distinct
verdicts, so millions of results cost little memory; results are made only while a writer
reads them. Nothing here does I/O.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any, overload

from checker.model import (
    ACCEPTED_STATUSES,
    FAILING_STATUSES,
    GATE_FAILING,
    SEVERITIES,
    ErrorEntry,
    Resource,
    Result,
    RuleInfo,
    Status,
    UnitStatus,
    Verdict,
    at_or_above,
    resource_sort_key,
)

ABSENT = 0xFFFFFFFF
"""A cell with no result: that rule was not evaluated on that record (only in stores built from
an arbitrary list of results)."""


def row_key(row: Sequence[int]) -> bytes:
    """A record's row of verdict indexes (:meth:`ResultStore.rows`) as a dictionary key, for
    writers that handle each distinct row once."""
    return row.tobytes() if isinstance(row, array) else bytes(array("I", row))


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
            index = self.intern(Verdict(outcome[0], outcome[1], outcome[2], outcome[3], None))
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
                Verdict(
                    result.status, result.message, result.path, result.evidence, result.annotation
                )
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
            flags = [verdict.status.is_finding for verdict in self.verdicts]
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

    def places(
        self, *, everything: bool = False, group: Callable[[Result], int] | None = None
    ) -> Iterator[tuple[int, int, int]]:
        """(record number, rule position, verdict index) of every finding in report order, or
        of every result with ``everything``: for writers that format each distinct verdict
        once instead of once per result. With ``group`` (findings only), ordered by its value
        first (stable: report order within a group); ``group`` must depend on the result's
        rule and verdict only, not its record: it is asked once per distinct pair."""
        width, cells = self.width, self.cells
        if everything:
            for record, _, row in self.rows():
                for position, index in enumerate(row):
                    if index != ABSENT:
                        yield record, position, index
            return
        if group is None:
            for cell in self.finding_cells():
                record, position = divmod(cell, width)
                yield record, position, cells[cell]
            return
        groups: dict[int, int] = {}  # verdict index * width + rule position -> group
        buckets: dict[int, array[int]] = {}
        for cell in self.finding_cells():
            pair = cells[cell] * width + cell % width
            key = groups.get(pair)
            if key is None:
                found = self.result(cell // width, cell % width)
                assert found is not None
                key = groups[pair] = group(found)
            bucket = buckets.get(key)
            if bucket is None:
                bucket = buckets[key] = array("Q")
            bucket.append(cell)
        for key in sorted(buckets):
            for cell in buckets.pop(key):
                record, position = divmod(cell, width)
                yield record, position, cells[cell]

    def findings(self, group: Callable[[Result], int] | None = None) -> Iterator[Result]:
        """Every result that is a finding, in report order, or grouped as :meth:`places`
        says."""
        for record, position, _ in self.places(group=group):
            found = self.result(record, position)
            assert found is not None
            yield found

    def verdict_tally(self) -> list[dict[int, int]]:
        """Per rule (store order): how many results have each verdict (by index)."""
        if self._tally is None:
            self._tally = [
                Counter(self.cells[position :: self.width]) for position in range(self.width)
            ]
        return self._tally

    def tally(self) -> list[dict[Status, int]]:
        """Per rule (store order): how many results have each status."""
        verdicts = self.verdicts
        counts: list[dict[Status, int]] = []
        for column in self.verdict_tally():
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


@dataclass(frozen=True, slots=True)
class Summary:
    """What a report counts, counted once for every format: results by status, failures by
    severity, and the accounts and regions the run covered (from its records, its collection
    units and its errors: an account that could not be read was still in scope)."""

    records: int
    rules: int
    by_status: Mapping[Status, int]
    failing_by_severity: Mapping[str, int]
    """``fail``, ``error`` and ``unknown`` results per severity (what human reports show)."""
    gate_by_severity: Mapping[str, Mapping[str, int]]
    """``fail`` and ``error`` results per severity (the JSON contract's ``by_severity``)."""
    accounts: tuple[str, ...]
    regions: tuple[str, ...]

    def count(self, *statuses: Status) -> int:
        return sum(self.by_status[status] for status in statuses)

    @property
    def failing(self) -> int:
        return self.count(*FAILING_STATUSES)

    @property
    def accepted(self) -> int:
        return self.count(*ACCEPTED_STATUSES)

    def as_dict(self) -> dict[str, Any]:
        """The JSON report's ``summary``."""
        summary: dict[str, Any] = {"records": self.records, "rules": self.rules}
        summary.update({status.value: self.by_status[status] for status in Status})
        summary["by_severity"] = {
            sev: dict(counts) for sev, counts in self.gate_by_severity.items()
        }
        return summary


def summarize(report: Report) -> Summary:
    """Counts by status and severity, every result counted (from the tallies, not results)."""
    by_status = dict.fromkeys(Status, 0)
    failing = dict.fromkeys(SEVERITIES, 0)
    gate = {sev: {"fail": 0, "error": 0} for sev in SEVERITIES}
    for info, tally in zip(report.results.rules, report.results.tally(), strict=True):
        for status, count in tally.items():
            by_status[status] += count
            if status in FAILING_STATUSES:
                failing[info.severity] += count
            if status in GATE_FAILING:
                gate[info.severity][status.value] += count
    places: list[Resource | UnitStatus | ErrorEntry] = [
        *report.results.resources,
        *report.units,
        *report.errors,
    ]
    return Summary(
        records=report.records,
        rules=len(report.rules),
        by_status=by_status,
        failing_by_severity=failing,
        gate_by_severity=gate,
        accounts=tuple(sorted({p.account for p in places if p.account})),
        regions=tuple(sorted({p.region for p in places if p.region})),
    )


def rule_tally(report: Report) -> list[tuple[RuleInfo, dict[Status, int]]]:
    """Per rule of the results: how many results of each status (every result counts)."""
    return list(zip(report.results.rules, report.results.tally(), strict=True))
