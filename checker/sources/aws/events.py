"""What collection reports as it goes, in this process or from a collector process.

Reading accounts yields one event each time something finishes: an account skipped, an account
prepared (its regions are read next), a unit read. The events are plain, picklable values, so
a collector process can send them through a pipe unchanged; an :class:`EventSink` (the merge)
turns them into units, errors and records in an order that never depends on timing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

from checker.model import ErrorEntry, UnitStatus
from checker.sources.aws.plan import PreparedAccount


@dataclass
class UnitOutcome:
    """How one account x region ended, and the workforces it read (also before an error)."""

    account: str | None
    region: str | None
    workforces: list[dict[str, Any]]
    unit: UnitStatus
    error: ErrorEntry | None = None
    related: list[dict[str, str | None]] | None = None  # per workforce: Record.related
    related_errors: list[ErrorEntry] = field(default_factory=list)


@dataclass(frozen=True)
class AccountSkipped:
    """An account not read on purpose (an Organizations account that is not ACTIVE)."""

    index: int
    unit: UnitStatus


@dataclass(frozen=True)
class AccountPrepared:
    """An account whose role was assumed and regions chosen (or whose AssumeRole failed)."""

    index: int
    account: PreparedAccount


@dataclass(frozen=True)
class UnitRead:
    """One account x region finished, read or failed."""

    index: int
    outcome: UnitOutcome


#: ``index`` is the account's position in the list being read (the run's, or a share's).
Event: TypeAlias = AccountSkipped | AccountPrepared | UnitRead


class EventSink(Protocol):
    """Where events go: the merge of a run."""

    def add(self, event: Event) -> None: ...

    def lost(self, outcome: UnitOutcome, *, planned: bool) -> None:
        """A unit no event will ever come for (its collector failed); ``planned`` when its
        account's regions were already counted."""
