"""Accepted failures: waivers and a baseline, loaded before collection and applied after it.

Loading first means a typo in a waiver or baseline file stops the run (exit 2) before a
minutes-long live scan, not after it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from checker.errors import UsageError
from checker.files.replacing import replacing
from checker.findings.baseline import (
    BASELINED,
    Baseline,
    BaselineEntry,
    BaselinePass,
    load_baseline,
    render_baseline,
)
from checker.findings.waivers import Waiver, WaiverPass, check_max_days, load_waivers
from checker.model import Verdict
from checker.results import ResultStore


@dataclass(frozen=True)
class AcceptanceOutcome:
    """What applying waivers and a baseline told the reader, and strict-mode gate failures."""

    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    extra_failures: int = 0


@dataclass(frozen=True)
class Acceptance:
    """What a scan accepts: waivers (``--waivers``), a baseline, and where to write a new one."""

    waivers: Sequence[Waiver] = ()
    strict_waivers: bool = False
    baseline: Baseline | None = None
    write_baseline: str | None = None

    def apply(self, store: ResultStore, now: datetime) -> AcceptanceOutcome:
        """Waivers first (an explicit, expiring exception wins over the baseline), then the
        baseline, on every finding of ``store`` (in place); the new baseline records what
        still fails after both. Passing and skipped results cannot be accepted, so only
        findings are read."""
        waiver_pass = (
            WaiverPass(self.waivers, now, strict=self.strict_waivers) if self.waivers else None
        )
        baseline_pass = (
            BaselinePass(self.baseline, evaluated_in(store)) if self.baseline is not None else None
        )
        if waiver_pass is not None or baseline_pass is not None:
            width = store.width
            for cell in store.finding_cells():
                record, position = divmod(cell, width)
                result = store.result(record, position)
                assert result is not None
                accepted = result
                if waiver_pass is not None:
                    accepted = waiver_pass.accept(accepted)
                if baseline_pass is not None:
                    accepted = baseline_pass.accept(accepted)
                if accepted is not result:
                    verdict = Verdict(
                        accepted.status,
                        accepted.message,
                        accepted.path,
                        accepted.evidence,
                        accepted.annotation,
                    )
                    store.set_verdict(record, position, store.intern(verdict))
        notes: list[str] = []
        warnings: list[str] = []
        extra = 0
        if waiver_pass is not None:
            notes, warnings, extra = waiver_pass.outcome()
        if baseline_pass is not None:
            notes.extend(baseline_pass.notes())
        if self.write_baseline:
            text = render_baseline(
                (result for result in store.findings() if result.status in BASELINED), now
            )
            try:
                with replacing(self.write_baseline) as handle:
                    handle.write(text)
            except OSError as exc:
                raise UsageError(
                    f"cannot write baseline: {exc.strerror or exc}", file=self.write_baseline
                ) from None
            notes.append(f"baseline written to {self.write_baseline}")
        return AcceptanceOutcome(notes, warnings, extra)


def evaluated_in(store: ResultStore) -> Callable[[BaselineEntry], bool]:
    """Whether a baseline entry's rule and resource were both evaluated in ``store``."""
    rule_ids = {info.id for info in store.rules}
    keys = {resource.key for resource in store.resources}
    return lambda entry: entry.rule_id in rule_ids and entry.resource in keys


def load_acceptance(
    waiver_files: Sequence[str],
    *,
    now: datetime,
    strict_waivers: bool = False,
    max_waiver_days: int | None = None,
    allow_broad_waivers: bool = False,
    baseline: str | None = None,
    write_baseline: str | None = None,
) -> Acceptance:
    """Read and check every waiver and baseline file; raise on the first problem."""
    if write_baseline == "-":
        raise UsageError("--write-baseline needs a file name, not -")
    waivers = [
        waiver
        for path in waiver_files
        for waiver in load_waivers(path, allow_broad=allow_broad_waivers)
    ]
    if max_waiver_days is not None:
        check_max_days(waivers, now, max_waiver_days)
    return Acceptance(
        waivers=tuple(waivers),
        strict_waivers=strict_waivers,
        baseline=load_baseline(baseline) if baseline else None,
        write_baseline=write_baseline,
    )
