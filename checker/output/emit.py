"""Writing a scan's reports to their destinations: stdout, report files, the job summary."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from checker.errors import UsageError
from checker.model import Report
from checker.output.destinations import (
    STEP_SUMMARY_VAR,
    ReportSpec,
    append_text,
    check_destinations,
    want_color,
)
from checker.reports import get_writer
from checker.reports.interface import RenderOptions


@dataclass(frozen=True, slots=True)
class ReportDestinations:
    """Which reports a scan writes where: ``format`` to ``output`` (stdout when None or ``-``),
    each ``extra`` spec to its file, and the job summary when ``format`` is github."""

    format: str
    output: str | None = None
    extra: tuple[ReportSpec, ...] = ()
    show_passed: bool = False
    settings: Mapping[str, str] = field(default_factory=dict)


def emit(report: Report, where: ReportDestinations) -> None:
    """Write every report of a scan (checked for clashes first)."""
    check_destinations(where.output, where.extra)
    to_stdout = where.output in (None, "-")
    options = RenderOptions(
        show_passed=where.show_passed,
        color=to_stdout and want_color(sys.stdout, os.environ),
        settings=where.settings,
    )
    write_text(where.output, get_writer(where.format).render(report, options))
    plain = RenderOptions(show_passed=where.show_passed, settings=where.settings)
    rendered: dict[str, str] = {}
    for spec in where.extra:
        if spec.format not in rendered:
            rendered[spec.format] = get_writer(spec.format).render(report, plain)
        write_text(spec.path, rendered[spec.format])
    summary = os.environ.get(STEP_SUMMARY_VAR)
    if where.format == "github" and summary:
        append_text(summary, get_writer("markdown").render(report, plain))


def write_text(path: str | None, text: str) -> None:
    """Text to a file, or to stdout for None or ``-``."""
    if path is None or path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write report: {exc.strerror or exc}", file=path) from None
