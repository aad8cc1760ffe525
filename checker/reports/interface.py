"""The one interface every writer implements: a document in, text streamed out.

Writers are pure: they read only the document they are given (a :class:`Report`, a diff, a rule
list), never AWS or files, and write to the stream they are handed, piece by piece, so a report
of millions of results never exists as one string. Memory is bounded by what a human format
shows (its findings), never by the number of results.
"""

from __future__ import annotations

import io
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Generic, TextIO, TypeVar

from checker.results import Report

RECORDS_KEPT = 1 << 21
"""Records whose encoded parts a writer that visits a record once per rule group keeps (the
table, SARIF runs by rule, HTML's data block): a few hundred bytes each, so every record of a
1M estate (under 0.5 GB) and a bound past that (the others are encoded again at each visit).
A smaller bound would keep time linear only up to it: the visits are cyclic, so no eviction
order helps."""

DEFAULT_WIDTH = 120
"""Terminal columns a table fits when the width is unknown (not a terminal, COLUMNS unset)."""


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """Presentation choices the CLI makes for a writer (never data the writer should read).

    ``show_passed`` lists what is not a finding (passed and skipped results; unchanged
    failures in a diff); ``width`` is the terminal width a table must fit.
    """

    show_passed: bool = False
    color: bool = False
    settings: Mapping[str, str] = field(default_factory=dict)
    width: int = DEFAULT_WIDTH


Document = TypeVar("Document")


class Writer(ABC, Generic[Document]):
    """One output format for one kind of document."""

    name: ClassVar[str]

    @abstractmethod
    def write(self, document: Document, stream: TextIO, options: RenderOptions) -> None:
        """The whole document in this format, written to ``stream`` as it is produced."""

    def render(self, document: Document, options: RenderOptions | None = None) -> str:
        """The whole document as one string (tests, small documents)."""
        buffer = io.StringIO()
        self.write(document, buffer, options or RenderOptions())
        return buffer.getvalue()


ReportWriter = Writer[Report]
"""A scan report format (``WRITER_BY_NAME``)."""
