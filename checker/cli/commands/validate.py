"""``wfcheck validate PATH...``: every wfcheck file checked, every problem one line."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from checker.cli.console import error
from checker.errors import UsageError
from checker.gate import EXIT_USAGE

if TYPE_CHECKING:
    from checker.cli.settings import Settings


def run(settings: Settings) -> int:
    from checker.validate import validate_paths

    paths = settings.get("paths") or []
    if not paths:
        raise UsageError("validate: give the files or directories to check", hint="e.g. .")
    problems, checked = validate_paths(paths)
    for problem in problems:
        error(problem)
    if problems:
        return EXIT_USAGE
    print(f"{checked} file(s) valid", file=sys.stderr)
    return 0
