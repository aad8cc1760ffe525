"""``wfcheck diff OLD NEW``: new, resolved and unchanged failures between two scans."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from checker.cli.command_options import DiffOptions
from checker.cli.console import warn
from checker.cli.options import PolicyOptions, parse_now
from checker.errors import UsageError
from checker.gate import EXIT_FINDINGS

if TYPE_CHECKING:
    from checker.cli.settings import Settings
    from checker.results import Report


def run(settings: Settings) -> int:
    from checker.findings.diff import compare, gate_failures, load_side
    from checker.output.emit import opened
    from checker.output.guard import check_outputs
    from checker.pipeline import build_report
    from checker.reports import DIFF_WRITER_BY_NAME, load_writer
    from checker.reports.interface import RenderOptions
    from checker.sources.files import InputFileSource

    options = DiffOptions.of(settings)
    old, new, output = options.old, options.new, options.output
    if "-" in (old, new):
        raise UsageError("diff reads two files; stdin (-) is not supported")
    policy = PolicyOptions.of(settings)
    check_outputs([("--output", output)], [("OLD", old), ("NEW", new)])
    now = parse_now(options.now)
    loaded: list[Any] = []

    def evaluate(path: str) -> Report:
        if not loaded:  # policies only when an input needs evaluating
            policies = policy.load()
            loaded.append((policies.files, policy.select(policies.rules)))
        files, rules = loaded[0]
        return build_report(None, files, rules, [InputFileSource(path)], now)

    diff = compare(load_side(old, evaluate), load_side(new, evaluate))
    writer = load_writer(DIFF_WRITER_BY_NAME, options.format)
    with opened(output) as stream:
        writer.write(diff, stream, RenderOptions(show_passed=options.show_unchanged))
    if not options.quiet:
        for note in diff.notes:
            warn(note)
    return EXIT_FINDINGS if gate_failures(diff, options.fail_on) else 0
