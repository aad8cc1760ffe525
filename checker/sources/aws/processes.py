"""Collector processes: a large live run on more than one CPU.

Creating a botocore client, signing a request and freeing the dead client are CPU work that the
GIL serializes, so a thousand-unit run with 32 threads is CPU-bound on one core. Here the run is
split by account (:func:`checker.sources.aws.plan.split_into_shares`) between a few forked
*collector* processes; each reads its share with the function it is given (in a live run,
:func:`checker.sources.aws.collect.collect_events`: its own thread pool of the share's workers,
so the run never has more than ``--workers`` requests in flight; its own AssumeRole and
refreshing credentials per account; the loader, warm models and base credentials inherited
from the fork), and streams every event to this process through a pipe as soon as it happens.
This process only hands the events to the sink (the same merge as the in-process path), so
records, units and errors come out in the same order.

A collector that dies or raises loses nothing it already sent; every account or unit it had not
reported ends as a ``CollectorFailed`` error entry, so the run is incomplete (exit 3), never
silently short. Fork only from a process with no other thread (:func:`checker.forking.can_fork`).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, Pipe, wait
from typing import Any

from checker.model import ErrorEntry, UnitStatus
from checker.sources.aws.events import (
    AccountPrepared,
    AccountSkipped,
    Event,
    EventSink,
    UnitOutcome,
)
from checker.sources.aws.plan import ALL, SOURCE_NAME, Share

FAILED_CODE = "CollectorFailed"

ReadShare = Callable[[Share], Iterator[Event]]


@dataclass
class _Collector:
    """The parent's view of one collector: what it still owes."""

    pid: int
    connection: Connection
    share: Share
    unreported: set[int] = field(default_factory=set)  # account indexes with no event yet
    pending: dict[int, set[str]] = field(default_factory=dict)  # index -> regions not read
    complete: bool = False
    failure: str | None = None
    reaped: bool = False  # its pid may belong to another process now: never signal it


def run_in_processes(shares: Sequence[Share], read_share: ReadShare, sink: EventSink) -> bool:
    """Fork one collector per share (call this before the process starts any thread), hand
    their events to ``sink`` in arrival order, and account for anything a failed collector did
    not report. False, with nothing handed to ``sink``, when the collectors cannot be started
    (no fork here, no process or pipe to spare): the caller then reads in this process."""
    collectors = _start(shares, read_share)
    if collectors is None:
        return False
    try:
        live = {collector.connection: collector for collector in collectors}
        while live:
            for ready in wait(list(live)):
                connection: Any = ready
                collector = live[connection]
                if not _receive(collector, sink):
                    del live[connection]
                    _reap(collector)
    except BaseException:  # Ctrl-C: stop the collectors, then let the interrupt through
        for collector in collectors:
            _stop(collector)
        raise
    for collector in collectors:
        _settle(collector, sink)
    return True


def _start(shares: Sequence[Share], read_share: ReadShare) -> list[_Collector] | None:
    """A running collector per share, or None (and none left running) if one cannot start."""
    if not hasattr(os, "fork"):
        return None
    collectors: list[_Collector] = []
    try:
        for share in shares:
            collectors.append(_fork(read_share, share, collectors))
    except BaseException as exc:
        for collector in collectors:
            _stop(collector)
        if not isinstance(exc, OSError):
            raise
        return None
    return collectors


def _fork(read_share: ReadShare, share: Share, earlier: list[_Collector]) -> _Collector:
    reader, writer = Pipe(duplex=False)
    try:
        pid = os.fork()
    except OSError:
        reader.close()
        writer.close()
        raise
    if pid == 0:  # pragma: no cover - runs in the collector (covered through the pipe)
        code = 0
        try:
            reader.close()
            for collector in earlier:
                collector.connection.close()
            _collect(read_share, share, writer)
        except BaseException as exc:  # reported to the parent, then exit
            code = 1
            with suppress(BaseException):  # the parent sees EOF instead
                writer.send(("failed", f"{type(exc).__name__}: {exc}"))
        finally:
            os._exit(code)  # no atexit handlers, no flushing of the parent's buffers
    writer.close()
    return _Collector(pid, reader, share, unreported=set(range(len(share.accounts))))


def _collect(read_share: ReadShare, share: Share, writer: Connection) -> None:
    """In the collector: read the share and send every event (sessions stay here)."""
    for event in read_share(share):
        if isinstance(event, AccountPrepared):
            event = AccountPrepared(event.index, event.account.without_session())
        writer.send(("event", event))
    writer.send(("done", None))


def _receive(collector: _Collector, sink: EventSink) -> bool:
    """Hand one message to ``sink``; False once the collector's pipe is closed."""
    try:
        kind, item = collector.connection.recv()
    except (EOFError, OSError):
        return False
    except Exception as exc:  # an unreadable message: treat the collector as failed
        collector.failure = f"unreadable message from collector: {type(exc).__name__}"
        return False
    if kind == "done":
        collector.complete = True
    elif kind == "failed":
        collector.failure = str(item)
    else:
        _track(collector, item)
        sink.add(item)
    return True


def _track(collector: _Collector, event: Event) -> None:
    """Note what ``event`` settles of what the collector owes."""
    if isinstance(event, AccountPrepared):
        collector.unreported.discard(event.index)
        if event.account.error is None:
            collector.pending[event.index] = set(event.account.regions)
    elif isinstance(event, AccountSkipped):
        collector.unreported.discard(event.index)
    else:
        collector.pending.get(event.index, set()).discard(event.outcome.region or "")


def _reap(collector: _Collector) -> None:
    collector.connection.close()
    try:
        _, status = os.waitpid(collector.pid, 0)
    except ChildProcessError:  # reaped elsewhere: its exit status is unknown
        status = 0
    collector.reaped = True
    if status and collector.failure is None:
        if os.WIFSIGNALED(status):
            collector.failure = f"collector process killed by signal {os.WTERMSIG(status)}"
        else:
            collector.failure = f"collector process exited with status {os.WEXITSTATUS(status)}"


def _stop(collector: _Collector) -> None:
    collector.connection.close()
    if collector.reaped:
        return
    with suppress(ProcessLookupError, ChildProcessError):
        os.kill(collector.pid, signal.SIGTERM)
        os.waitpid(collector.pid, 0)
    collector.reaped = True


def _settle(collector: _Collector, sink: EventSink) -> None:
    """Turn whatever a collector did not report into error units (nothing when it finished)."""
    if collector.complete and not collector.unreported and not any(collector.pending.values()):
        return
    message = f"not read: {collector.failure or 'collector process ended without reporting'}"
    lost: list[tuple[str | None, str | None, bool]] = []
    for index in sorted(collector.unreported):
        planned = collector.share.accounts[index]
        regions: list[str | None] = [None] if planned.regions == ALL else list(planned.regions)
        lost += [(planned.target.account_id, region, False) for region in regions]
    for index, regions_left in sorted(collector.pending.items()):
        account = collector.share.accounts[index].target.account_id
        lost += [(account, region, True) for region in sorted(regions_left)]
    for account, region, planned_already in lost:
        sink.lost(
            UnitOutcome(
                account,
                region,
                [],
                UnitStatus(SOURCE_NAME, "error", 0, account, region, note="collector failed"),
                ErrorEntry(SOURCE_NAME, message, FAILED_CODE, account, region),
            ),
            planned=planned_already,
        )
