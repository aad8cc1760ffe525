"""Writers: one module per format behind :class:`checker.reports.interface.Writer`.

Three registries of one shape map a format name to where its writer lives, ``"module"`` (the
module's ``WRITER``) or ``"module:NAME"``; modules load only when used, so an offline scan never
imports what a format it does not write needs. The CLI's choices are the registries' keys.
Adding a format is one module plus one line here.

- ``WRITER_BY_NAME``: scan reports (a :class:`checker.model.Report`);
- ``DIFF_WRITER_BY_NAME``: ``wfcheck diff`` (a :class:`checker.findings.diff.Diff`);
- ``RULES_WRITER_BY_NAME``: ``wfcheck rules`` (a :class:`checker.reports.rules.RuleList`).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from checker.reports.interface import ReportWriter, Writer

WRITER_BY_NAME: dict[str, str] = {
    "table": "checker.reports.table",
    "json": "checker.reports.json",
    "sarif": "checker.reports.sarif",
    "junit": "checker.reports.junit",
    "csv": "checker.reports.csv",
    "asff": "checker.reports.asff",
    "ocsf": "checker.reports.ocsf",
    "markdown": "checker.reports.markdown",
    "html": "checker.reports.html",
    "github": "checker.reports.github",
}

DIFF_WRITER_BY_NAME: dict[str, str] = {
    "table": "checker.reports.diff:TABLE",
    "json": "checker.reports.diff:JSON",
    "markdown": "checker.reports.diff:MARKDOWN",
}

RULES_WRITER_BY_NAME: dict[str, str] = {
    "table": "checker.reports.rules:TABLE",
    "json": "checker.reports.rules:JSON",
    "markdown": "checker.reports.rules:MARKDOWN",
}


def load_writer(registry: dict[str, str], name: str) -> Writer[Any]:
    """The writer ``name`` of ``registry``, its module imported on first use."""
    module, _, attribute = registry[name].partition(":")
    writer: Writer[Any] = getattr(import_module(module), attribute or "WRITER")
    return writer


def get_writer(name: str) -> ReportWriter:
    """A scan report writer by format name."""
    return load_writer(WRITER_BY_NAME, name)
