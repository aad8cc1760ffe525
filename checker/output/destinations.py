"""Where reports go: ``--report FORMAT=PATH`` specs, the step summary, and colour.

The CLI owns files and streams; this module holds the small decisions it makes about them, so
they can be tested without running a scan.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import NamedTuple, TextIO

from checker.errors import UsageError
from checker.reports import WRITER_BY_NAME
from checker.reports.interface import DEFAULT_WIDTH

STEP_SUMMARY_VAR = "GITHUB_STEP_SUMMARY"


class ReportSpec(NamedTuple):
    """One extra report file: which format, written where."""

    format: str
    path: str


def parse_report_spec(text: str) -> ReportSpec:
    """``FORMAT=PATH`` -> ReportSpec; ValueError says what is wrong with a bad one."""
    name, sep, path = text.partition("=")
    name = name.strip().lower()
    if not sep or not path:
        raise ValueError(f"expected FORMAT=PATH (for example sarif=wfcheck.sarif), got {text!r}")
    if name not in WRITER_BY_NAME:
        raise ValueError(
            f"unknown report format {name!r}; choose from {', '.join(sorted(WRITER_BY_NAME))}"
        )
    if path == "-":
        raise ValueError(f"{text!r}: stdout takes the --format report; give --report a file")
    return ReportSpec(name, path)


def check_destinations(output: str | None, specs: Sequence[ReportSpec]) -> None:
    """No two reports may overwrite each other (including --output)."""
    seen: dict[str, str] = {}
    targets = [("--output", output)] if output not in (None, "-") else []
    targets += [(f"--report {spec.format}={spec.path}", spec.path) for spec in specs]
    for label, path in targets:
        assert path is not None
        key = os.path.normcase(os.path.abspath(path))
        if key in seen:
            raise UsageError(f"{label} writes the same file as {seen[key]}", file=path)
        seen[key] = label


def want_color(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set to anything (no-color.org)
    or the terminal says it cannot (TERM=dumb)."""
    if environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False


def terminal_width(stream: TextIO | None, environ: Mapping[str, str]) -> int:
    """Columns a table may use: ``COLUMNS`` when set to a positive number, else the width of
    ``stream`` when it is a terminal, else :data:`DEFAULT_WIDTH`."""
    text = environ.get("COLUMNS", "").strip()
    if text.isdigit() and int(text) > 0:
        return int(text)
    if stream is not None:
        try:
            if stream.isatty():
                return os.get_terminal_size(stream.fileno()).columns or DEFAULT_WIDTH
        except (AttributeError, ValueError, OSError):  # a closed or unusual stream
            pass
    return DEFAULT_WIDTH
