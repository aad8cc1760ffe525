"""A second CPU for large scans: a forked child evaluates half of the records."""

from __future__ import annotations

import os
import pickle
from array import array
from collections.abc import Iterator, Sequence
from datetime import datetime

from checker.engine.evaluate import evaluate, make_results, record_outcomes
from checker.engine.memo import RulePlan
from checker.forking import can_fork
from checker.model import Record, Result
from checker.policy.loader import Rule
from checker.policy.verdicts import Outcome

PARALLEL_MIN_RECORDS = 20_000


def evaluate_all(records: Sequence[Record], rules: Sequence[Rule], now: datetime) -> list[Result]:
    """All results, using a second CPU for large scans.

    Above ``PARALLEL_MIN_RECORDS`` records (where :func:`checker.forking.can_fork` allows it), a
    forked child evaluates the second half while this process does the first. The child sends
    back each pair's outcome as an index into its table of distinct outcomes (memo hits share
    one tuple), so the transfer stays small. If anything goes wrong in the child, the second
    half is simply evaluated here: the answer never depends on the shortcut.
    """
    if len(records) < PARALLEL_MIN_RECORDS or not rules or not can_fork():
        return list(evaluate(records, rules, now))
    half = len(records) // 2
    first, second = records[:half], records[half:]
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            os.close(read_fd)
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(_encode_outcomes(second, rules, now))
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    results = list(evaluate(first, rules, now))
    with os.fdopen(read_fd, "rb") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not payload:
        results.extend(evaluate(second, rules, now))
        return results
    results.extend(_decode_outcomes(payload, second, rules))
    return results


def _encode_outcomes(records: Sequence[Record], rules: Sequence[Rule], now: datetime) -> bytes:
    plans = [RulePlan(rule) for rule in rules]
    index_of: dict[int, int] = {}
    distinct: list[Outcome] = []  # keeps every outcome alive, so id() values stay unique
    indexes = array("L")
    for _, outcomes in record_outcomes(records, plans, now):
        for outcome in outcomes:
            index = index_of.get(id(outcome))
            if index is None:
                index = index_of[id(outcome)] = len(distinct)
                distinct.append(outcome)
            indexes.append(index)
    return pickle.dumps((indexes.tobytes(), distinct), protocol=pickle.HIGHEST_PROTOCOL)


def _decode_outcomes(
    payload: bytes, records: Sequence[Record], rules: Sequence[Rule]
) -> Iterator[Result]:
    raw, distinct = pickle.loads(payload)  # noqa: S301 - our own child's bytes, via a pipe
    indexes = array("L")
    indexes.frombytes(raw)
    width = len(rules)
    if len(indexes) != len(records) * width:
        raise RuntimeError("evaluation child returned a truncated result")
    flat = [distinct[index] for index in indexes]
    pairs = ((record, flat[n * width : (n + 1) * width]) for n, record in enumerate(records))
    return make_results(pairs, rules)
