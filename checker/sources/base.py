"""The one interface every record source implements, and the record normalization they share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from typing import Any

from checker.files.timestamps import parse_timestamp
from checker.model import ErrorEntry, Record, Resource, UnitStatus, arn_parts
from checker.related import MEMBER, read_all

TIMESTAMP_FIELDS = ("CreateDate", "LastUpdatedDate")


class RecordSource(ABC):
    """Yields records; what it could not read ends in ``errors``, never silently dropped.

    ``units`` says how each collection unit (a file, an account x region) ended, with resume
    tokens where a listing stopped early; ``notes`` are lines for the report's notes (what an
    input holds besides records, e.g. an incomplete Terraform plan). All are complete once
    ``records()`` is exhausted.
    """

    kind: str = "source"

    def __init__(self) -> None:
        self.errors: list[ErrorEntry] = []
        self.units: list[UnitStatus] = []
        self.notes: list[str] = []

    @property
    @abstractmethod
    def name(self) -> str:
        """How reports name this source (a file path, ``aws``)."""

    @abstractmethod
    def records(self) -> Iterator[Record]:
        """Records in a deterministic order."""


def normalize_workforce(workforce: Mapping[str, Any]) -> dict[str, Any]:
    """The API shape with null optional blocks dropped and timestamps made tz-aware datetimes.

    Unknown fields are kept. A timestamp that does not parse is kept as written, so the rules
    that read it fail on it instead of it silently passing.
    """
    clean = {key: value for key, value in workforce.items() if value is not None}
    for name in TIMESTAMP_FIELDS:
        if name in clean:
            moment = parse_timestamp(clean[name])
            if moment is not None:
                clean[name] = moment
    return clean


def make_record(
    workforce: Mapping[str, Any],
    *,
    source: str,
    source_kind: str,
    account: str | None = None,
    region: str | None = None,
    address: str | None = None,
    unknown_paths: frozenset[str] = frozenset(),
    related: Mapping[str, str | None] | None = None,
    identity_paths: frozenset[str] = frozenset(),
) -> Record:
    """A record whose account and region come from the source, else from the WorkforceArn.

    ``related`` says which related kinds the source read (``Record.related``); when it does not
    say, a workforce written with a ``Related`` member (a hand-made input, a policy test
    record) counts as having every kind read."""
    clean = normalize_workforce(workforce)
    arn = clean.get("WorkforceArn") if isinstance(clean.get("WorkforceArn"), str) else None
    _, arn_region, arn_account = arn_parts(arn)
    name = clean.get("WorkforceName")
    resource = Resource(
        arn=arn,
        name=name if isinstance(name, str) else None,
        account=str(account) if account else arn_account,
        region=region or arn_region,
        source=source,
        source_kind=source_kind,
        address=address,
    )
    if related is None and isinstance(clean.get(MEMBER), Mapping):
        related = read_all()
    return Record(clean, resource, unknown_paths, related=related, identity_paths=identity_paths)
