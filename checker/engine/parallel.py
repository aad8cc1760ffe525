"""A second CPU for large scans: while this process reads the next batch of records, a forked
child evaluates most of the previous one.

Records stream from the input in batches of :data:`BATCH_RECORDS`. The first batch is evaluated
here (small scans never fork). For each later batch, a forked child evaluates its first
:data:`CHILD_SHARE` while this process evaluates the rest and then reads the next batch, which
costs about as much as the child's share. The child inherits the warm memo tables, and sends
back each outcome as an index into its table of distinct outcomes (memo hits share one tuple),
so the transfer stays small. Rows enter the store in input order whatever runs where. If
anything goes wrong in a child, its records are evaluated here: the answer never depends on the
shortcut.
"""

from __future__ import annotations

import os
import pickle
import select
from array import array
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from checker.engine.evaluate import record_outcomes
from checker.engine.memo import RulePlan
from checker.forking import can_fork
from checker.model import Record
from checker.policy.rule import Rule
from checker.policy.verdicts import Outcome
from checker.results import ResultStore

BATCH_RECORDS = 8192
CHILD_SHARE = 0.7
"""What a child first evaluates of a batch: this process also parses and normalizes every
record. The share then follows the work: down when this process waits for its child, up when
the child is done first (records already in memory need about half; a file being parsed more)."""
SHARE_RANGE = (0.5, 0.85)


class _Share:
    """The child's share of each batch, adjusted after every batch."""

    def __init__(self) -> None:
        self.value = CHILD_SHARE

    def answered(self, *, ready: bool) -> None:
        low, high = SHARE_RANGE
        if not ready:
            self.value = max(low, self.value - 0.05)
        else:
            self.value = min(high, self.value + 0.02)


class _Evaluator:
    """One memoizing evaluation that records are pushed into in portions (batch by batch), so
    the memo tables stay warm across batches and are inherited by every forked child."""

    def __init__(self, rules: Sequence[Rule], now: datetime) -> None:
        self._queue: deque[Record] = deque()
        plans = [RulePlan(rule) for rule in rules]
        self._outcomes = record_outcomes(self._feed(), plans, now)

    def _feed(self) -> Iterator[Record]:
        while self._queue:
            yield self._queue.popleft()

    def run(self, records: Sequence[Record]) -> Iterator[tuple[Record, list[Outcome]]]:
        """Each record with its outcomes. The generator asks for a record only after the
        previous one was taken, so the queue never runs dry while it still has work."""
        self._queue.extend(records)
        for _ in range(len(records)):
            yield next(self._outcomes)


@dataclass
class _Child:
    """A forked child evaluating ``records``; its answer is read from ``fd``."""

    pid: int
    fd: int
    records: list[Record]


@dataclass
class _Pending:
    """A batch whose first part a child evaluates and whose rest is done here."""

    child: _Child | None
    own: list[tuple[Record, list[Outcome]]]


def evaluate_all(
    store: ResultStore, records: Iterable[Record], rules: Sequence[Rule], now: datetime
) -> None:
    """Every record evaluated into ``store`` (whose rules are ``rules``), using a second CPU for
    large scans where :func:`checker.forking.can_fork` allows it."""
    evaluator = _Evaluator(rules, now)
    share = _Share()
    pending: _Pending | None = None
    batch: list[Record] = []
    forking = False  # the first batch is evaluated here: small scans never fork
    for record in records:
        batch.append(record)
        if len(batch) >= BATCH_RECORDS:
            _finish(store, pending, evaluator, share)
            pending = _start(batch, evaluator, share.value, fork=forking and bool(rules))
            if pending.child is None:  # evaluated here: add now, before reading more
                _finish(store, pending, evaluator, share)
                pending = None
            forking = True
            batch = []
    _finish(store, pending, evaluator, share)
    for record, outcomes in evaluator.run(batch):
        store.add(record.resource, outcomes)


def _start(batch: list[Record], evaluator: _Evaluator, share: float, *, fork: bool) -> _Pending:
    split = int(len(batch) * share) if fork and can_fork() else 0
    child = _fork(batch[:split], evaluator) if split else None
    own = batch[split:] if child is not None else batch
    return _Pending(child, list(evaluator.run(own)))


def _finish(
    store: ResultStore, pending: _Pending | None, evaluator: _Evaluator, share: _Share
) -> None:
    """Add a batch's rows in input order: the child's part first, then this process's."""
    if pending is None:
        return
    if pending.child is not None:
        share.answered(ready=_collect(store, pending.child, evaluator))
    for record, outcomes in pending.own:
        store.add(record.resource, outcomes)


def _fork(records: list[Record], evaluator: _Evaluator) -> _Child | None:
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no memory or process slots: evaluate here instead
        os.close(read_fd)
        os.close(write_fd)
        return None
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            os.close(read_fd)
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(_encode(evaluator.run(records), len(records)))
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    return _Child(pid, read_fd, records)


def _encode(pairs: Iterator[tuple[Record, list[Outcome]]], count: int) -> bytes:
    index_of: dict[int, int] = {}
    distinct: list[Outcome] = []  # keeps every outcome alive, so id() values stay unique
    indexes = array("L")
    for _, outcomes in pairs:
        for outcome in outcomes:
            index = index_of.get(id(outcome))
            if index is None:
                index = index_of[id(outcome)] = len(distinct)
                distinct.append(outcome)
            indexes.append(index)
    return pickle.dumps((count, indexes.tobytes(), distinct), protocol=pickle.HIGHEST_PROTOCOL)


def _collect(store: ResultStore, child: _Child, evaluator: _Evaluator) -> bool:
    """Add a child's rows (or evaluate its records here if it failed); whether its answer was
    ready when this process came for it. (How long the read takes says little: transferring
    and exiting cost milliseconds even when the child finished long before.)"""
    ready = bool(select.select([child.fd], [], [], 0)[0])
    with os.fdopen(child.fd, "rb") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(child.pid, 0)
    rows = _decode(payload, store) if status == 0 and payload else None
    if rows is None or len(rows) != len(child.records) * store.width:
        for record, outcomes in evaluator.run(child.records):
            store.add(record.resource, outcomes)
        return ready
    width = store.width
    for number, record in enumerate(child.records):
        store.add_indexes(record.resource, rows[number * width : (number + 1) * width])
    return ready


def _decode(payload: bytes, store: ResultStore) -> array[int] | None:
    try:
        count, raw, distinct = pickle.loads(payload)  # noqa: S301 - our own child, via a pipe
    except Exception:  # a truncated payload: the child died while writing
        return None
    indexes = array("L")
    indexes.frombytes(raw)
    if len(indexes) != count * store.width:
        return None
    local = [store.outcome_index(outcome) for outcome in distinct]
    return array("I", [local[index] for index in indexes])
