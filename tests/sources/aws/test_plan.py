"""Planning a live run (checker/sources/aws/plan.py): the regions each account reads, and when
a run is split between collector processes. (Splitting itself: test_processes.py.)"""

from __future__ import annotations

import pytest

from checker.errors import UsageError
from checker.sources.aws import plan
from checker.sources.aws.accounts import AccountTarget
from checker.sources.aws.options import LiveOptions
from checker.sources.aws.plan import (
    PlannedAccount,
    plan_accounts,
    process_count,
    regions_wanted,
)

ROLE = "arn:aws:iam::111111111111:role/r"


@pytest.mark.parametrize(
    "target_regions, option_regions, default, wanted",
    [
        (None, (), "eu-west-1", ("eu-west-1",)),  # the session's region
        (None, ("us-east-1", "ap-south-1"), "eu-west-1", ("us-east-1", "ap-south-1")),
        (("all",), ("us-east-1",), "eu-west-1", ("all",)),  # the accounts file wins
        (("sa-east-1",), (), None, ("sa-east-1",)),
        (None, ("all",), None, ("all",)),
    ],
)
def test_regions_wanted(
    target_regions: tuple[str, ...] | None,
    option_regions: tuple[str, ...],
    default: str | None,
    wanted: tuple[str, ...],
) -> None:
    target = AccountTarget("111111111111", ROLE, regions=target_regions)
    assert regions_wanted(target, LiveOptions(regions=option_regions), default) == wanted


def test_no_region_anywhere_is_a_usage_error_for_the_first_account_without_one() -> None:
    targets = [AccountTarget("111111111111", ROLE, regions=("us-east-1",)), AccountTarget()]
    with pytest.raises(UsageError, match="no region: give --region REGION"):
        plan_accounts(targets, LiveOptions(), None)


@pytest.mark.parametrize(
    "regions, estimate",
    [(("us-east-1",), 1), (("us-east-1", "eu-west-1"), 2), (("all",), plan.ALL_REGIONS_ESTIMATE)],
)
def test_units_estimate(regions: tuple[str, ...], estimate: int) -> None:
    assert PlannedAccount(AccountTarget(), regions).units_estimate == estimate


@pytest.mark.parametrize(
    "requested, accounts, regions, safe, cpus, processes",
    [
        (3, 1, ("us-east-1",), False, 1, 3),  # asked for: no other check
        (None, 50, ("us-east-1", "eu-west-1"), True, 2, 2),  # 100 units
        (None, 49, ("us-east-1", "eu-west-1"), True, 2, 1),  # 98 units: not worth a fork
        (None, 5, ("all",), True, 2, 2),  # 5 x 20 estimated
        (None, 50, ("us-east-1", "eu-west-1"), False, 2, 1),  # threads running, or not Linux
        (None, 50, ("us-east-1", "eu-west-1"), True, 8, plan.PROCESSES),
    ],
)
def test_process_count(
    monkeypatch: pytest.MonkeyPatch,
    requested: int | None,
    accounts: int,
    regions: tuple[str, ...],
    safe: bool,
    cpus: int,
    processes: int,
) -> None:
    monkeypatch.setattr(plan, "can_fork", lambda: safe)
    monkeypatch.setattr(plan, "usable_cpus", lambda: cpus)
    planned = [PlannedAccount(AccountTarget(), regions)] * accounts
    assert process_count(requested, planned) == processes
