"""Lines on stderr: one per message, made safe for a terminal and a CI log.

Text from data (file names, rule ids, record values, AWS error messages) goes through
:func:`checker.reports.escape.terminal_safe`: no escape sequences, control or bidi characters,
and no line break, so no line wfcheck did not write itself can start with ``::`` (a GitHub
workflow command).
"""

from __future__ import annotations

import sys

from checker.reports.escape import terminal_safe

PROG = "wfcheck"


def say(text: str) -> None:
    print(f"{PROG}: {terminal_safe(text)}", file=sys.stderr)


def warn(text: str) -> None:
    say(f"warning: {text}")


def error(text: str) -> None:
    say(f"error: {text}")
