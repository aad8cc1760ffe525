"""The live AWS source as the command line asks for it (scan without inputs, fetch)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from checker.cli.console import say
from checker.model import ErrorEntry

if TYPE_CHECKING:
    from checker.sources.aws.collect import AwsSource
    from checker.sources.aws.options import LiveOptions


def live_source(options: LiveOptions, quiet: bool) -> AwsSource:
    """The live source, with a progress line on a TTY and the resume tokens on stderr."""
    from checker.cli.progress import ProgressLine
    from checker.sources.aws.collect import AwsSource

    progress = ProgressLine.for_stream(sys.stderr, quiet=quiet)

    def on_progress(done: int, total: int, records: int, errors: int) -> None:
        progress.update(done, total, records, errors)

    def on_finish(source: AwsSource) -> None:
        progress.finish()
        if quiet:
            return
        for unit in source.truncated:
            where = "/".join(part for part in (unit.account, unit.region) if part)
            say(
                f"--max-items reached in {where or 'aws'}: resume with "
                f"--starting-token {unit.resume_token}"
            )

    return AwsSource(options, progress=on_progress, on_finish=on_finish)


def print_collection_errors(errors: Sequence[ErrorEntry]) -> None:
    """One stderr line per unit that could not be read, however many regions share a cause."""
    for error in errors:
        where = "/".join(part for part in (error.account, error.region) if part)
        say(f"could not collect {where or error.source}: {error.code}: {error.message}")
