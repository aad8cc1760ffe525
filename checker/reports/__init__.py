"""Report writers: one module per format behind :class:`checker.reports.interface.ReportWriter`.

``WRITER_BY_NAME`` maps a format name to the module that holds its ``WRITER``; modules load only
when used, so an offline scan never imports what a format it does not write needs. Adding a
format is one module plus one line here.
"""

from __future__ import annotations

from importlib import import_module

from checker.reports.interface import ReportWriter

WRITER_BY_NAME: dict[str, str] = {
    "table": "checker.reports.table",
    "json": "checker.reports.json",
    "sarif": "checker.reports.sarif",
    "junit": "checker.reports.junit",
    "csv": "checker.reports.csv",
    "asff": "checker.reports.asff",
    "markdown": "checker.reports.markdown",
    "html": "checker.reports.html",
    "github": "checker.reports.github",
}


def get_writer(name: str) -> ReportWriter:
    writer: ReportWriter = import_module(WRITER_BY_NAME[name]).WRITER
    return writer
