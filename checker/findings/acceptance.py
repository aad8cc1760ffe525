"""Accepted failures: waivers and a baseline, loaded before collection and applied after it.

Loading first means a typo in a waiver or baseline file stops the run (exit 2) before a
minutes-long live scan, not after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from checker.errors import UsageError
from checker.findings.baseline import Baseline, apply_baseline, load_baseline, render_baseline
from checker.findings.waivers import (
    Waiver,
    WaiverOutcome,
    apply_waivers,
    check_max_days,
    load_waivers,
)
from checker.model import Result


@dataclass(frozen=True)
class Acceptance:
    """What a scan accepts: waivers (``--waivers``), a baseline, and where to write a new one."""

    waivers: Sequence[Waiver] = ()
    strict_waivers: bool = False
    baseline: Baseline | None = None
    write_baseline: str | None = None

    def apply(self, results: list[Result], now: datetime) -> WaiverOutcome:
        """Waivers first (an explicit, expiring exception wins over the baseline), then the
        baseline; the new baseline records what still fails after both."""
        notes: list[str] = []
        warnings: list[str] = []
        extra = 0
        if self.waivers:
            waived = apply_waivers(results, self.waivers, now, strict=self.strict_waivers)
            results, extra = waived.results, waived.extra_failures
            notes.extend(waived.notes)
            warnings.extend(waived.warnings)
        if self.baseline is not None:
            known = apply_baseline(results, self.baseline)
            results = known.results
            notes.extend(known.notes)
        if self.write_baseline:
            try:
                Path(self.write_baseline).write_text(
                    render_baseline(results, now), encoding="utf-8"
                )
            except OSError as exc:
                raise UsageError(
                    f"cannot write baseline: {exc.strerror or exc}", file=self.write_baseline
                ) from None
            notes.append(f"baseline written to {self.write_baseline}")
        return WaiverOutcome(results, notes, warnings, extra)


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
