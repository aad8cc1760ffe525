"""A scan from sources to a report: read records, evaluate, apply waivers and baselines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from checker import __version__
from checker.model import Record, Report, Result, record_sort_key
from checker.sources.base import RecordSource

if TYPE_CHECKING:
    from checker.findings.acceptance import Acceptance
    from checker.policy.loader import Rule


def display_path(path: str) -> str:
    """Bundled policy files are shown as builtin/NAME so reports match across installs."""
    from checker.policy.loader import bundled_policy_dir

    try:
        return "builtin/" + Path(path).resolve().relative_to(bundled_policy_dir()).as_posix()
    except ValueError:
        return path


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
    from checker.findings.waivers import WaiverOutcome

    records: list[Record] = []
    with gc_paused():
        for source in sources:
            records.extend(source.records())
        records.sort(key=record_sort_key)
        results: list[Result] = evaluate_all(records, rules, now)
    accepted = acceptance.apply(results, now) if acceptance else WaiverOutcome(results)
    for warning in accepted.warnings:
        warn(warning)
    infos = tuple(rule.info for rule in rules)
    return Report(
        tool_version=__version__,
        generated_at=now,
        rules=infos,
        results=tuple(accepted.results),
        records=len(records),
        errors=tuple(error for source in sources for error in source.errors),
        units=tuple(unit for source in sources for unit in source.units),
        sources=tuple(source.name for source in sources),
        policies=tuple(display_path(path) for path in policy_files),
        notes=tuple(note for source in sources for note in source.notes) + tuple(accepted.notes),
        extra={"gate_failures": accepted.extra_failures} if accepted.extra_failures else {},
    )
