"""The live AWS source as the command line asks for it (scan without inputs, fetch)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from checker.cli.console import say
from checker.model import ErrorEntry
from checker.related import parse_kinds

if TYPE_CHECKING:
    from checker.cli.settings import Settings
    from checker.sources.aws.collect import AwsSource
    from checker.sources.aws.options import LiveOptions


def live_options(settings: Settings) -> LiveOptions:
    """LiveOptions from the settings of ``scan`` or ``fetch``."""
    from checker.sources.aws import ListOptions, LiveOptions

    return LiveOptions(
        listing=ListOptions(
            name_contains=settings.get("name_contains"),
            sort_by=settings.get("sort_by"),
            sort_order=settings.get("sort_order"),
            page_size=settings.get("page_size"),
            max_items=settings.get("max_items"),
            starting_token=settings.get("starting_token"),
        ),
        regions=tuple(settings.get("region") or ()),
        profile=settings.get("profile"),
        endpoint_url=settings.get("endpoint_url"),
        sts_endpoint_url=settings.get("sts_endpoint_url"),
        role_arn=settings.get("role_arn"),
        accounts_file=settings.get("accounts"),
        org=bool(settings.get("org")),
        role_name=settings.get("role_name"),
        external_id=settings.get("external_id"),
        workers=settings["workers"],
        retry_mode=settings["retry_mode"],
        max_attempts=settings["max_attempts"],
        timeout=settings["timeout"],
        related=parse_kinds(settings.get("related") or "all"),
    )


def live_source(settings: Settings, quiet: bool) -> AwsSource:
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

    return AwsSource(live_options(settings), progress=on_progress, on_finish=on_finish)


def print_collection_errors(errors: Sequence[ErrorEntry]) -> None:
    """One stderr line per unit that could not be read, however many regions share a cause."""
    for error in errors:
        where = "/".join(part for part in (error.account, error.region) if part)
        say(f"could not collect {where or error.source}: {error.code}: {error.message}")
