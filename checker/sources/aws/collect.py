"""Live collection: every workforce in every account x region, through the paginator.

A *unit* is one account x region. Units run on a thread pool of ``workers`` threads, each doing
one request at a time, so never more than ``workers`` requests are in flight. Every unit ends as
``ok`` (or ``partial`` when ``--max-items`` stopped it, with the paginator's resume token) or
with an :class:`ErrorEntry` naming account, region and the AWS error code; the rest of the run
goes on. Results are merged sorted by account and region, so output does not depend on timing.

Before any unit starts, the base credentials are resolved once (missing credentials, an unknown
profile or an expired SSO login end the run with one line, exit 2), the accounts listed and
their regions checked. Large runs (see :func:`checker.sources.aws.plan.process_count`) are
split by account between forked collector processes (:mod:`checker.sources.aws.processes`),
because the per-unit CPU (client, signed request, freeing the client) is serialized by the GIL;
the merge is the same, so is the output.
"""

from __future__ import annotations

import gc
import queue
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from checker.model import ErrorEntry, Record, UnitState, UnitStatus
from checker.related import MEMBER
from checker.sources.aws.accounts import AccountTarget, describe_targets, load_accounts_file
from checker.sources.aws.clients import ClientFactory
from checker.sources.aws.errors import MalformedResponse, describe_failure
from checker.sources.aws.events import (
    AccountPrepared,
    AccountSkipped,
    Event,
    UnitOutcome,
    UnitRead,
)
from checker.sources.aws.options import LiveOptions
from checker.sources.aws.plan import (
    SOURCE_NAME,
    PlannedAccount,
    PreparedAccount,
    Share,
    list_targets,
    plan_accounts,
    prepare_account,
    process_count,
    split_into_shares,
)
from checker.sources.aws.processes import run_in_processes
from checker.sources.aws.related import (
    RelatedCallFailed,
    RelatedRead,
    list_workteams,
    read_related,
)
from checker.sources.base import RecordSource, make_record

GC_EVERY = 64
"""Clients created between garbage collections while collecting (a dead client holds about
0.35 MB until then): a unit creates one, plus one per other service its related kinds need.
Collecting more often costs no measurable CPU (the pass frees what it walks)."""

#: ``(units done, units planned, records, errors)``, called as the counts change.
ProgressHook = Callable[[int, int, int, int], None]


@contextmanager
def garbage_collected_in_batches() -> Iterator[None]:
    """Run the cyclic GC only when the caller asks (``gc.collect()`` every ``GC_EVERY`` clients).

    Every botocore client is a web of reference cycles, so each closed client is garbage only
    the cyclic GC frees, and each automatic generation-2 pass also walks the loaded service
    models: left alone, the GC costs more CPU than creating the clients. With it off entirely
    (as the report builder pauses it), a thousand dead clients take ~800 MB. So: everything
    loaded so far (models, rulesets) is frozen out of the GC's sight, automatic passes are off,
    and dead clients are collected in batches.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    gc.freeze()
    try:
        yield
    finally:
        gc.collect()
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def read_unit(
    account: PreparedAccount, region: str, factory: ClientFactory, options: LiveOptions
) -> UnitOutcome:
    """List every workforce of one account x region (every page); never raises: a failure is
    the outcome's error, with whatever was read before it."""
    account_id = account.target.account_id
    workforces: list[dict[str, Any]] = []
    clients: dict[str, Any] = {}

    def client_for(service: str) -> Any:
        if service not in clients:
            endpoint = options.endpoint_url if service == "sagemaker" else None
            clients[service] = factory.client(service, region, account.session, endpoint)
        return clients[service]

    related: list[RelatedRead] = []
    try:
        client = client_for("sagemaker")
        pages = client.get_paginator("list_workforces").paginate(
            **options.listing.parameters(),
            PaginationConfig=options.listing.pagination_config(),
        )
        for page in pages:
            batch = page.get("Workforces")
            if not isinstance(batch, list) or not all(isinstance(w, dict) for w in batch):
                raise MalformedResponse(
                    "ListWorkforces response has no Workforces list (unparsable or unexpected body)"
                )
            workforces.extend(batch)
        token = pages.resume_token
    except Exception as exc:
        code, message = describe_failure(exc)
        note = f"{len(workforces)} workforce(s) read before the error" if workforces else None
        return UnitOutcome(
            account_id,
            region,
            workforces,
            UnitStatus(SOURCE_NAME, "error", len(workforces), account_id, region, note=note),
            ErrorEntry(SOURCE_NAME, message, code, account_id, region),
        )
    else:
        related = read_unit_related(workforces, options.related, client_for, account_id, region)
    finally:
        for client in clients.values():
            client.close()
    status: UnitState = "partial" if token else "ok"
    note = "stopped at --max-items" if token else account.note
    unit = UnitStatus(
        SOURCE_NAME, status, len(workforces), account_id, region, resume_token=token, note=note
    )
    states = [read.state for read in related] if related else None
    # one entry per failure: a failed ListWorkteams (one call for the unit) is named once
    errors = list(dict.fromkeys(error for read in related for error in read.errors))
    return UnitOutcome(account_id, region, workforces, unit, related=states, related_errors=errors)


def read_unit_related(
    workforces: list[dict[str, Any]],
    kinds: frozenset[str],
    client_for: Callable[[str], Any],
    account: str | None,
    region: str,
) -> list[RelatedRead]:
    """Each workforce's related resources, put under its ``Related`` member (none without
    ``kinds``); ListWorkteams is read once for the unit."""
    if not kinds or not workforces:
        return []
    teams: list[dict[str, Any]] | RelatedCallFailed = []
    if "workteams" in kinds:
        try:
            teams = list_workteams(client_for)
        except RelatedCallFailed as failed:
            teams = failed
    reads = []
    for workforce in workforces:
        read = read_related(workforce, kinds, client_for, account, region, teams)
        workforce[MEMBER] = read.member
        reads.append(read)
    return reads


def collect_events(
    accounts: Sequence[PlannedAccount], workers: int, factory: ClientFactory, options: LiveOptions
) -> Iterator[Event]:
    """Read ``accounts`` on ``workers`` threads; yield an event as each thing finishes (an
    account skipped or prepared, then each of its units read). Runs in this process or in a
    collector process."""
    # Completions arrive on a queue (not concurrent.futures.wait, which re-scans every
    # pending future on each call: quadratic at a thousand units).
    finished: queue.SimpleQueue[tuple[int, Future[Any]]] = queue.SimpleQueue()
    outstanding = units = 0
    per_unit = len(factory.services(options.related))
    every = max(1, GC_EVERY // per_unit)

    def submit(index: int, function: Callable[..., Any], *args: Any) -> None:
        nonlocal outstanding
        future = pool.submit(function, *args)
        future.add_done_callback(lambda done: finished.put((index, done)))
        outstanding += 1

    with ThreadPoolExecutor(workers, thread_name_prefix="wfcheck") as pool:
        try:
            for index, planned in enumerate(accounts):
                target = planned.target
                if target.state == "ACTIVE":
                    submit(index, prepare_account, planned, factory)
                else:
                    note = f"account {target.state.lower()}"
                    unit = UnitStatus(SOURCE_NAME, "skipped", 0, target.account_id, note=note)
                    yield AccountSkipped(index, unit)
            while outstanding:
                index, future = finished.get()
                outstanding -= 1
                item = future.result()
                if isinstance(item, UnitOutcome):
                    units += 1
                    if units % every == 0:
                        gc.collect()
                    yield UnitRead(index, item)
                    continue
                if item.error is None:
                    for region in item.regions:
                        submit(index, read_unit, item, region, factory, options)
                yield AccountPrepared(index, item)
        except BaseException:  # Ctrl-C, or the consumer gone: drop queued units
            pool.shutdown(wait=False, cancel_futures=True)
            raise


class Merge:
    """Gathers events (from this process or from collectors) into units, errors and records,
    counting progress; :meth:`finish` sorts, so the order never depends on timing."""

    def __init__(
        self,
        progress: ProgressHook | None,
        units: Sequence[UnitStatus] = (),
        errors: Sequence[ErrorEntry] = (),
    ) -> None:
        self.progress = progress
        self.units = list(units)
        self.errors = list(errors)
        self.outcomes: list[UnitOutcome] = []
        self.total = self.done = self.records = self.failures = 0

    def report(self) -> None:
        if self.progress is not None:
            self.progress(self.done, self.total, self.records, len(self.errors) + self.failures)

    def add(self, event: Event) -> None:
        if isinstance(event, AccountSkipped):
            self.units.append(event.unit)
        elif isinstance(event, AccountPrepared):
            self.total += len(self._absorb_account(event.account))
        else:
            outcome = event.outcome
            self.outcomes.append(outcome)
            self.done += 1
            self.records += len(outcome.workforces)
            self.failures += outcome.error is not None
        self.report()

    def lost(self, outcome: UnitOutcome, *, planned: bool) -> None:
        self.total += not planned
        self.add(UnitRead(-1, outcome))

    def _absorb_account(self, account: PreparedAccount) -> list[str]:
        """Record an account's skipped regions or AssumeRole failure; the regions to read."""
        account_id = account.target.account_id
        for region, note in account.skipped:
            self.units.append(UnitStatus(SOURCE_NAME, "skipped", 0, account_id, region, note=note))
        if account.error is None:
            return account.regions
        self.errors.append(account.error)
        lost: list[str | None] = list(account.regions)
        for where in lost or [None]:
            self.units.append(
                UnitStatus(SOURCE_NAME, "error", 0, account_id, where, note="AssumeRole failed")
            )
        return []

    def finish(self) -> list[Record]:
        """The records in account, region order; ``units`` and ``errors`` sorted the same way."""
        self.outcomes.sort(key=lambda o: (o.account or "", o.region or ""))
        records: list[Record] = []
        for outcome in self.outcomes:
            self.units.append(outcome.unit)
            if outcome.error is not None:
                self.errors.append(outcome.error)
            records.extend(
                make_record(
                    workforce,
                    source=SOURCE_NAME,
                    source_kind="aws",
                    account=outcome.account,
                    region=outcome.region,
                    related=outcome.related[index] if outcome.related else None,
                )
                for index, workforce in enumerate(outcome.workforces)
            )
            self.errors.extend(outcome.related_errors)
        self.units.sort(key=lambda u: (u.account or "", u.region or "", u.status))
        self.errors.sort(key=lambda e: (e.account or "", e.region or "", e.code))
        return records


class AwsSource(RecordSource):
    """The live API. Construction only checks the options and reads the accounts file;
    ``records()`` collects (once) and raises :class:`CredentialsError` or
    :class:`~checker.errors.UsageError` before any unit when the run cannot start."""

    kind = "aws"

    def __init__(
        self,
        options: LiveOptions,
        *,
        progress: ProgressHook | None = None,
        on_finish: Callable[[AwsSource], None] | None = None,
        processes: int | None = None,
    ) -> None:
        super().__init__()
        options.check()
        self.options = options
        self.progress = progress
        self.on_finish = on_finish
        self.processes = processes  # None: automatic (see plan.process_count)
        self.file_targets = (
            load_accounts_file(options.accounts_file) if options.accounts_file else None
        )
        self.targets: list[AccountTarget] = []
        self._records: list[Record] | None = None

    @property
    def name(self) -> str:
        return SOURCE_NAME

    def records(self) -> Iterator[Record]:
        if self._records is None:
            try:
                self._records = self.collect()
            finally:
                if self.on_finish is not None:
                    self.on_finish(self)
        yield from self._records

    def describe(self) -> dict[str, Any]:
        data = self.options.describe()
        if self.targets and (self.options.accounts_file or self.options.org):
            data["accounts"] = describe_targets(self.targets)
        return data

    @property
    def truncated(self) -> list[UnitStatus]:
        """Units ``--max-items`` stopped early, each with the token to resume from."""
        return [unit for unit in self.units if unit.resume_token]

    def collect(self) -> list[Record]:
        """Plan, then read every unit (here or in collector processes); fills units/errors."""
        factory = ClientFactory(self.options)
        try:
            return self._collect(factory)
        finally:
            factory.close()

    def _collect(self, factory: ClientFactory) -> list[Record]:
        options = self.options
        factory.require_credentials()
        listed = list_targets(options, self.file_targets, factory)
        self.targets = listed.targets
        accounts = plan_accounts(self.targets, options, factory.region)
        factory.warm_up()
        merge = Merge(self.progress, listed.units, listed.errors)
        merge.report()
        with garbage_collected_in_batches():
            shares = split_into_shares(
                accounts, options.workers, process_count(self.processes, accounts)
            )

            def read_share(share: Share) -> Iterator[Event]:
                return collect_events(share.accounts, share.workers, factory, options)

            if shares is None or not run_in_processes(shares, read_share, merge):
                for event in collect_events(accounts, options.workers, factory, options):
                    merge.add(event)
            records = merge.finish()
        self.units, self.errors = merge.units, merge.errors
        return records
