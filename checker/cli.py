"""Command line: parse argv, build the pieces, run, map the outcome to an exit code.

Domain errors are caught here and only here, printed as one line, and mapped to exit 2 (or the
error's own code). Nothing below this module prints or exits.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from checker import __version__
from checker.errors import UsageError, WfcheckError
from checker.files.timestamps import parse_timestamp
from checker.gate import EXIT_INCOMPLETE, EXIT_USAGE, GatePolicy, exit_code
from checker.model import SEVERITIES, ErrorEntry, Report
from checker.reports import WRITER_BY_NAME
from checker.sources.base import RecordSource

if TYPE_CHECKING:  # the policy layer loads lazily: --version must stay fast
    from checker.findings.acceptance import Acceptance
    from checker.policy.loader import PolicySet, Rule

    Subcommands = argparse._SubParsersAction[argparse.ArgumentParser]

PROG = "wfcheck"


# --- parsing ------------------------------------------------------------------------------------


def _add_policy_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("policies")
    group.add_argument(
        "--policy",
        action="append",
        default=None,
        metavar="PATH",
        help="policy file or directory (repeatable); replaces the bundled pack; "
        "'builtin' names the bundled pack",
    )
    group.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a policy var (a list as comma-separated or JSON)",
    )
    group.add_argument(
        "--var-file",
        action="append",
        default=[],
        metavar="FILE",
        help="YAML file of var values (repeatable)",
    )
    group.add_argument(
        "--rule",
        action="append",
        default=[],
        metavar="ID",
        help="only run rules matching this id or glob (repeatable)",
    )
    group.add_argument(
        "--skip-rule",
        action="append",
        default=[],
        metavar="ID",
        help="do not run rules matching this id or glob (repeatable)",
    )


def _add_output_arguments(parser: argparse.ArgumentParser, default_format: str = "table") -> None:
    group = parser.add_argument_group("output")
    group.add_argument(
        "--format",
        choices=sorted(WRITER_BY_NAME),
        default=default_format,
        help=f"report format on stdout (default {default_format})",
    )
    group.add_argument("--output", metavar="FILE", help="write the report to FILE, not stdout")
    group.add_argument(
        "--show-passed", action="store_true", help="table: list passed and skipped results too"
    )
    group.add_argument("--quiet", action="store_true", help="no progress or notes on stderr")


def _add_gate_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("gate")
    group.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        default="low",
        help="lowest severity that fails the run (default low; info never fails)",
    )
    group.add_argument(
        "--soft-fail",
        action="store_true",
        help="exit 0 even with failing results (2 and 3 are kept)",
    )
    group.add_argument(
        "--now", metavar="ISO8601", help="evaluate as of this time (age rules, generated_at)"
    )


def _add_input_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("offline inputs")
    group.add_argument(
        "--input",
        action="append",
        default=[],
        metavar="FILE",
        help="list-workforces / describe-workforce JSON, a list of workforces, or "
        "a wfcheck snapshot (repeatable; - is stdin)",
    )
    group.add_argument(
        "--max-input-mb",
        type=int,
        default=32,
        metavar="N",
        help="refuse input files larger than N MiB (default 32)",
    )


# Extension points: each feature area owns one of these functions (and its own modules), so
# areas can grow without editing each other's code.


def _add_live_arguments(parser: argparse.ArgumentParser) -> None:
    """Live AWS collection options (scan with no --input, and fetch)."""
    from checker.sources import live_options as live

    group = parser.add_argument_group("live AWS collection (scan without --input, fetch)")
    group.add_argument(
        "--profile", metavar="NAME", help="AWS profile (default: the standard credential chain)"
    )
    group.add_argument(
        "--region",
        action="append",
        dest="region",
        default=None,
        metavar="REGION",
        help="region to read (repeatable); 'all': every "
        "SageMaker region enabled in the account (default: the session's region)",
    )
    group.add_argument(
        "--endpoint-url", metavar="URL", help="SageMaker endpoint (private endpoints, tests)"
    )
    group.add_argument("--sts-endpoint-url", metavar="URL", help="STS endpoint for AssumeRole")
    group.add_argument("--role-arn", metavar="ARN", help="assume this role (one account)")
    group.add_argument(
        "--accounts", metavar="FILE", help="YAML file of accounts to read (see docs/live.md)"
    )
    group.add_argument(
        "--org",
        action="store_true",
        help="read every active account of the AWS Organization (with --role-name)",
    )
    group.add_argument(
        "--role-name",
        metavar="NAME",
        help="role to assume in each account (--org; default for --accounts entries)",
    )
    group.add_argument("--external-id", metavar="ID", help="ExternalId for AssumeRole")
    group.add_argument(
        "--name-contains",
        metavar="TEXT",
        help="only workforces whose name contains TEXT (NameContains)",
    )
    group.add_argument("--sort-by", choices=live.SORT_BY, help="SortBy")
    group.add_argument("--sort-order", choices=live.SORT_ORDER, help="SortOrder")
    group.add_argument(
        "--page-size",
        type=int,
        metavar="N",
        help=f"workforces per request (1-{live.MAX_PAGE_SIZE})",
    )
    group.add_argument(
        "--max-items",
        type=int,
        metavar="N",
        help="stop each listing after N "
        "workforces; the resume token is printed and kept in the report",
    )
    group.add_argument(
        "--starting-token",
        metavar="TOKEN",
        help="resume a listing (one account and region) from a --max-items resume token",
    )
    group.add_argument(
        "--workers",
        type=int,
        default=live.DEFAULT_WORKERS,
        metavar="N",
        help=f"parallel requests at most (default {live.DEFAULT_WORKERS})",
    )
    group.add_argument(
        "--retry-mode",
        choices=live.RETRY_MODES,
        default="standard",
        help="botocore retry mode (default standard)",
    )
    group.add_argument(
        "--max-attempts",
        type=int,
        default=live.DEFAULT_MAX_ATTEMPTS,
        metavar="N",
        help=f"attempts per request, retries included (default {live.DEFAULT_MAX_ATTEMPTS})",
    )
    group.add_argument(
        "--timeout",
        type=float,
        default=live.DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"connect and read timeout (default {live.DEFAULT_TIMEOUT:g})",
    )


def _add_terraform_arguments(parser: argparse.ArgumentParser) -> None:
    """Terraform plan/state inputs."""
    group = parser.add_argument_group("terraform")
    group.add_argument(
        "--terraform",
        action="append",
        default=[],
        metavar="FILE",
        help="JSON of terraform show -json PLANFILE, or of terraform show -json "
        "(state) (repeatable; - is stdin)",
    )
    group.add_argument(
        "--include-unchanged",
        action="store_true",
        help="plans: also check workforces the plan leaves unchanged (no-op)",
    )
    group.add_argument(
        "--fail-on-unknown",
        action="store_true",
        help="fail the run when a rule depends on a value known only after apply",
    )


def _add_cloudformation_arguments(parser: argparse.ArgumentParser) -> None:
    """CloudFormation templates and CDK output (checker/sources/cloudformation)."""
    group = parser.add_argument_group("cloudformation and cdk")
    group.add_argument(
        "--cloudformation",
        action="append",
        default=[],
        metavar="PATH",
        help="CloudFormation template (JSON or YAML), CDK output (cdk.out), or a folder "
        "searched for both (repeatable)",
    )
    group.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="template parameter value (repeatable; wins over --parameters-file)",
    )
    group.add_argument(
        "--parameters-file",
        action="append",
        default=[],
        metavar="FILE",
        help="parameter values in the JSON aws cloudformation deploy --parameter-overrides "
        "reads (repeatable; a later file wins)",
    )


def _add_report_arguments(parser: argparse.ArgumentParser) -> None:
    """Extra report files and report destinations (--report FORMAT=PATH, Security Hub)."""
    from checker.output.destinations import parse_report_spec

    group = parser.add_argument_group("extra reports")
    group.add_argument(
        "--report",
        action="append",
        default=[],
        type=parse_report_spec,
        metavar="FORMAT=PATH",
        help="also write a report in FORMAT to PATH (repeatable), e.g. "
        "--report sarif=wfcheck.sarif --report html=review.html; formats: "
        + ", ".join(sorted(WRITER_BY_NAME)),
    )


def _add_acceptance_arguments(parser: argparse.ArgumentParser) -> None:
    """Waivers and baselines."""
    group = parser.add_argument_group("waivers and baselines")
    group.add_argument(
        "--waivers",
        action="append",
        default=None,
        metavar="FILE",
        help="YAML waiver file (repeatable): matching failures become 'waived'",
    )
    group.add_argument(
        "--max-waiver-days",
        type=_non_negative_int,
        default=None,
        metavar="N",
        help="reject waivers that expire more than N days after --now",
    )
    group.add_argument(
        "--strict-waivers",
        action="store_true",
        help="expired or unused waivers fail the run (exit 1)",
    )
    group.add_argument(
        "--baseline",
        metavar="FILE",
        help="known failures listed in FILE are reported as 'baseline' and do not fail the run",
    )
    group.add_argument(
        "--write-baseline",
        metavar="FILE",
        help="write the current failing results' fingerprints to FILE",
    )


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more days, got {value}")
    return value


class _WriterSetting(argparse.Action):
    """Stores an option in ``args.writer_settings`` (a new dict each time: defaults are shared),
    the one place report writers' settings come from (``RenderOptions.settings``)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        settings = dict(getattr(namespace, "writer_settings", None) or {})
        settings[self.dest] = str(values)
        namespace.writer_settings = settings


def _product_arn(text: str) -> str:
    from checker.reports.asff import PRODUCT_ARN

    if not PRODUCT_ARN.match(text):
        raise argparse.ArgumentTypeError(
            f"expected arn:aws:securityhub:REGION:ACCOUNT:product/COMPANY/PRODUCT, got {text!r}"
        )
    return text


def _http_url(text: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(f"expected an http(s):// URL, got {text!r}")
    return text


def _add_securityhub_arguments(parser: argparse.ArgumentParser) -> None:
    """Sending ASFF findings to AWS Security Hub (and the SARIF/ASFF writers' settings)."""
    group = parser.add_argument_group("Security Hub, ASFF and SARIF")
    group.add_argument(
        "--securityhub-import",
        action="store_true",
        help="send the failing results to AWS Security Hub as ASFF findings "
        "(BatchImportFindings, 100 a call); a rejected finding exits 3",
    )
    group.add_argument(
        "--securityhub-region",
        metavar="REGION",
        help="call Security Hub in REGION (default: the region of each "
        "finding's product ARN, i.e. the workforce's region)",
    )
    group.add_argument(
        "--securityhub-endpoint-url",
        metavar="URL",
        type=_http_url,
        help="Security Hub endpoint (a VPC endpoint, or a local test server)",
    )
    group.add_argument(
        "--asff-product-arn",
        dest="asff.product_arn",
        metavar="ARN",
        action=_WriterSetting,
        type=_product_arn,
        help="ASFF ProductArn (default arn:aws:securityhub:REGION:ACCOUNT:"
        "product/ACCOUNT/default per finding); also places records that "
        "have no account or region (Terraform plans)",
    )
    group.add_argument(
        "--sarif-automation-id",
        dest="sarif.automation_id",
        metavar="ID",
        action=_WriterSetting,
        help="SARIF runAutomationDetails.id, GitHub's analysis category (default wfcheck/)",
    )
    parser.set_defaults(writer_settings={})


def _add_live_commands(commands: Subcommands) -> None:
    """fetch, iam-policy."""
    fetch = commands.add_parser(
        "fetch",
        help="read workforces from AWS into a snapshot file",
        description="Read every workforce (live API) into a snapshot "
        "that 'wfcheck scan --input' evaluates offline.",
    )
    fetch.add_argument("--output", metavar="FILE", help="write the snapshot to FILE, not stdout")
    fetch.add_argument("--quiet", action="store_true", help="no progress or notes on stderr")
    fetch.add_argument(
        "--now", metavar="ISO8601", help="generated_at to record (reproducible snapshots)"
    )
    _add_live_arguments(fetch)
    fetch.set_defaults(handler=run_fetch)
    policy = commands.add_parser(
        "iam-policy",
        help="print the IAM policy a live scan needs",
        description="Print the least-privilege IAM policy document.",
    )
    policy.add_argument(
        "--scope",
        choices=["all", "read", "caller"],
        default="all",
        help="read: the role in each scanned account; caller: the identity "
        "that assumes roles / lists the organization; all: both (default)",
    )
    policy.add_argument("--role-name", metavar="NAME", help="limit sts:AssumeRole to this role")
    policy.set_defaults(handler=run_iam_policy)


def _add_diff_command(commands: Subcommands) -> None:
    """diff OLD NEW."""
    from checker.findings.diff import RENDERER_BY_NAME

    diff = commands.add_parser(
        "diff",
        help="new, resolved and unchanged failures between two scans",
        description="Compare two JSON reports (scan --format json) or scan inputs such as "
        "snapshots (evaluated with the current policies and vars), per workforce. "
        "Exit 1 when NEW has failures OLD did not have.",
    )
    diff.add_argument("old", metavar="OLD", help="the earlier report or input file")
    diff.add_argument("new", metavar="NEW", help="the later report or input file")
    _add_policy_arguments(diff)
    diff.add_argument(
        "--format",
        choices=sorted(RENDERER_BY_NAME),
        default="table",
        help="output format (default table)",
    )
    diff.add_argument("--output", metavar="FILE", help="write the diff to FILE, not stdout")
    diff.add_argument(
        "--show-unchanged",
        action="store_true",
        help="table/markdown: list unchanged failures too (json always does)",
    )
    diff.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        default="low",
        help="lowest severity of a new failure that exits 1 (default low; info never does)",
    )
    diff.add_argument(
        "--now", metavar="ISO8601", help="evaluate input files as of this time (both sides)"
    )
    diff.add_argument("--quiet", action="store_true", help="no notes on stderr")
    diff.set_defaults(handler=run_diff)


def run_diff(args: argparse.Namespace) -> int:
    from checker.findings.diff import RENDERER_BY_NAME, compare, gate_failures, load_side
    from checker.gate import EXIT_FINDINGS
    from checker.reports.escape import terminal_safe
    from checker.sources.files import InputFileSource

    if "-" in (args.old, args.new):
        raise UsageError("diff reads two files; stdin (-) is not supported")
    now = parse_now(args.now)
    loaded: list[tuple[Sequence[str], list]] = []  # type: ignore[type-arg]

    def evaluate(path: str) -> Report:
        if not loaded:  # policies only when an input needs evaluating
            policies = build_policies(args)
            loaded.append((policies.files, select_rules(policies.rules, args.rule, args.skip_rule)))
        files, rules = loaded[0]
        return build_report(None, files, rules, [InputFileSource(path)], now)

    diff = compare(load_side(args.old, evaluate), load_side(args.new, evaluate))
    write_text(args.output, RENDERER_BY_NAME[args.format](diff, args.show_unchanged))
    if not args.quiet:
        for note in diff.notes:
            print(f"{PROG}: warning: {terminal_safe(note)}", file=sys.stderr)
    return EXIT_FINDINGS if gate_failures(diff, args.fail_on) else 0


def _add_test_and_config_commands(commands: Subcommands) -> None:
    """test (policy tests), config (effective configuration); --config on every command."""
    test = commands.add_parser(
        "test",
        help="run policy tests (expected status per rule)",
        description="Run policy test cases: each names a workforce "
        "record, optional vars and time, and the expected status per "
        "rule id. Ends with 'N passed, M failed'; exit 1 on failures.",
    )
    test.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="test file, or directory searched for YAML files with 'cases:'",
    )
    test.add_argument(
        "--policy",
        action="append",
        default=None,
        metavar="PATH",
        help="policy file or directory under test (repeatable; default builtin)",
    )
    test.add_argument(
        "--now",
        metavar="ISO8601",
        help="time for cases that set no 'now' (default: the current time)",
    )
    test.add_argument(
        "--coverage",
        action="store_true",
        help="list rules with no passing or no failing case; gaps exit 1",
    )
    test.set_defaults(handler=run_test)
    config = commands.add_parser(
        "config",
        help="print the effective configuration",
        description="Print the options COMMAND would run with, after "
        ".wfcheck.yaml and the command line, and where each came from.",
    )
    config.add_argument(
        "args",
        nargs=argparse.REMAINDER,
        metavar="COMMAND [OPTION...]",
        help="the command line to explain (default: scan)",
    )
    config.set_defaults(handler=run_config)
    for parser in commands.choices.values():
        group = parser.add_argument_group("configuration")
        group.add_argument(
            "--config",
            metavar="FILE",
            help="read options from FILE instead of the .wfcheck.yaml found in "
            "the working directory or its parents",
        )
        group.add_argument("--no-config", action="store_true", help="ignore any .wfcheck.yaml")


def load_config_defaults(parser: argparse.ArgumentParser, argv: list[str]) -> None:
    """Apply .wfcheck.yaml (or --config FILE) as parser defaults, so the command line wins."""
    from checker.config import apply_config, find_config, uses_config

    config = find_config(argv) if uses_config(parser, argv) else None
    if config is not None:
        apply_config(parser, config)


def run_test(args: argparse.Namespace) -> int:
    from checker.policy.policytest import format_run, run_tests

    now = parse_now(args.now) if args.now else None
    run = run_tests(args.paths, args.policy or ["builtin"], now)
    sys.stdout.write(format_run(run, coverage=args.coverage))
    gaps = args.coverage and run.coverage_gaps()
    return 1 if run.failed or gaps else 0


def run_config(args: argparse.Namespace) -> int:
    from checker.config import explain_config

    sys.stdout.write(explain_config(build_parser, args.args or ["scan"]))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Compliance checks for SageMaker Ground Truth private workforces.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    scan = commands.add_parser(
        "scan",
        help="evaluate policies on workforces and report",
        description="Evaluate policies on workforce records (offline "
        "inputs, or the live AWS API when none is given).",
    )
    _add_input_arguments(scan)
    _add_policy_arguments(scan)
    _add_output_arguments(scan)
    _add_gate_arguments(scan)
    _add_terraform_arguments(scan)
    _add_cloudformation_arguments(scan)
    _add_live_arguments(scan)
    _add_report_arguments(scan)
    _add_securityhub_arguments(scan)
    _add_acceptance_arguments(scan)
    scan.set_defaults(handler=run_scan)

    validate = commands.add_parser(
        "validate",
        help="check policy, var and input files",
        description="Validate policy files (schema, unique ids, "
        "operators, literals, vars), var files and input files.",
    )
    validate.add_argument("paths", nargs="+", metavar="PATH")
    validate.set_defaults(handler=run_validate)

    rules = commands.add_parser("rules", help="list the loaded rules")
    _add_policy_arguments(rules)
    rules.add_argument("--format", choices=["table", "json", "markdown"], default="table")
    rules.set_defaults(handler=run_rules)

    _add_live_commands(commands)
    _add_diff_command(commands)
    _add_test_and_config_commands(commands)
    return parser


# --- building -----------------------------------------------------------------------------------


def parse_now(text: str | None) -> datetime:
    if text is None:
        return datetime.now(timezone.utc).replace(microsecond=0)
    moment = parse_timestamp(text)
    if moment is None:
        raise UsageError(f"--now {text!r}: expected an ISO-8601 time such as 2026-01-31T12:00:00Z")
    return moment


def build_policies(args: argparse.Namespace) -> PolicySet:
    from checker.policy.loader import BUILTIN, load_policies

    return load_policies(
        args.policy or [BUILTIN],
        args.var_file,
        args.var,
        severity_overrides=getattr(args, "severity_overrides", None),
    )


def select_rules(
    rules: Sequence[Rule], include: Sequence[str], exclude: Sequence[str]
) -> list[Rule]:
    """Rules matching any --rule glob (all when none) and no --skip-rule glob."""
    ids = [rule.info.id for rule in rules]
    for pattern in [*include, *exclude]:
        if not fnmatch.filter(ids, pattern):
            raise UsageError(f"rule pattern {pattern!r} matches no loaded rule")
    return [
        rule
        for rule in rules
        if (not include or any(fnmatch.fnmatchcase(rule.info.id, p) for p in include))
        and not any(fnmatch.fnmatchcase(rule.info.id, p) for p in exclude)
    ]


def build_sources(args: argparse.Namespace) -> list[RecordSource]:
    """Offline inputs when given; otherwise the live API."""
    from checker.sources.files import InputFileSource

    if args.input.count("-") > 1:
        raise UsageError("--input - (stdin) can be given only once")
    if args.max_input_mb < 1:
        raise UsageError("--max-input-mb must be at least 1")
    limit = args.max_input_mb * 1024 * 1024
    sources: list[RecordSource] = [InputFileSource(path, limit) for path in args.input]
    sources.extend(build_terraform_sources(args))
    if args.cloudformation or args.parameter or args.parameters_file:
        from checker.sources.cloudformation import cloudformation_sources

        sources.extend(
            cloudformation_sources(
                args.cloudformation,
                parameters=args.parameter,
                parameter_files=args.parameters_file,
                region=args.region,
            )
        )
    if not sources:
        sources.extend(build_live_sources(args))
    if not sources:
        raise UsageError("no records to scan: give --input FILE")
    return sources


def build_terraform_sources(args: argparse.Namespace) -> list[RecordSource]:
    """Sources for --terraform files (none when not given)."""
    from checker.sources.terraform import terraform_sources

    return terraform_sources(
        getattr(args, "terraform", None) or [],
        stdin_taken="-" in (getattr(args, "input", None) or []),
        include_unchanged=getattr(args, "include_unchanged", False),
        regions=getattr(args, "region", None),
    )


def build_live_sources(args: argparse.Namespace) -> list[RecordSource]:
    """The live AWS source, used when no offline input is given."""
    from checker.progress import ProgressLine
    from checker.sources.aws import AwsSource, live_options

    progress = ProgressLine.for_stream(sys.stderr, quiet=args.quiet)

    def on_progress(done: int, total: int, records: int, errors: int) -> None:
        progress.update(done, total, records, errors)

    def on_finish(source: AwsSource) -> None:
        progress.finish()
        if args.quiet:
            return
        for unit in source.truncated:
            where = "/".join(part for part in (unit.account, unit.region) if part)
            print(
                f"{PROG}: --max-items reached in {where or 'aws'}: resume with "
                f"--starting-token {unit.resume_token}",
                file=sys.stderr,
            )

    return [AwsSource(live_options(args), progress=on_progress, on_finish=on_finish)]


def print_collection_errors(errors: Sequence[ErrorEntry]) -> None:
    """One stderr line per unit that could not be read (scan and fetch say it the same way)."""
    for error in errors:
        where = "/".join(part for part in (error.account, error.region) if part)
        print(
            f"{PROG}: could not collect {where or error.source}: {error.code}: {error.message}",
            file=sys.stderr,
        )


def run_fetch(args: argparse.Namespace) -> int:
    """Write the live records, units and errors as a snapshot; exit 3 if anything was missed."""
    from checker.sources.aws import AwsSource
    from checker.sources.snapshot import render_snapshot

    now = parse_now(args.now)
    source = build_live_sources(args)[0]
    assert isinstance(source, AwsSource)
    records = list(source.records())
    write_text(
        args.output,
        render_snapshot(
            records, source.units, source.errors, options=source.describe(), generated_at=now
        ),
    )
    if not args.quiet:
        print_collection_errors(source.errors)
        print(
            f"{PROG}: {len(records)} workforce(s) from {len(source.units)} unit(s)", file=sys.stderr
        )
    return EXIT_INCOMPLETE if source.errors else 0


def run_iam_policy(args: argparse.Namespace) -> int:
    from checker.iam import render_policy

    sys.stdout.write(render_policy(args.scope, args.role_name))
    return 0


def build_acceptance(args: argparse.Namespace, now: datetime) -> Acceptance:
    """Waivers and baseline from the command line, loaded (and checked) before collection."""
    from checker.findings.acceptance import load_acceptance

    return load_acceptance(
        getattr(args, "waivers", None) or [],
        now=now,
        strict_waivers=bool(getattr(args, "strict_waivers", False)),
        max_waiver_days=getattr(args, "max_waiver_days", None),
        baseline=getattr(args, "baseline", None),
        write_baseline=getattr(args, "write_baseline", None),
    )


def post_report_actions(args: argparse.Namespace, report: Report) -> list[ErrorEntry]:
    """Actions after the reports are written (Security Hub import); what failed, if anything."""
    if not getattr(args, "securityhub_import", False):
        return []
    from checker.output.securityhub import SOURCE, import_findings
    from checker.reports.asff import findings, unplaced

    settings = getattr(args, "writer_settings", None) or {}
    outcome = import_findings(
        findings(report, settings),
        region=args.securityhub_region,
        endpoint_url=args.securityhub_endpoint_url,
        profile=getattr(args, "profile", None),
    )
    errors = list(outcome.errors)
    left_out = unplaced(report, settings)
    if left_out:
        errors.append(
            ErrorEntry(
                source=SOURCE,
                code="NoAccount",
                message=(
                    f"{left_out} failing result(s) have no account or region and were not sent; "
                    "give --asff-product-arn to place them"
                ),
            )
        )
    if not args.quiet:
        print(
            f"{PROG}: Security Hub: imported {outcome.imported} of {outcome.sent} finding(s)",
            file=sys.stderr,
        )
    return errors


# --- running ------------------------------------------------------------------------------------


def emit_reports(args: argparse.Namespace, report: Report) -> None:
    """Write the --format report to stdout (or --output), and any extra reports."""
    from checker.output.emit import ReportDestinations, emit

    emit(
        report,
        ReportDestinations(
            format=args.format,
            output=args.output,
            extra=tuple(getattr(args, "report", None) or ()),
            show_passed=args.show_passed,
            settings=getattr(args, "writer_settings", None) or {},
        ),
    )


def build_report(
    acceptance: Acceptance | None,
    policy_files: Sequence[str],
    rules: Sequence[Rule],
    sources: Sequence[RecordSource],
    now: datetime,
) -> Report:
    """The report of a scan, with acceptance warnings printed on stderr."""
    from checker.pipeline import build_report as build
    from checker.reports.escape import terminal_safe

    def warn(text: str) -> None:
        print(f"{PROG}: warning: {terminal_safe(text)}", file=sys.stderr)

    return build(acceptance, policy_files, rules, sources, now, warn=warn)


def write_text(path: str | None, text: str) -> None:
    from checker.output.emit import write_text as write

    write(path, text)


def run_scan(args: argparse.Namespace) -> int:
    gate = GatePolicy(
        fail_on=args.fail_on,
        soft_fail=args.soft_fail,
        fail_on_unknown=getattr(args, "fail_on_unknown", False),
    )
    now = parse_now(args.now)
    policies = build_policies(args)
    rules = select_rules(policies.rules, args.rule, args.skip_rule)
    acceptance = build_acceptance(args, now)
    sources = build_sources(args)
    report = build_report(acceptance, policies.files, rules, sources, now)
    emit_reports(args, report)
    if not args.quiet:
        print_collection_errors(report.errors)
    action_errors = post_report_actions(args, report)
    for error in action_errors:
        print(f"{PROG}: {error.source} failed: {error.code}: {error.message}", file=sys.stderr)
    if action_errors:
        report = replace(report, errors=report.errors + tuple(action_errors))
    return exit_code(report, gate, extra_failures=int(report.extra.get("gate_failures", 0)))


def run_validate(args: argparse.Namespace) -> int:
    from checker.validate import validate_paths

    problems, checked = validate_paths(args.paths)
    for problem in problems:
        print(f"{PROG}: error: {problem}", file=sys.stderr)
    if problems:
        return EXIT_USAGE
    print(f"{checked} file(s) valid", file=sys.stderr)
    return 0


def run_rules(args: argparse.Namespace) -> int:
    from checker.rules_doc import render_rules

    policies = build_policies(args)
    rules = select_rules(policies.rules, args.rule, args.skip_rule)
    sys.stdout.write(render_rules([rule.info for rule in rules], policies.vars, args.format))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        load_config_defaults(parser, arguments)
    except WfcheckError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    args = parser.parse_args(arguments)
    try:
        code: int = args.handler(args)
        return code
    except WfcheckError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug, not bad input: one line, the traceback only on request
        if os.environ.get("WFCHECK_DEBUG"):
            raise
        print(
            f"{PROG}: internal error: {type(exc).__name__}: {exc} "
            "(a bug in wfcheck; WFCHECK_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_USAGE
