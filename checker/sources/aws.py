"""Live collection: every workforce in every account x region, through the paginator.

A *unit* is one account x region. Units run on a thread pool of ``workers`` threads, each doing
one request at a time, so never more than ``workers`` requests are in flight. Every unit ends as
``ok`` (or ``partial`` when ``--max-items`` stopped it, with the paginator's resume token) or
with an :class:`ErrorEntry` naming account, region and the AWS error code; the rest of the run
goes on. Results are merged sorted by account and region, so output does not depend on timing.

Clients: botocore Sessions are not thread-safe and a fresh one reloads the service model
(~100 ms). So one base session owns the loader (whose SageMaker model lists only the operation
we call: see :func:`one_operation_loader`); each assumed-role account gets one light session
sharing that loader (created once, not per unit) whose credentials refresh themselves; every
client is created under one lock. boto3/botocore are imported lazily.

Large runs (``PROCESS_MIN_UNITS`` units and more) are split by account between forked collector
processes (:mod:`checker.sources.collectors`), because the per-unit CPU (client, signed request,
freeing the client) is serialized by the GIL; the merge is the same, so is the output.
"""

from __future__ import annotations

import gc
import os
import queue
import re
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from checker import __version__
from checker.errors import UsageError
from checker.model import ErrorEntry, Record, UnitStatus
from checker.sources.accounts import (
    REGION,
    SESSION_NAME,
    AccountTarget,
    account_of_role,
    assume_role_credentials,
    describe_targets,
    fixed_credential_resolver,
    load_accounts_file,
    organization_accounts,
    partition_of_arn,
)
from checker.sources.base import RecordSource, make_record
from checker.sources.live_options import (  # re-exported: callers and tests use aws.NAME
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_TIMEOUT,
    DEFAULT_WORKERS,
    MAX_PAGE_SIZE,
    MAX_WORKERS,
    RETRY_MODES,
    SORT_BY,
    SORT_ORDER,
)

SOURCE_NAME = "aws"

MAX_MESSAGE = 500
GC_EVERY = 256  # units between garbage collections while collecting (~90 MB of dead clients)
PROCESSES = 2  # collector processes for large runs (client creation is CPU-bound under the GIL)
PROCESS_MIN_UNITS = 100  # below this, forking costs more than it saves
ALL_REGIONS_ESTIMATE = 20  # units per account planned with --region all
HOME_REGION = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}
NAME_CONTAINS = r"^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}$"


@dataclass(frozen=True, slots=True)
class ListOptions:
    """``list_workforces`` parameters and the paginator's PaginationConfig."""

    name_contains: str | None = None
    sort_by: str | None = None
    sort_order: str | None = None
    page_size: int | None = None
    max_items: int | None = None
    starting_token: str | None = None

    def parameters(self) -> dict[str, Any]:
        """ListWorkforces parameters the user set."""
        return _given(
            NameContains=self.name_contains, SortBy=self.sort_by, SortOrder=self.sort_order
        )

    def pagination_config(self) -> dict[str, Any]:
        """The paginator's PaginationConfig the user set."""
        return _given(
            PageSize=self.page_size, MaxItems=self.max_items, StartingToken=self.starting_token
        )


def _given(**values: Any) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}


@dataclass(frozen=True, slots=True)
class LiveOptions:
    """Everything the live source needs from the command line (checked before any call)."""

    listing: ListOptions = ListOptions()
    regions: tuple[str, ...] = ()
    profile: str | None = None
    endpoint_url: str | None = None
    sts_endpoint_url: str | None = None
    role_arn: str | None = None
    accounts_file: str | None = None
    org: bool = False
    role_name: str | None = None
    external_id: str | None = None
    workers: int = DEFAULT_WORKERS
    retry_mode: str = "standard"
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    timeout: float = DEFAULT_TIMEOUT

    def check(self) -> None:
        """Raise :class:`UsageError` for any bad value; nothing has touched AWS yet."""
        listing = self.listing
        if listing.page_size is not None and not 1 <= listing.page_size <= MAX_PAGE_SIZE:
            raise UsageError(f"--page-size {listing.page_size}: must be 1-{MAX_PAGE_SIZE}")
        if listing.max_items is not None and listing.max_items < 1:
            raise UsageError(f"--max-items {listing.max_items}: must be at least 1")
        if listing.name_contains is not None and not re.match(NAME_CONTAINS, listing.name_contains):
            raise UsageError(
                f"--name-contains {listing.name_contains!r}: letters, digits "
                "and hyphens, 1-63 characters"
            )
        if listing.sort_by is not None and listing.sort_by not in SORT_BY:
            raise UsageError(f"--sort-by: one of {', '.join(SORT_BY)}")
        if listing.sort_order is not None and listing.sort_order not in SORT_ORDER:
            raise UsageError(f"--sort-order: one of {', '.join(SORT_ORDER)}")
        if not 1 <= self.workers <= MAX_WORKERS:
            raise UsageError(f"--workers {self.workers}: must be 1-{MAX_WORKERS}")
        if self.retry_mode not in RETRY_MODES:
            raise UsageError(f"--retry-mode: one of {', '.join(RETRY_MODES)}")
        if not 1 <= self.max_attempts <= 20:
            raise UsageError(f"--max-attempts {self.max_attempts}: must be 1-20")
        if not 0 < self.timeout <= 900:
            raise UsageError(f"--timeout {self.timeout}: seconds, more than 0 and at most 900")
        if "all" in self.regions and len(self.regions) > 1:
            raise UsageError("--region all cannot be combined with other regions")
        for region in self.regions:
            if region != "all" and not REGION.match(region):
                raise UsageError(
                    f"--region {region!r}: not a region name (e.g. us-east-1) or 'all'"
                )
        chosen = [
            name
            for name, given in (
                ("--role-arn", self.role_arn),
                ("--accounts", self.accounts_file),
                ("--org", self.org),
            )
            if given
        ]
        if len(chosen) > 1:
            raise UsageError(f"{' and '.join(chosen)} cannot be combined: pick one")
        if self.org and not self.role_name:
            raise UsageError("--org needs --role-name NAME (the role to assume in each account)")
        if self.role_name and not (self.org or self.accounts_file):
            raise UsageError("--role-name applies to --org or --accounts only")
        if self.role_arn and not account_of_role(self.role_arn):
            raise UsageError(
                f"--role-arn {self.role_arn!r}: expected arn:aws:iam::123456789012:role/NAME"
            )
        if listing.starting_token is not None and (
            self.accounts_file or self.org or len(self.regions) > 1 or "all" in self.regions
        ):
            raise UsageError(
                "--starting-token resumes one listing: use it with one account and one --region"
            )

    def describe(self) -> dict[str, Any]:
        """The options as the snapshot records them: no secrets, no credentials in URLs."""
        listing = {
            "name_contains": self.listing.name_contains,
            "sort_by": self.listing.sort_by,
            "sort_order": self.listing.sort_order,
            "page_size": self.listing.page_size,
            "max_items": self.listing.max_items,
            "starting_token": self.listing.starting_token,
        }
        data: dict[str, Any] = {
            "regions": list(self.regions) or None,
            "profile": self.profile,
            "endpoint_url": _public_url(self.endpoint_url),
            "role_arn": self.role_arn,
            "accounts_file": self.accounts_file,
            "org": self.org or None,
            "role_name": self.role_name,
            "external_id": "(set)" if self.external_id else None,
            "workers": self.workers,
            "retry_mode": self.retry_mode,
            "max_attempts": self.max_attempts,
            "timeout": self.timeout,
        }
        data.update(listing)
        return {key: value for key, value in data.items() if value is not None}


def _cpus() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _other_threads() -> bool:
    """Whether threads besides this one run (then forking is unsafe: one may hold a lock)."""
    return threading.active_count() > 1


def _public_url(url: str | None) -> str | None:
    """A URL without any user:password part."""
    if not url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class MalformedResponse(Exception):
    """A 200 response whose body is not the ListWorkforces shape (botocore accepts it)."""


def describe_failure(exc: BaseException) -> tuple[str, str]:
    """(code, one-line message) for anything a unit can end with; never a credential."""
    from botocore import exceptions as bx
    from botocore.parsers import ResponseParserError

    if isinstance(exc, bx.ClientError):
        error = exc.response.get("Error") or {}
        meta = exc.response.get("ResponseMetadata") or {}
        code = str(error.get("Code") or meta.get("HTTPStatusCode") or "ClientError")
        message = str(error.get("Message") or exc)
        retries = int(meta.get("RetryAttempts") or 0)
        if retries:
            message += f" (gave up after {retries + 1} attempts)"
    elif isinstance(exc, (bx.ReadTimeoutError, bx.ConnectTimeoutError)):
        code, message = "Timeout", str(exc)
    elif isinstance(exc, (bx.EndpointConnectionError, bx.ConnectionClosedError)):
        code, message = "EndpointConnectionError", str(exc)
    elif isinstance(exc, (ResponseParserError, MalformedResponse)):
        code, message = "MalformedResponse", str(exc)
    elif isinstance(
        exc, (bx.NoCredentialsError, bx.PartialCredentialsError, bx.CredentialRetrievalError)
    ):
        code, message = "NoCredentials", str(exc)
    elif isinstance(exc, bx.ParamValidationError):
        code, message = "InvalidParameter", str(exc)
    elif isinstance(exc, bx.BotoCoreError):
        code, message = type(exc).__name__, str(exc)
    elif isinstance(exc, ValueError):
        code, message = "InvalidStartingToken", str(exc)
    else:
        code, message = type(exc).__name__, str(exc) or type(exc).__name__
    message = " ".join(message.split())
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 3] + "..."
    return code, message


@contextmanager
def garbage_collected_in_batches() -> Iterator[None]:
    """Run the cyclic GC only when the caller asks (``gc.collect()`` every ``GC_EVERY`` units).

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


def keep_only_list_workforces(class_attributes: dict[str, Any], **_: Any) -> None:
    """``creating-client-class.sagemaker`` handler: drop the ~400 generated API methods we never
    call before botocore builds the class. Dropped now, they are freed by reference counting;
    kept, each client's class would hand them all to the cyclic GC (a third of its work)."""
    for name in list(class_attributes.get("_PY_TO_OP_NAME", ())):
        if name != "list_workforces":
            class_attributes.pop(name, None)


def one_operation_loader(loader: Any) -> Any:
    """A botocore Loader (same search paths) whose SageMaker model has one operation.

    botocore builds a client class per client, creating a method object for each of the ~400
    SageMaker operations before any ``creating-client-class`` handler can drop them: about a
    third of a client's creation cost. Giving the client a model that lists only
    ``ListWorkforces`` (shapes, metadata, paginators and endpoint rules unchanged) skips that.
    Models are loaded through ``Loader.load_service_model``, the documented extension point
    (custom data paths work the same way).
    """
    from botocore.loaders import Loader

    class OneOperationLoader(Loader):  # type: ignore[misc]
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self._pruned: dict[str, dict[str, Any]] = {}

        def load_service_model(
            self, service_name: str, type_name: str, api_version: str | None = None
        ) -> Any:
            model = super().load_service_model(service_name, type_name, api_version)
            if service_name != "sagemaker" or type_name != "service-2":
                return model
            key = api_version or ""
            pruned = self._pruned.get(key)
            if pruned is None:
                operations = model.get("operations") or {}
                pruned = dict(model)
                pruned["operations"] = {
                    name: operations[name] for name in ("ListWorkforces",) if name in operations
                }
                self._pruned[key] = pruned
            return pruned

    return OneOperationLoader(
        extra_search_paths=list(loader.search_paths), include_default_search_paths=False
    )


class ClientFactory:
    """Every client of a run comes from here: one loader, one lock, explicit retries/timeouts."""

    def __init__(self, options: LiveOptions) -> None:
        import botocore.session
        from botocore.config import Config
        from botocore.exceptions import ProfileNotFound

        self.options = options
        self._lock = threading.Lock()
        try:
            self.session = botocore.session.Session(profile=options.profile)
            self.session.get_scoped_config()
        except ProfileNotFound as exc:
            raise UsageError(f"--profile: {exc}") from None
        self.session.user_agent_extra = f"wfcheck/{__version__}"
        self.session.register("creating-client-class.sagemaker", keep_only_list_workforces)
        self.loader = one_operation_loader(self.session.get_component("data_loader"))
        self.session.register_component("data_loader", self.loader)
        self.config = Config(
            retries={"mode": options.retry_mode, "total_max_attempts": options.max_attempts},
            connect_timeout=options.timeout,
            read_timeout=options.timeout,
            max_pool_connections=2,
        )
        self.region: str | None = self.session.get_config_variable("region")
        try:
            self.partition = (
                self.session.get_partition_for_region(self.region) if self.region else "aws"
            )
        except Exception:  # an unknown region name: assume the main partition
            self.partition = "aws"
        self._sts: Any = None
        self._sts_lock = threading.Lock()

    def warm_up(self) -> None:
        """Load the SageMaker model, paginators and endpoint rules once, before the GC freeze."""
        region = self.region or HOME_REGION.get(self.partition, "us-east-1")
        self.client("sagemaker", region, endpoint_url=self.options.endpoint_url).close()

    def account_session(self, credentials: Any) -> Any:
        """A session for one account's credentials that shares the base session's loader."""
        import botocore.session

        with self._lock:
            session = botocore.session.Session(profile=self.options.profile)
            session.user_agent_extra = self.session.user_agent_extra
            session.register_component("data_loader", self.loader)
            session.register("creating-client-class.sagemaker", keep_only_list_workforces)
            session.register_component(
                "credential_provider", fixed_credential_resolver(credentials)
            )
            return session

    def client(
        self, service: str, region: str, session: Any = None, endpoint_url: str | None = None
    ) -> Any:
        with self._lock:
            return (session or self.session).create_client(
                service, region_name=region, endpoint_url=endpoint_url, config=self.config
            )

    def sts(self) -> Any:
        """One STS client for every AssumeRole and refresh (clients are thread-safe), with a
        connection pool as large as the worker pool so no connection is discarded."""
        from botocore.config import Config

        with self._sts_lock:
            if self._sts is None:
                region = self.region or HOME_REGION.get(self.partition, "us-east-1")
                config = self.config.merge(Config(max_pool_connections=self.options.workers))
                with self._lock:
                    self._sts = self.session.create_client(
                        "sts",
                        region_name=region,
                        endpoint_url=self.options.sts_endpoint_url,
                        config=config,
                    )
            return self._sts

    def sagemaker_regions(self, partition: str) -> list[str]:
        with self._lock:
            return sorted(self.session.get_available_regions("sagemaker", partition))


@dataclass
class _Prepared:
    """An account ready to read: its session, the regions to read, those skipped, or an error."""

    target: AccountTarget
    session: Any = None
    regions: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    note: str | None = None
    error: ErrorEntry | None = None


@dataclass
class _Outcome:
    account: str | None
    region: str | None
    workforces: list[dict[str, Any]]
    unit: UnitStatus
    error: ErrorEntry | None = None


ProgressHook = Callable[[int, int, int, int], None]


@dataclass(frozen=True)
class _Share:
    """One collector process's part of the run: its accounts and its threads."""

    targets: tuple[AccountTarget, ...]
    workers: int
    index: int
    of: int


class _Merge:
    """Gathers events (from this process or from collectors) into the source's units, errors
    and records, counting progress; ``finish`` sorts, so the order never depends on timing."""

    def __init__(self, source: AwsSource) -> None:
        self.source = source
        self.outcomes: list[_Outcome] = []
        self.total = self.done = self.records = self.failures = 0

    def report(self) -> None:
        if self.source._progress is not None:
            errors = len(self.source.errors) + self.failures
            self.source._progress(self.done, self.total, self.records, errors)

    def add(self, kind: str, _index: int, item: Any) -> None:
        if kind == "skipped":
            self.source.units.append(item)
        elif kind == "account":
            self.total += len(self.source._absorb_account(item))
        else:
            self.outcomes.append(item)
            self.done += 1
            self.records += len(item.workforces)
            self.failures += item.error is not None
        self.report()

    def lost(self, outcome: _Outcome, *, planned: bool) -> None:
        """A unit a failed collector never reported (it ends as an error entry); ``planned``
        when its account's regions were already counted."""
        self.total += not planned
        self.add("unit", -1, outcome)

    def finish(self) -> list[Record]:
        source = self.source
        self.outcomes.sort(key=lambda o: (o.account or "", o.region or ""))
        result: list[Record] = []
        for outcome in self.outcomes:
            source.units.append(outcome.unit)
            if outcome.error is not None:
                source.errors.append(outcome.error)
            result.extend(
                make_record(
                    workforce,
                    source=SOURCE_NAME,
                    source_kind="aws",
                    account=outcome.account,
                    region=outcome.region,
                )
                for workforce in outcome.workforces
            )
        source.units.sort(key=lambda u: (u.account or "", u.region or "", u.status))
        source.errors.sort(key=lambda e: (e.account or "", e.region or "", e.code))
        return result


class AwsSource(RecordSource):
    """The live API. Construction only checks options and reads the accounts file."""

    kind = "aws"

    def __init__(
        self,
        options: LiveOptions,
        *,
        progress: ProgressHook | None = None,
        on_finish: Callable[[AwsSource], None] | None = None,
        factory: Callable[[LiveOptions], ClientFactory] = ClientFactory,
        processes: int | None = None,
    ) -> None:
        super().__init__()
        options.check()
        self.options = options
        self._progress = progress
        self._on_finish = on_finish
        self._factory = factory
        self._processes = processes  # None: automatic (see _shares)
        self._file_targets = (
            load_accounts_file(options.accounts_file) if options.accounts_file else None
        )
        self._records: list[Record] | None = None
        self.targets: list[AccountTarget] = []

    @property
    def name(self) -> str:
        return SOURCE_NAME

    def records(self) -> Iterator[Record]:
        if self._records is None:
            try:
                self._records = self._collect()
            finally:
                if self._on_finish is not None:
                    self._on_finish(self)
        yield from self._records

    def describe(self) -> dict[str, Any]:
        data = self.options.describe()
        if self.targets and (self.options.accounts_file or self.options.org):
            data["accounts"] = describe_targets(self.targets)
        return data

    # --- planning --------------------------------------------------------------------------

    def _targets(self, factory: ClientFactory) -> list[AccountTarget]:
        options = self.options
        if self._file_targets is not None:
            return self._file_targets
        if options.role_arn:
            return [
                AccountTarget(
                    account_of_role(options.role_arn), options.role_arn, options.external_id
                )
            ]
        if options.org:
            try:
                client = factory.client(
                    "organizations", HOME_REGION.get(factory.partition, "us-east-1")
                )
                return organization_accounts(
                    client, str(options.role_name), options.external_id, factory.partition
                )
            except Exception as exc:
                code, message = describe_failure(exc)
                self.errors.append(
                    ErrorEntry(SOURCE_NAME, f"Organizations ListAccounts: {message}", code)
                )
                self.units.append(UnitStatus(SOURCE_NAME, "error", note="organizations"))
                return []
        return [AccountTarget()]

    def _regions_wanted(self, target: AccountTarget, factory: ClientFactory) -> tuple[str, ...]:
        regions = target.regions or self.options.regions
        if regions:
            return regions
        if factory.region:
            return (factory.region,)
        raise UsageError(
            "no region: give --region REGION (repeatable) or --region all, or "
            "set AWS_REGION or a profile region"
        )

    def _prepare(self, target: AccountTarget, factory: ClientFactory) -> _Prepared:
        prepared = _Prepared(target)
        wanted = self._regions_wanted(target, factory)
        session = None
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
                prepared.regions = [] if wanted == ("all",) else list(wanted)
                return prepared
            session = factory.account_session(credentials)
        prepared.session = session
        if wanted != ("all",):
            prepared.regions = list(wanted)
            return prepared
        partition = partition_of_arn(target.role_arn) if target.role_arn else factory.partition
        available = factory.sagemaker_regions(partition)
        home = (
            factory.region
            if factory.region in available
            else HOME_REGION.get(partition, available[0] if available else "us-east-1")
        )
        try:
            client = factory.client("ec2", home, session)
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
            return prepared
        prepared.regions = [region for region in available if region in enabled]
        prepared.skipped = [
            (region, "region not enabled in this account")
            for region in available
            if region not in enabled
        ]
        return prepared

    # --- reading one unit ------------------------------------------------------------------

    def _read_unit(self, prepared: _Prepared, region: str, factory: ClientFactory) -> _Outcome:
        account = prepared.target.account_id
        workforces: list[dict[str, Any]] = []
        client = None
        try:
            client = factory.client(
                "sagemaker", region, prepared.session, self.options.endpoint_url
            )
            pages = client.get_paginator("list_workforces").paginate(
                **self.options.listing.parameters(),
                PaginationConfig=self.options.listing.pagination_config(),
            )
            for page in pages:
                batch = page.get("Workforces")
                if not isinstance(batch, list) or not all(isinstance(w, dict) for w in batch):
                    raise MalformedResponse(
                        "ListWorkforces response has no Workforces list "
                        "(unparsable or unexpected body)"
                    )
                workforces.extend(batch)
            token = pages.resume_token
        except Exception as exc:
            code, message = describe_failure(exc)
            note = f"{len(workforces)} workforce(s) read before the error" if workforces else None
            return _Outcome(
                account,
                region,
                workforces,
                UnitStatus(SOURCE_NAME, "error", len(workforces), account, region, note=note),
                ErrorEntry(SOURCE_NAME, message, code, account, region),
            )
        finally:
            if client is not None:
                client.close()
        status = "partial" if token else "ok"
        note = "stopped at --max-items" if token else prepared.note
        return _Outcome(
            account,
            region,
            workforces,
            UnitStatus(
                SOURCE_NAME, status, len(workforces), account, region, resume_token=token, note=note
            ),
        )

    # --- running ---------------------------------------------------------------------------

    def _absorb_account(self, prepared: _Prepared) -> list[str]:
        """Record an account's skipped regions or AssumeRole failure; the regions to read."""
        account = prepared.target.account_id
        for region, note in prepared.skipped:
            self.units.append(UnitStatus(SOURCE_NAME, "skipped", 0, account, region, note=note))
        if prepared.error is None:
            return prepared.regions
        self.errors.append(prepared.error)
        for region in prepared.regions or [None]:  # type: ignore[list-item]
            self.units.append(
                UnitStatus(SOURCE_NAME, "error", 0, account, region, note="AssumeRole failed")
            )
        return []

    def _collect(self) -> list[Record]:
        factory = self._factory(self.options)
        self.targets = self._targets(factory)
        for target in self.targets:
            self._regions_wanted(target, factory)  # a missing region is a usage error, now
        factory.warm_up()
        with garbage_collected_in_batches():
            shares = self._shares(factory)
            if shares is None:
                return self._run(factory)
            from checker.sources.collectors import run_in_processes

            return run_in_processes(self, factory, shares)

    def _shares(self, factory: ClientFactory) -> list[_Share] | None:
        """The accounts each collector process reads (round-robin: deterministic), or None to
        collect in this process: fewer than ``PROCESS_MIN_UNITS`` units, one account, fewer
        workers than processes, one CPU, not Linux, or other threads already running (forking
        a threaded process is unsafe). ``processes`` given explicitly skips the size and thread
        checks (tests)."""
        processes = self._processes
        if processes is None:
            units = sum(
                ALL_REGIONS_ESTIMATE if wanted == ("all",) else len(wanted)
                for wanted in (self._regions_wanted(t, factory) for t in self.targets)
            )
            processes = min(PROCESSES, _cpus())
            if units < PROCESS_MIN_UNITS or _other_threads():
                return None
        processes = min(processes, len(self.targets), self.options.workers)
        # Linux only: on macOS, system frameworks that urllib's proxy lookup calls may crash a
        # forked child that did not exec.
        if processes < 2 or not hasattr(os, "fork") or not sys.platform.startswith("linux"):
            return None
        workers, extra = divmod(self.options.workers, processes)
        return [
            _Share(
                tuple(self.targets[index::processes]), workers + (index < extra), index, processes
            )
            for index in range(processes)
        ]

    def _run(self, factory: ClientFactory) -> list[Record]:
        merge = _Merge(self)
        merge.report()
        for event in self._events(factory, self.targets, self.options.workers):
            merge.add(*event)
        return merge.finish()

    def _events(
        self, factory: ClientFactory, targets: Sequence[AccountTarget], workers: int
    ) -> Iterator[tuple[str, int, Any]]:
        """Read ``targets`` on ``workers`` threads; yield ``(kind, target index, item)`` as things
        finish: ``skipped`` (a UnitStatus), ``account`` (a _Prepared, whose regions are then
        read), ``unit`` (an _Outcome). Runs in this process or in a collector process."""
        # Completions arrive on a queue (not concurrent.futures.wait, which re-scans every
        # pending future on each call: quadratic at a thousand units).
        finished: queue.SimpleQueue[tuple[str, int, Future[Any]]] = queue.SimpleQueue()
        outstanding = units = 0

        def submit(kind: str, index: int, function: Callable[..., Any], *args: Any) -> None:
            nonlocal outstanding
            future = pool.submit(function, *args)
            future.add_done_callback(lambda done: finished.put((kind, index, done)))
            outstanding += 1

        with ThreadPoolExecutor(workers, thread_name_prefix="wfcheck") as pool:
            try:
                for index, target in enumerate(targets):
                    if target.state == "ACTIVE":
                        submit("account", index, self._prepare, target, factory)
                    else:
                        note = f"account {target.state.lower()}"
                        yield (
                            "skipped",
                            index,
                            UnitStatus(SOURCE_NAME, "skipped", 0, target.account_id, note=note),
                        )
                while outstanding:
                    kind, index, future = finished.get()
                    outstanding -= 1
                    item = future.result()
                    if kind == "unit":
                        units += 1
                        if units % GC_EVERY == 0:
                            gc.collect()
                    elif item.error is None:
                        for region in item.regions:
                            submit("unit", index, self._read_unit, item, region, factory)
                    yield kind, index, item
            except BaseException:  # Ctrl-C, or the consumer gone: drop queued units
                pool.shutdown(wait=False, cancel_futures=True)
                raise

    @property
    def truncated(self) -> list[UnitStatus]:
        """Units ``--max-items`` stopped early, each with the token to resume from."""
        return [unit for unit in self.units if unit.resume_token]


def live_options(args: Any) -> LiveOptions:
    """LiveOptions from parsed arguments (``scan`` or ``fetch``)."""
    return LiveOptions(
        listing=ListOptions(
            name_contains=args.name_contains,
            sort_by=args.sort_by,
            sort_order=args.sort_order,
            page_size=args.page_size,
            max_items=args.max_items,
            starting_token=args.starting_token,
        ),
        regions=tuple(args.region or ()),
        profile=args.profile,
        endpoint_url=args.endpoint_url,
        sts_endpoint_url=args.sts_endpoint_url,
        role_arn=args.role_arn,
        accounts_file=args.accounts,
        org=bool(args.org),
        role_name=args.role_name,
        external_id=args.external_id,
        workers=args.workers,
        retry_mode=args.retry_mode,
        max_attempts=args.max_attempts,
        timeout=args.timeout,
    )
