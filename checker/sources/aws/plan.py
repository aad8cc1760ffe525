"""Planning a live run: which accounts, which regions in each, and how the work is split.

A *unit* is one account x region. Planning happens in order, before any unit is read:
the targets (:func:`list_targets`: the caller's account, one role, an accounts file, or an
Organization's accounts), the regions each asks for (:func:`regions_wanted`: a missing region
is a usage error now, not once per unit), then, per account on the thread pool, AssumeRole and
the enabled regions (:func:`prepare_account`). Large runs are dealt out to collector processes
(:func:`split_into_shares`), round-robin so the split is always the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from checker.awsapi.session import HOME_REGION
from checker.errors import UsageError
from checker.forking import can_fork, usable_cpus
from checker.model import ErrorEntry, UnitStatus
from checker.sources.aws.accounts import (
    SESSION_NAME,
    AccountTarget,
    assume_role_credentials,
    organization_accounts,
    partition_of_arn,
)
from checker.sources.aws.clients import ClientFactory
from checker.sources.aws.errors import describe_failure
from checker.sources.aws.options import LiveOptions, account_of_role

SOURCE_NAME = "aws"
ALL = ("all",)
ALL_REGIONS_ESTIMATE = 20  # units per account planned with --region all
PROCESSES = 2  # collector processes for large runs (client creation is CPU-bound under the GIL)
PROCESS_MIN_UNITS = 100  # below this, forking costs more than it saves


@dataclass(frozen=True, slots=True)
class TargetList:
    """The accounts to read, and what failed while listing them (an Organizations error)."""

    targets: list[AccountTarget]
    errors: list[ErrorEntry] = field(default_factory=list)
    units: list[UnitStatus] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PlannedAccount:
    """A target with the regions it asks for: names, or ``("all",)`` for every enabled one."""

    target: AccountTarget
    regions: tuple[str, ...]

    @property
    def units_estimate(self) -> int:
        return ALL_REGIONS_ESTIMATE if self.regions == ALL else len(self.regions)


@dataclass
class PreparedAccount:
    """An account ready to read: its session, the regions to read, those skipped, or why it
    cannot be read (``error``: AssumeRole failed; ``regions`` then says which units that
    loses). ``session`` never leaves the process that made it (:meth:`without_session`)."""

    target: AccountTarget
    session: Any = None
    regions: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    note: str | None = None
    error: ErrorEntry | None = None

    def without_session(self) -> PreparedAccount:
        return replace(self, session=None)


@dataclass(frozen=True, slots=True)
class Share:
    """One collector process's part of a run: its accounts and its threads."""

    accounts: tuple[PlannedAccount, ...]
    workers: int


def list_targets(
    options: LiveOptions, file_targets: list[AccountTarget] | None, factory: ClientFactory
) -> TargetList:
    """The accounts the options name; an Organizations failure is an error entry, not a stop."""
    if file_targets is not None:
        return TargetList(file_targets)
    if options.role_arn:
        account = account_of_role(options.role_arn)
        return TargetList([AccountTarget(account, options.role_arn, options.external_id)])
    if not options.org:
        return TargetList([AccountTarget()])
    try:
        client = factory.client("organizations", HOME_REGION.get(factory.partition, "us-east-1"))
        targets = organization_accounts(
            client, str(options.role_name), options.external_id, factory.partition
        )
    except Exception as exc:
        code, message = describe_failure(exc)
        return TargetList(
            [],
            [ErrorEntry(SOURCE_NAME, f"Organizations ListAccounts: {message}", code)],
            [UnitStatus(SOURCE_NAME, "error", note="organizations")],
        )
    return TargetList(targets)


def regions_wanted(
    target: AccountTarget, options: LiveOptions, default_region: str | None
) -> tuple[str, ...]:
    """The target's own regions, else ``--region``, else the session's; none is a usage error."""
    regions = target.regions or options.regions
    if regions:
        return regions
    if default_region:
        return (default_region,)
    raise UsageError(
        "no region: give --region REGION (repeatable) or --region all, or "
        "set AWS_REGION or a profile region"
    )


def plan_accounts(
    targets: Sequence[AccountTarget], options: LiveOptions, default_region: str | None
) -> list[PlannedAccount]:
    return [
        PlannedAccount(target, regions_wanted(target, options, default_region))
        for target in targets
    ]


def prepare_account(planned: PlannedAccount, factory: ClientFactory) -> PreparedAccount:
    """AssumeRole (when the target names a role) and, for ``--region all``, the regions enabled
    in the account. Never raises: a failure is the account's ``error`` or a note."""
    target = planned.target
    prepared = PreparedAccount(target)
    if target.role_arn:
        try:
            credentials = assume_role_credentials(
                factory.sts(), target.role_arn, target.external_id, SESSION_NAME
            )
        except Exception as exc:
            code, message = describe_failure(exc)
            prepared.error = ErrorEntry(
                SOURCE_NAME, f"AssumeRole {target.role_arn}: {message}", code, target.account_id
            )
            prepared.regions = [] if planned.regions == ALL else list(planned.regions)
            return prepared
        prepared.session = factory.account_session(credentials)
    if planned.regions != ALL:
        prepared.regions = list(planned.regions)
        return prepared
    _enabled_regions(prepared, factory)
    return prepared


def _enabled_regions(prepared: PreparedAccount, factory: ClientFactory) -> None:
    """Every SageMaker region of the partition that ec2:DescribeRegions says is enabled (all
    of them, with a note, when it cannot say)."""
    role = prepared.target.role_arn
    partition = partition_of_arn(role) if role else factory.partition
    available = factory.sagemaker_regions(partition)
    home = (
        factory.region
        if factory.region in available
        else HOME_REGION.get(partition, available[0] if available else "us-east-1")
    )
    try:
        client = factory.client("ec2", home, prepared.session)
        try:
            enabled = {
                item["RegionName"] for item in client.describe_regions().get("Regions") or []
            }
        finally:
            client.close()
    except Exception as exc:
        code, _ = describe_failure(exc)
        prepared.regions = available
        prepared.note = f"ec2:DescribeRegions failed ({code}): every SageMaker region was tried"
        return
    prepared.regions = [region for region in available if region in enabled]
    prepared.skipped = [
        (region, "region not enabled in this account")
        for region in available
        if region not in enabled
    ]


def process_count(requested: int | None, accounts: Sequence[PlannedAccount]) -> int:
    """How many collector processes to use: ``requested`` when given (tests); otherwise one,
    unless the run has at least ``PROCESS_MIN_UNITS`` units and forking is safe here."""
    if requested is not None:
        return requested
    units = sum(account.units_estimate for account in accounts)
    if units < PROCESS_MIN_UNITS or not can_fork():
        return 1
    return min(PROCESSES, usable_cpus())


def split_into_shares(
    accounts: Sequence[PlannedAccount], workers: int, processes: int
) -> list[Share] | None:
    """The accounts each collector process reads (round-robin: deterministic) with its part of
    ``workers`` (so the run never has more requests in flight), or None to collect in this
    process: one process, one account, or fewer workers than processes."""
    processes = min(processes, len(accounts), workers)
    if processes < 2:
        return None
    per_process, extra = divmod(workers, processes)
    return [
        Share(tuple(accounts[index::processes]), per_process + (index < extra))
        for index in range(processes)
    ]
