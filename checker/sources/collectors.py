"""Collector processes: a large live run on more than one CPU.

Creating a botocore client, signing a request and freeing the dead client are CPU work that the
GIL serializes, so a thousand-unit run with 32 threads is CPU-bound on one core. Here the run is
split by account (round-robin over the target list, so the split is deterministic) between a few
forked *collector* processes; each reads its accounts exactly as the in-process path does
(``AwsSource._events``: its own thread pool of ``workers / processes`` threads, so the run never
has more than ``--workers`` requests in flight; its own AssumeRole and refreshing credentials per
account; the shared loader and warm models inherited from the fork), and streams every event to
this process through a pipe as soon as it happens. This process only merges, with the same
``_Merge`` as the in-process path, so records, units and errors come out in the same order.

A collector that dies or raises loses nothing it already sent; every account or unit it had not
reported ends as a ``CollectorFailed`` error entry, so the run is incomplete (exit 3), never
silently short.
"""

from __future__ import annotations

import os
import signal
from contextlib import suppress
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, Pipe, wait
from typing import TYPE_CHECKING, Any

from checker.model import ErrorEntry, Record, UnitStatus

if TYPE_CHECKING:
    from checker.sources.aws import AwsSource, ClientFactory, _Share

FAILED_CODE = "CollectorFailed"


@dataclass
class _Collector:
    """The parent's view of one collector: what it still owes."""

    pid: int
    connection: Connection
    share: _Share
    unreported: set[int] = field(default_factory=set)  # target indexes with no event yet
    pending: dict[int, set[str]] = field(default_factory=dict)  # index -> regions not read
    complete: bool = False
    failure: str | None = None
    reaped: bool = False  # its pid may belong to another process now: never signal it


def run_in_processes(
    source: AwsSource, factory: ClientFactory, shares: list[_Share]
) -> list[Record]:
    """Fork one collector per share (before this process starts any thread), merge their
    events in arrival order, and account for anything a failed collector did not report. If
    a collector cannot even be started, the run happens in this process (same answer)."""
    from checker.sources.aws import _Merge

    collectors: list[_Collector] = []
    try:
        for share in shares:
            collectors.append(_fork(source, factory, share, collectors))
    except BaseException as exc:
        for collector in collectors:
            _stop(collector)
        if not isinstance(exc, OSError):
            raise
        return source._run(factory)  # no process or pipe to spare: all of it in this process
    merge = _Merge(source)
    merge.report()
    try:
        live = {collector.connection: collector for collector in collectors}
        while live:
            for connection in wait(list(live)):
                collector = live[connection]  # type: ignore[index]
                if not _receive(collector, merge):
                    del live[connection]  # type: ignore[arg-type]
                    _reap(collector)
    except BaseException:  # Ctrl-C: stop the collectors, then let the interrupt through
        for collector in collectors:
            _stop(collector)
        raise
    for collector in collectors:
        _settle(source, factory, collector, merge)
    return merge.finish()


def _fork(
    source: AwsSource, factory: ClientFactory, share: _Share, earlier: list[_Collector]
) -> _Collector:
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
            _collect(source, factory, share, writer)
        except BaseException as exc:  # reported to the parent, then exit
            code = 1
            with suppress(BaseException):  # the parent sees EOF instead
                writer.send(("failed", -1, f"{type(exc).__name__}: {exc}"))
        finally:
            os._exit(code)  # no atexit handlers, no flushing of the parent's buffers
    writer.close()
    return _Collector(pid, reader, share, unreported=set(range(len(share.targets))))


def _collect(source: AwsSource, factory: ClientFactory, share: _Share, writer: Connection) -> None:
    """In the collector: read the share and send every event (sessions stay here)."""
    for kind, index, item in source._events(factory, share.targets, share.workers):
        if kind == "account":
            item = replace(item, session=None)
        writer.send((kind, index, item))
    writer.send(("done", -1, None))


def _receive(collector: _Collector, merge: Any) -> bool:
    """Merge one message; False once the collector's pipe is closed."""
    try:
        kind, index, item = collector.connection.recv()
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
        if kind == "account":
            collector.unreported.discard(index)
            if item.error is None:
                collector.pending[index] = set(item.regions)
        elif kind == "skipped":
            collector.unreported.discard(index)
        else:
            collector.pending.get(index, set()).discard(item.region)
        merge.add(kind, index, item)
    return True


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


def _settle(source: AwsSource, factory: ClientFactory, collector: _Collector, merge: Any) -> None:
    """Turn whatever a collector did not report into error units (nothing when it finished)."""
    from checker.sources.aws import SOURCE_NAME, _Outcome

    if collector.complete and not collector.unreported and not any(collector.pending.values()):
        return
    reason = collector.failure or "collector process ended without reporting"
    message = f"not read: {reason}"
    lost: list[tuple[str | None, str | None, bool]] = []
    for index in sorted(collector.unreported):
        target = collector.share.targets[index]
        wanted = source._regions_wanted(target, factory)
        regions: list[str | None] = [None] if wanted == ("all",) else list(wanted)
        lost += [(target.account_id, region, False) for region in regions]
    for index, regions_left in sorted(collector.pending.items()):
        account = collector.share.targets[index].account_id
        lost += [(account, region, True) for region in sorted(regions_left)]
    for account, region, planned in lost:
        merge.lost(
            _Outcome(
                account,
                region,
                [],
                UnitStatus(SOURCE_NAME, "error", 0, account, region, note="collector failed"),
                ErrorEntry(SOURCE_NAME, message, FAILED_CODE, account, region),
            ),
            planned=planned,
        )
