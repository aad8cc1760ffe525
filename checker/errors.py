"""Domain errors, one per layer. The CLI is the only place that catches them.

Each carries the file, line and column it is about, so the message a user sees is always
``file:line:column: what is wrong``.
"""

from __future__ import annotations


class WfcheckError(Exception):
    """Base of every error the CLI turns into one clear line and an exit code."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line:
                where += f":{self.line}"
                if self.column:
                    where += f":{self.column}"
            where += ": "
        text = f"{where}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class UsageError(WfcheckError):
    """A bad command line: unknown option values, conflicting options."""


class PolicyError(WfcheckError):
    """An invalid policy file, var or var file."""


class InputError(WfcheckError):
    """An input file (records, snapshot, plan, waivers, baseline, config) that cannot be read."""
