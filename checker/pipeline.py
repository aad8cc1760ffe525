"""A scan from sources to a report: read records, evaluate, apply waivers and baselines.

Records are evaluated while they stream from their sources: what a scan keeps per record is its
:class:`checker.model.Resource` and one small index per rule (a
:class:`checker.results.ResultStore`), never the record itself nor its results, so memory grows
with the number of records and findings, not with results or the size of values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker import __version__
from checker.model import Record, Status
from checker.related import NOT_EVALUATED, unevaluated_note
from checker.results import ABSENT, Report, ResultStore
from checker.sources.base import RecordSource

if TYPE_CHECKING:
    from checker.findings.acceptance import Acceptance
    from checker.policy.rule import Rule


def display_path(path: str) -> str:
    """Bundled policy files are shown as builtin/NAME so reports match across installs."""
    from checker.policy.loader import bundled_policy_dir

    try:
        return "builtin/" + Path(path).resolve().relative_to(bundled_policy_dir()).as_posix()
    except ValueError:
        return path


def _records(sources: Sequence[RecordSource]) -> Iterator[Record]:
    for source in sources:
        yield from source.records()


def related_unevaluated(store: ResultStore) -> dict[str, tuple[int, tuple[str, ...]]]:
    """Rule id -> (workforces, kinds) for each rule that could not be evaluated on some
    workforce because its source did not read a related kind the rule needs."""
    found: dict[str, tuple[int, tuple[str, ...]]] = {}
    verdicts = store.verdicts
    for info, column in zip(store.rules, store.verdict_tally(), strict=True):
        records = 0
        kinds: set[str] = set()
        for index, count in column.items():
            if index == ABSENT:
                continue
            status, message = verdicts[index][0], verdicts[index][1]
            if status is Status.SKIP and message.startswith(NOT_EVALUATED):
                records += count
                kinds.update(message[len(NOT_EVALUATED) :].split(", "))
        if records:
            found[info.id] = (records, tuple(sorted(kinds)))
    return found


def build_report(
    acceptance: Acceptance | None,
    policy_files: Sequence[str],
    rules: Sequence[Rule],
    sources: Sequence[RecordSource],
    now: datetime,
    *,
    warn: Callable[[str], None] = lambda text: None,
) -> Report:
    """Every record of every source evaluated with ``rules``, acceptance applied; waiver
    warnings go to ``warn`` (the CLI prints them)."""
    from checker.engine import evaluate_all, gc_paused

    store = ResultStore([rule.info for rule in rules])
    with gc_paused():
        evaluate_all(store, _records(sources), rules, now)
        store.sort()
    unevaluated = related_unevaluated(store)
    notes = [unevaluated_note(rule, *found) for rule, found in unevaluated.items()]
    extra: dict[str, Any] = {}
    if unevaluated:
        extra["related_unevaluated"] = {
            rule: list(kinds) for rule, (_, kinds) in unevaluated.items()
        }
    if acceptance is not None:
        accepted = acceptance.apply(store, now)
        for warning in accepted.warnings:
            warn(warning)
        notes += accepted.notes
        if accepted.extra_failures:
            extra["gate_failures"] = accepted.extra_failures
    return Report(
        tool_version=__version__,
        generated_at=now,
        rules=tuple(rule.info for rule in rules),
        results=store,
        records=len(store.resources),
        errors=tuple(error for source in sources for error in source.errors),
        units=tuple(unit for source in sources for unit in source.units),
        sources=tuple(source.name for source in sources),
        policies=tuple(display_path(path) for path in policy_files),
        notes=tuple(note for source in sources for note in source.notes) + tuple(notes),
        extra=extra,
    )
