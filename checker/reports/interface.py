"""The one interface every report writer implements. Writers are pure: report in, text out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from checker.model import Report


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """Presentation choices the CLI makes for a writer (never data the writer should read)."""

    show_passed: bool = False
    color: bool = False
    settings: Mapping[str, str] = field(default_factory=dict)


class ReportWriter(Protocol):
    name: str

    def render(self, report: Report, options: RenderOptions) -> str:
        """The whole report as text in this format."""
        ...
