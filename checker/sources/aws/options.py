"""What a live scan reads and how: :class:`LiveOptions`, the one input of the aws package.

Light to import on purpose: building the command-line parser (and ``wfcheck --version``) reads
the choices and defaults here, so this module never imports boto3, the collector or its
threading machinery. Every value is checked (:meth:`LiveOptions.check`) before anything
touches AWS.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, get_args
from urllib.parse import urlsplit, urlunsplit

from checker.awsapi.session import RetryMode
from checker.errors import UsageError
from checker.related import KINDS

T = TypeVar("T")

SORT_BY = ("Name", "CreateDate")
SORT_ORDER = ("Ascending", "Descending")
RETRY_MODES: tuple[str, ...] = get_args(RetryMode)
MAX_PAGE_SIZE = 100
DEFAULT_WORKERS = 16
MAX_WORKERS = 256
DEFAULT_MAX_ATTEMPTS = 5
MAX_ATTEMPTS = 20
DEFAULT_TIMEOUT = 15.0
MAX_TIMEOUT = 900.0

NAME_CONTAINS = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}$")
ACCOUNT_ID = re.compile(r"^\d{12}$")
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
ROLE_IN_ACCOUNT = re.compile(r"^arn:[\w-]+:iam::(\d{12}):role/")


def account_of_role(role_arn: str) -> str | None:
    """The account id in a role ARN, or None when it is not a role ARN."""
    match = ROLE_IN_ACCOUNT.match(role_arn)
    return match[1] if match else None


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

    def problem(self) -> str | None:
        """What is wrong with these values (the first thing found), or None."""
        return _first_problem(self, LIST_CHECKS)

    def describe(self) -> dict[str, Any]:
        return {
            "name_contains": self.name_contains,
            "sort_by": self.sort_by,
            "sort_order": self.sort_order,
            "page_size": self.page_size,
            "max_items": self.max_items,
            "starting_token": self.starting_token,
        }


@dataclass(frozen=True, slots=True)
class LiveOptions:
    """Everything the live source needs from the command line (checked before any call).

    ``regions`` empty means the session's region, ``("all",)`` every enabled SageMaker region.
    At most one of ``role_arn``, ``accounts_file`` and ``org`` names the accounts; none means
    the caller's own credentials.
    """

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
    retry_mode: RetryMode = "standard"
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    timeout: float = DEFAULT_TIMEOUT
    related: frozenset[str] = frozenset(KINDS)

    def check(self) -> None:
        """Raise :class:`UsageError` for the first bad value; nothing has touched AWS yet."""
        problem = self.listing.problem() or _first_problem(self, LIVE_CHECKS)
        if problem:
            raise UsageError(problem)

    @property
    def reads_many_listings(self) -> bool:
        """Whether the options can name more than one account x region."""
        return bool(
            self.accounts_file or self.org or len(self.regions) > 1 or "all" in self.regions
        )

    def describe(self) -> dict[str, Any]:
        """The options as the snapshot records them: no secrets, no credentials in URLs."""
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
            "related": sorted(self.related),
        }
        data.update(self.listing.describe())
        return {key: value for key, value in data.items() if value is not None}


# --- the checks: each returns what is wrong, or None ------------------------------------------


def _first_problem(options: T, checks: tuple[Callable[[T], str | None], ...]) -> str | None:
    for check in checks:
        problem = check(options)
        if problem:
            return problem
    return None


def _one_of(flag: str, value: str | None, choices: tuple[str, ...]) -> str | None:
    if value is None or value in choices:
        return None
    return f"{flag}: one of {', '.join(choices)}"


def check_page_size(listing: ListOptions) -> str | None:
    size = listing.page_size
    if size is None or 1 <= size <= MAX_PAGE_SIZE:
        return None
    return f"--page-size {size}: must be 1-{MAX_PAGE_SIZE}"


def check_max_items(listing: ListOptions) -> str | None:
    if listing.max_items is None or listing.max_items >= 1:
        return None
    return f"--max-items {listing.max_items}: must be at least 1"


def check_name_contains(listing: ListOptions) -> str | None:
    text = listing.name_contains
    if text is None or NAME_CONTAINS.match(text):
        return None
    return f"--name-contains {text!r}: letters, digits and hyphens, 1-63 characters"


def check_sort(listing: ListOptions) -> str | None:
    return _one_of("--sort-by", listing.sort_by, SORT_BY) or _one_of(
        "--sort-order", listing.sort_order, SORT_ORDER
    )


def check_workers(options: LiveOptions) -> str | None:
    if 1 <= options.workers <= MAX_WORKERS:
        return None
    return f"--workers {options.workers}: must be 1-{MAX_WORKERS}"


def check_retries(options: LiveOptions) -> str | None:
    mode = _one_of("--retry-mode", options.retry_mode, RETRY_MODES)
    if mode or 1 <= options.max_attempts <= MAX_ATTEMPTS:
        return mode
    return f"--max-attempts {options.max_attempts}: must be 1-{MAX_ATTEMPTS}"


def check_timeout(options: LiveOptions) -> str | None:
    if 0 < options.timeout <= MAX_TIMEOUT:
        return None
    return f"--timeout {options.timeout}: seconds, more than 0 and at most {MAX_TIMEOUT:g}"


def check_regions(options: LiveOptions) -> str | None:
    if "all" in options.regions and len(options.regions) > 1:
        return "--region all cannot be combined with other regions"
    for region in options.regions:
        if region != "all" and not REGION.match(region):
            return f"--region {region!r}: not a region name (e.g. us-east-1) or 'all'"
    return None


def check_account_choice(options: LiveOptions) -> str | None:
    """One way to name the accounts at most."""
    chosen = [
        flag
        for flag, given in (
            ("--role-arn", options.role_arn),
            ("--accounts", options.accounts_file),
            ("--org", options.org),
        )
        if given
    ]
    if len(chosen) > 1:
        return f"{' and '.join(chosen)} cannot be combined: pick one"
    return None


def check_role_name(options: LiveOptions) -> str | None:
    if options.org and not options.role_name:
        return "--org needs --role-name NAME (the role to assume in each account)"
    if options.role_name and not (options.org or options.accounts_file):
        return "--role-name applies to --org or --accounts only"
    return None


def check_role_arn(options: LiveOptions) -> str | None:
    if options.role_arn is None or account_of_role(options.role_arn):
        return None
    return f"--role-arn {options.role_arn!r}: expected arn:aws:iam::123456789012:role/NAME"


def check_starting_token(options: LiveOptions) -> str | None:
    if options.listing.starting_token is None or not options.reads_many_listings:
        return None
    return "--starting-token resumes one listing: use it with one account and one --region"


LIST_CHECKS: tuple[Callable[[ListOptions], str | None], ...] = (
    check_page_size,
    check_max_items,
    check_name_contains,
    check_sort,
)
LIVE_CHECKS: tuple[Callable[[LiveOptions], str | None], ...] = (
    check_workers,
    check_retries,
    check_timeout,
    check_regions,
    check_account_choice,
    check_role_name,
    check_role_arn,
    check_starting_token,
)


def _given(**values: Any) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}


def _public_url(url: str | None) -> str | None:
    """A URL without any user:password part."""
    if not url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
