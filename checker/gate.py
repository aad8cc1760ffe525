"""Exit codes, decided in one place.

0: no failing result at or above the threshold; 1: at least one (an ``error`` result counts:
nothing unproven passes); 2: usage error or invalid policy/var/input (nothing evaluated);
3: a source could not be fully collected. Precedence 2 > 3 > 1 > 0; ``--soft-fail`` turns 1
into 0 and leaves 2 and 3.
"""

from __future__ import annotations

from dataclasses import dataclass

from checker.model import gate_failing
from checker.results import Report

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3


@dataclass(frozen=True, slots=True)
class GatePolicy:
    """What makes a run fail: the severity threshold and the opt-in stricter modes."""

    fail_on: str = "low"
    soft_fail: bool = False
    fail_on_unknown: bool = False


def failing(report: Report, gate: GatePolicy) -> int:
    """How many results fail the gate (counted from the report's tallies, not its results)."""
    statuses = gate_failing(gate.fail_on_unknown)
    return report.results.count(statuses, at_or_above_severity=gate.fail_on)


def exit_code(report: Report, gate: GatePolicy, *, extra_failures: int = 0) -> int:
    """``extra_failures`` counts gate failures found outside the results (strict waivers)."""
    if report.errors:
        return EXIT_INCOMPLETE
    if (failing(report, gate) or extra_failures) and not gate.soft_fail:
        return EXIT_FINDINGS
    return EXIT_OK
