"""The values every layer shares: statuses, records in, rule text, one result, collection units.

Sources produce :class:`Record`; the policy layer compiles rules around :class:`RuleInfo`; the
engine turns the two into :class:`Result` values, kept compactly in
:class:`checker.results.ResultStore` inside the :class:`checker.results.Report` that writers read.
Nothing here does I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal, NamedTuple

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
    ``deferred``). ``related_locations`` are where its related resources are written, keyed by
    their path in the record (``Related.UserPool``, ``Related.SecurityGroups[0]``).
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
    related_locations: tuple[tuple[str, Location], ...] = ()

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

    def location_for(self, path: str) -> Location | None:
        """Where the value at a result's path is written: the related resource's own block
        when the path is under one (``Related.SecurityGroups[1]...``), else the workforce's."""
        best: tuple[int, Location] | None = None
        for prefix, location in self.related_locations:
            under = path == prefix or path.startswith((f"{prefix}.", f"{prefix}["))
            if under and (best is None or len(prefix) > best[0]):
                best = (len(prefix), location)
        return best[1] if best else self.location


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
    failing results on it lead with that reason. ``identity_paths`` are unknown paths whose
    value stands for the object it names (``${aws_cognito_user_pool.labelers.id}``, a pool the
    plan creates): equal to that object's id wherever it appears, and to no other value, so a
    rule that only compares them is decided (``Operator.by_identity``).

    ``related`` says which related resources (``checker.related``) the source read, by kind:
    ``None`` when it reads none (a saved ``list-workforces`` output), else kind -> ``None``
    (read: ``Related`` holds what exists) or kind -> why it could not be read (rules that need
    it are ``error``). A kind left out was not asked for (``--related``): not evaluated.
    """

    workforce: Mapping[str, Any]
    resource: Resource
    unknown_paths: frozenset[str] = frozenset()
    sensitive_paths: frozenset[str] = frozenset()
    unknown_reasons: Mapping[str, str] = field(default_factory=dict)
    default_reasons: Mapping[str, str] = field(default_factory=dict)
    related: Mapping[str, str | None] | None = None
    identity_paths: frozenset[str] = frozenset()

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


class Verdict(NamedTuple):
    """What one rule said about one record, minus the rule and the record; a tuple, since
    estates repeat configurations and a scan shares its few distinct verdicts."""

    status: Status
    message: str
    path: str
    evidence: tuple[tuple[str, str], ...]
    annotation: Mapping[str, Any] | None


def resource_sort_key(res: Resource) -> tuple[str, str, str, str, str]:
    """Report order: account, region, workforce name, then the stable key and the source."""
    return (res.account or "", res.region or "", res.name or "", res.key, res.source)
