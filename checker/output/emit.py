"""Writing a scan's reports to their destinations: stdout, report files, the job summary.

Each report streams from its writer straight into its file (or stdout) through a large buffer:
no report exists as one string, whatever the number of results.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TextIO

from checker.errors import UsageError
from checker.files.replacing import replacing
from checker.output.destinations import (
    STEP_SUMMARY_VAR,
    ReportSpec,
    check_destinations,
    terminal_width,
    want_color,
)
from checker.reports import get_writer
from checker.reports.interface import DEFAULT_WIDTH, RenderOptions, Writer
from checker.results import Report

BUFFER = 1 << 20
"""Bytes buffered per output file: few system calls for millions of small writes."""


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
    """Write every report of a scan (checked for clashes first). An extra format is rendered
    once, however many paths ask for it; the others get a copy."""
    check_destinations(where.output, where.extra)
    to_stdout = where.output in (None, "-")
    columns = terminal_width(sys.stdout if to_stdout else None, os.environ)
    options = RenderOptions(
        show_passed=where.show_passed,
        color=to_stdout and want_color(sys.stdout, os.environ),
        settings=where.settings,
        width=columns,
    )
    write_report(get_writer(where.format), report, where.output, options)
    plain = RenderOptions(
        show_passed=where.show_passed,
        settings=where.settings,
        width=terminal_width(None, os.environ),
    )
    written: dict[str, str] = {}
    for spec in where.extra:
        if spec.format in written:
            copy_file(written[spec.format], spec.path)
            continue
        write_report(get_writer(spec.format), report, spec.path, plain)
        written[spec.format] = spec.path
    summary = os.environ.get(STEP_SUMMARY_VAR)
    if where.format == "github" and summary:
        try:
            with open(summary, "a", encoding="utf-8", buffering=BUFFER) as handle:
                get_writer("markdown").write(report, handle, plain)
        except OSError as exc:
            raise UsageError(
                f"cannot append the job summary: {exc.strerror or exc}", file=summary
            ) from None


def write_report(
    writer: Writer[Report], report: Report, path: str | None, options: RenderOptions
) -> None:
    """One report streamed to a file, or to stdout for None or ``-``."""
    with opened(path) as stream:
        writer.write(report, stream, options)


@contextmanager
def opened(path: str | None) -> Iterator[TextIO]:
    """A text stream for ``path`` (stdout for None or ``-``); a write error is a usage error
    naming the file."""
    if path is None or path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    try:
        with replacing(path, buffering=BUFFER) as handle:
            yield handle
    except OSError as exc:
        raise UsageError(f"cannot write report: {exc.strerror or exc}", file=path) from None


def write_text(path: str | None, text: str) -> None:
    """Text to a file, or to stdout for None or ``-``."""
    with opened(path) as stream:
        stream.write(text)


def copy_file(source: str, target: str) -> None:
    try:
        with (
            open(source, encoding="utf-8", newline="") as original,
            replacing(target, buffering=BUFFER) as copy,
        ):
            shutil.copyfileobj(original, copy, BUFFER)
    except OSError as exc:
        raise UsageError(f"cannot write report: {exc.strerror or exc}", file=target) from None


__all__ = ["DEFAULT_WIDTH", "ReportDestinations", "emit", "opened", "write_report", "write_text"]
