"""The core values every layer shares: records in, rules, results and the report out.

Sources produce :class:`Record`; the policy layer produces :class:`Rule`; the engine turns the two
into :class:`Result`; report writers read only :class:`Report`. Nothing here does I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, NamedTuple

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
    def fails_gate(self) -> bool:
        """Whether this status fails the gate by default (``unknown`` only with
        ``--fail-on-unknown``): nothing unproven passes, so ``error`` fails too."""
        return self in _GATE_FAILING

    @property
    def is_finding(self) -> bool:
        """Failing, not decidable yet, or accepted: what human reports list (not pass/skip)."""
        return self not in (Status.PASS, Status.SKIP)


_GATE_FAILING = frozenset({Status.FAIL, Status.ERROR})
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

    A NamedTuple rather than a frozen dataclass: scans create millions of these and a tuple is
    both immutable and several times cheaper to build.
    """

    rule_id: str
    title: str
    severity: str
    status: Status
    resource: Resource
    message: str
    path: str
    remediation: str
    evidence: tuple[tuple[str, str], ...] = ()
    annotation: Mapping[str, Any] | None = None

    @property
    def fingerprint(self) -> str:
        return f"{self.rule_id}:{self.resource.key}"


@dataclass(frozen=True, slots=True)
class ErrorEntry:
    """Something that could not be read: one collection unit, or one input."""

    source: str
    message: str
    code: str = "Error"
    account: str | None = None
    region: str | None = None


@dataclass(frozen=True, slots=True)
class UnitStatus:
    """How one collection unit (file, or account x region) ended."""

    source: str
    status: str  # ok | error | skipped | partial
    records: int = 0
    account: str | None = None
    region: str | None = None
    resume_token: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Report:
    """Everything a report writer may read. Writers never see raw records."""

    tool_version: str
    generated_at: datetime
    rules: tuple[RuleInfo, ...]
    results: tuple[Result, ...]
    records: int
    errors: tuple[ErrorEntry, ...] = ()
    units: tuple[UnitStatus, ...] = ()
    sources: tuple[str, ...] = ()
    policies: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    def rule(self, rule_id: str) -> RuleInfo | None:
        for info in self.rules:
            if info.id == rule_id:
                return info
        return None


def record_sort_key(record: Record) -> tuple[str, str, str, str, str]:
    """Records in report order. Evaluating sorted records with rules sorted by id yields results
    already in report order (account, region, name, rule id) without sorting millions of them."""
    res = record.resource
    return (res.account or "", res.region or "", res.name or "", res.key, res.source)


def summarize(report: Report) -> dict[str, Any]:
    """Counts by status and, for failing statuses, by severity."""
    counts = {status: 0 for status in STATUSES}
    by_severity: dict[str, dict[str, int]] = {sev: {} for sev in SEVERITIES}
    for result in report.results:
        counts[result.status.value] += 1
        if result.status in (Status.FAIL, Status.ERROR):
            bucket = by_severity[result.severity]
            bucket[result.status.value] = bucket.get(result.status.value, 0) + 1
    summary: dict[str, Any] = {"records": report.records, "rules": len(report.rules)}
    summary.update(counts)
    summary["by_severity"] = {
        sev: {"fail": by_severity[sev].get("fail", 0), "error": by_severity[sev].get("error", 0)}
        for sev in SEVERITIES
    }
    return summary
