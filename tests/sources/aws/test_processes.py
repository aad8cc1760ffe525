"""Collector processes (checker/sources/aws/processes.py): the same run split between forked
processes gives exactly the in-process answer, and a collector that dies or raises loses
nothing it sent and turns everything else into error entries."""

from __future__ import annotations

import json
import os
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.aws_server import Behaviour, FakeAws, accounts, live_args
from tests.conftest import NOW
from tests.helpers import run_cli

ACCOUNTS = list(accounts(5))
REGIONS = ["us-east-1", "eu-west-1", "ap-south-1"]


@pytest.fixture
def fake() -> Iterator[FakeAws]:
    behaviour = Behaviour(
        count=2,
        latency=0.005,
        access_denied={f"{ACCOUNTS[1]}/eu-west-1"},
        deny_assume_role={ACCOUNTS[3]},
    )
    with FakeAws(behaviour) as server:  # FakeAws points the EC2 endpoint at itself
        yield server


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the forks made in this (parent) process."""
    made: list[int] = []
    real_fork = os.fork

    def counting_fork() -> int:
        pid = real_fork()
        if pid:
            made.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counting_fork)
    return made


def accounts_file(tmp_path: Path, regions: list[str] = REGIONS) -> str:
    path = tmp_path / "accounts.yaml"
    ids = "\n".join(f'  - id: "{account}"' for account in ACCOUNTS)
    path.write_text(
        textwrap.dedent(
            f"""\
            defaults:
              role_name: wfcheck-audit
              regions: [{", ".join(regions)}]
            accounts:
            """
        )
        + ids
        + "\n"
    )
    return str(path)


def collect(server: FakeAws, path: str, processes: int | None, workers: int = 4) -> Any:
    from checker.sources.aws.collect import AwsSource
    from checker.sources.aws.options import LiveOptions

    progress: list[tuple[int, int, int, int]] = []
    source = AwsSource(
        LiveOptions(
            endpoint_url=server.url,
            sts_endpoint_url=server.url,
            accounts_file=path,
            workers=workers,
            timeout=5,
        ),
        processes=processes,
        progress=lambda *counts: progress.append(counts),
    )
    records = list(source.records())
    return records, source.units, source.errors, progress


def test_collector_processes_give_the_in_process_answer(
    fake: FakeAws, forks: list[int], tmp_path: Path
) -> None:
    path = accounts_file(tmp_path)
    alone = collect(fake, path, processes=1)
    assert forks == []
    split = collect(fake, path, processes=2)
    assert len(forks) == 2
    assert split[:3] == alone[:3]  # records, units, errors: same values, same order
    records, _, errors, progress = split
    assert len(records) == 2 * (len(ACCOUNTS) * len(REGIONS) - len(REGIONS) - 1)
    assert sorted({(e.account, e.code) for e in errors}) == [
        (ACCOUNTS[1], "AccessDeniedException"),
        (ACCOUNTS[3], "AccessDenied"),
    ]
    assert progress[0] == (0, 0, 0, 0)
    assert progress[-1] == (12, 12, len(records), 2)


def test_collectors_never_exceed_workers_in_flight(
    fake: FakeAws, forks: list[int], tmp_path: Path
) -> None:
    collect(fake, accounts_file(tmp_path), processes=2, workers=3)
    assert len(forks) == 2
    assert fake.max_in_flight <= 3
    assert len(fake.calls_to("ListWorkforces")) == 12
    assert len(fake.calls_to("AssumeRole")) == len(ACCOUNTS)  # once per account, any process


def test_a_collector_that_dies_loses_nothing_and_hides_nothing(
    fake: FakeAws, forks: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checker.sources.aws import collect as collection

    read_unit = collection.read_unit

    def dies_on_one_unit(prepared: Any, region: str, *args: Any) -> Any:
        if prepared.target.account_id == ACCOUNTS[2] and region == "ap-south-1":
            os._exit(9)  # only ever reached in a collector process
        return read_unit(prepared, region, *args)

    monkeypatch.setattr(collection, "read_unit", dies_on_one_unit)
    records, units, errors, progress = collect(fake, accounts_file(tmp_path), processes=2)
    assert len(forks) == 2
    # every unit is there exactly once, ok or as an error
    keys = [(u.account, u.region) for u in units]
    assert sorted(keys) == sorted((a, r) for a in ACCOUNTS for r in REGIONS)
    lost = {(e.account, e.region) for e in errors if e.code == "CollectorFailed"}
    assert (ACCOUNTS[2], "ap-south-1") in lost
    assert all("status 9" in e.message for e in errors if e.code == "CollectorFailed")
    for unit in units:
        if (unit.account, unit.region) in lost:
            assert unit.status == "error"
    # accounts 0, 2, 4 went to the failed collector; 1 and 3 to the other, which finished
    assert not {account for account, _ in lost} & {ACCOUNTS[1], ACCOUNTS[3]}
    # the records of every unit that ended ok are there
    ok = {(u.account, u.region) for u in units if u.status == "ok"}
    assert sorted({(r.resource.account, r.resource.region) for r in records}) == sorted(ok)
    assert progress[-1][:2] == (12, 12)  # every readable unit (not the AssumeRole failure)


def test_a_collector_that_raises_reports_why(
    fake: FakeAws, forks: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checker.sources.aws import collect as collection

    prepare = collection.prepare_account

    def fails_for_one_account(planned: Any, factory: Any) -> Any:
        if planned.target.account_id == ACCOUNTS[4]:
            raise RuntimeError("boom")
        return prepare(planned, factory)

    monkeypatch.setattr(collection, "prepare_account", fails_for_one_account)
    _, units, errors, _ = collect(fake, accounts_file(tmp_path), processes=2)
    failed = [e for e in errors if e.code == "CollectorFailed"]
    assert (ACCOUNTS[4], "us-east-1") in {(e.account, e.region) for e in failed}
    assert all(e.message == "not read: RuntimeError: boom" for e in failed)
    statuses = {(u.account, u.region): u.status for u in units}
    assert all(statuses[ACCOUNTS[4], region] == "error" for region in REGIONS)


def test_no_process_to_spare_falls_back_to_this_process(
    fake: FakeAws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = accounts_file(tmp_path)
    alone = collect(fake, path, processes=1)
    started: list[int] = []
    real_fork = os.fork

    def second_fork_fails() -> int:
        if started:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        pid = real_fork()
        if pid:
            started.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", second_fork_fails)
    assert collect(fake, path, processes=2)[:3] == alone[:3]
    assert len(started) == 1
    with pytest.raises(ChildProcessError):  # the collector already started was stopped, reaped
        os.waitpid(started[0], os.WNOHANG)


def test_shares_are_round_robin_and_split_the_workers(tmp_path: Path) -> None:
    from checker.sources.aws.accounts import load_accounts_file
    from checker.sources.aws.options import LiveOptions
    from checker.sources.aws.plan import plan_accounts, split_into_shares

    targets = load_accounts_file(accounts_file(tmp_path))
    accounts = plan_accounts(targets, LiveOptions(), None)
    shares = split_into_shares(accounts, workers=5, processes=2)
    assert shares is not None
    assert [[a.target.account_id for a in share.accounts] for share in shares] == [
        ACCOUNTS[0::2],
        ACCOUNTS[1::2],
    ]
    assert [share.workers for share in shares] == [3, 2]
    assert all(a.regions == tuple(REGIONS) for share in shares for a in share.accounts)
    assert split_into_shares(accounts, workers=1, processes=2) is None  # one thread: no split
    assert split_into_shares(accounts[:1], workers=5, processes=2) is None  # one account
    assert split_into_shares(accounts, workers=5, processes=1) is None


@pytest.mark.parametrize(
    "min_units, safe_to_fork, forked",
    [(1, True, True), (1000, True, False), (1, False, False)],
)
def test_automatic_choice(
    fake: FakeAws,
    forks: list[int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    min_units: int,
    safe_to_fork: bool,
    forked: bool,
) -> None:
    """Collectors only for a large enough run, where forking is safe (checker.forking says no
    here because of the test server's threads, which never touch what the collectors use)."""
    from checker.sources.aws import plan

    monkeypatch.setattr(plan, "PROCESS_MIN_UNITS", min_units)
    monkeypatch.setattr(plan, "can_fork", lambda: safe_to_fork)
    monkeypatch.setattr(plan, "usable_cpus", lambda: 2)
    result = run_cli(
        "scan",
        "--format",
        "json",
        "--now",
        NOW,
        *live_args(fake),
        "--accounts",
        accounts_file(tmp_path),
        "--workers",
        "4",
    )
    assert result.code == 3  # the AssumeRole and AccessDenied errors
    report = json.loads(result.out)
    assert bool(forks) is forked
    assert len(report["units"]) == len(ACCOUNTS) * len(REGIONS)
    assert {e["code"] for e in report["errors"]} == {"AccessDenied", "AccessDeniedException"}


def test_scan_output_is_byte_identical_with_or_without_collectors(
    fake: FakeAws, forks: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checker.sources.aws import plan

    argv = ["scan", "--format", "json", "--now", NOW, *live_args(fake)]
    argv += ["--accounts", accounts_file(tmp_path), "--workers", "4"]
    monkeypatch.setattr(plan, "can_fork", lambda: True)
    monkeypatch.setattr(plan, "usable_cpus", lambda: 2)
    monkeypatch.setattr(plan, "PROCESS_MIN_UNITS", 10_000)
    alone = run_cli(*argv)
    assert forks == []
    monkeypatch.setattr(plan, "PROCESS_MIN_UNITS", 1)
    split = run_cli(*argv)
    assert len(forks) == 2
    assert (split.code, split.out, split.err) == (alone.code, alone.out, alone.err)
    assert alone.code == 3 and '"AccessDeniedException"' in alone.out
