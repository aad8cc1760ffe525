"""``wfcheck fetch``: the live estate into a snapshot that ``scan`` evaluates offline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.cli.command_options import SnapshotOptions
from checker.cli.console import say
from checker.cli.live import live_source, print_collection_errors
from checker.cli.options import live_options, parse_now
from checker.gate import EXIT_INCOMPLETE

if TYPE_CHECKING:
    from checker.cli.settings import Settings


def run(settings: Settings) -> int:
    """Write the records, units and errors as a snapshot; exit 3 if anything was missed."""
    from checker.output.emit import opened
    from checker.output.guard import check_outputs
    from checker.output.snapshot import write_snapshot

    snapshot = SnapshotOptions.of(settings)
    live = live_options(settings)
    now = parse_now(snapshot.now)
    quiet, output = snapshot.quiet, snapshot.output
    read = [("--accounts", live.accounts_file)] if live.accounts_file else []
    if settings.config is not None:
        read.append(("config", settings.config.name))
    check_outputs([("--output", output)], read, create_dirs=snapshot.create_dirs)
    source = live_source(live, quiet)
    records = list(source.records())  # collected before the file is opened: a credentials
    # error (exit 2) must not leave a half-written snapshot behind
    with opened(output) as stream:
        count = write_snapshot(
            stream,
            records,
            lambda: source.units,
            lambda: source.errors,
            options=source.describe(),
            generated_at=now,
        )
    if not quiet:
        print_collection_errors(source.errors)
        say(f"{count} workforce(s) from {len(source.units)} unit(s)")
    return EXIT_INCOMPLETE if source.errors else 0
