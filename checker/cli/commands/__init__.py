"""The subcommands: what each takes (declared here, from the option groups) and the module whose
``run(settings) -> exit code`` carries it out (imported only when the command runs, so
``wfcheck --version`` and parsing stay fast)."""

from __future__ import annotations

from dataclasses import dataclass

from checker.cli.arguments import (
    ACCEPTANCE,
    CONFIG,
    GATE,
    OUTPUT,
    POLICIES,
    REPORTS,
    Command,
)
from checker.cli.arguments_aws import LIVE, SECURITY_HUB
from checker.cli.arguments_sources import CLOUDFORMATION, INPUTS, TERRAFORM
from checker.cli.option import Option
from checker.model import SEVERITIES
from checker.reports import DIFF_WRITER_BY_NAME, RULES_WRITER_BY_NAME


@dataclass(frozen=True)
class Entry:
    command: Command
    module: str


def _by_dest(*groups: object) -> dict[str, Option]:
    return {o.dest: o for g in groups for o in g.options}  # type: ignore[attr-defined]


_OPTION = _by_dest(OUTPUT, GATE, POLICIES)

SCAN = Command(
    "scan",
    "evaluate policies on workforces and report",
    "Evaluate policies on workforce records: offline inputs (files, Terraform, CloudFormation) "
    "or, when none is given, the live AWS API.",
    (
        INPUTS,
        TERRAFORM,
        CLOUDFORMATION,
        POLICIES,
        OUTPUT,
        GATE,
        LIVE,
        REPORTS,
        SECURITY_HUB,
        ACCEPTANCE,
        CONFIG,
    ),
    own=(
        Option(
            ("--tag",),
            "only run rules with this tag (repeatable; see wfcheck rules)",
            kind="list",
            metavar="TAG",
            key="tags",
        ),
        Option(
            ("--require-vars",),
            "fail the run when a rule cannot be evaluated because a var it needs is unset",
            kind="flag",
        ),
        Option(
            ("--require-related",),
            "fail the run when a rule cannot be evaluated because the input has no related "
            "resources it needs (a saved list-workforces output, --related none)",
            kind="flag",
        ),
        Option(
            ("--create-output-dirs",),
            "create the folders of --output, --report and --write-baseline paths",
            kind="flag",
        ),
    ),
)

VALIDATE = Command(
    "validate",
    "check policy, var, waiver, config, accounts, baseline, test and input files",
    "Validate wfcheck files: policies (schema, unique ids, operators, literals, vars, path "
    "functions), var files, waivers, baselines, accounts, .wfcheck.yaml, policy tests, CI files "
    "that run wfcheck, and input files. Directories are searched for *.yaml, *.yml and *.json.",
    (CONFIG,),
    own=(
        Option(
            ("paths",),
            "files or directories to validate ('builtin' is the bundled pack)",
            kind="list",
            metavar="PATH",
        ),
    ),
)

RULES = Command(
    "rules",
    "list the loaded rules",
    "List the rules the policies define: id, severity, title, tags and the vars each reads.",
    (POLICIES, CONFIG),
    own=(
        _OPTION["format"].with_(
            help="table (default), json or markdown", choices=tuple(sorted(RULES_WRITER_BY_NAME))
        ),
        Option(("--tag",), "only rules with this tag (repeatable)", kind="list", metavar="TAG",
               key="tags"),
    ),
)  # fmt: skip

FETCH = Command(
    "fetch",
    "read workforces from AWS into a snapshot file",
    "Read every workforce (live API) into a snapshot that 'wfcheck scan' evaluates offline.",
    (LIVE, CONFIG),
    own=(
        _OPTION["output"].with_(help="write the snapshot to FILE, not stdout"),
        _OPTION["quiet"],
        _OPTION["now"].with_(help="generated_at to record (reproducible snapshots)"),
        Option(("--create-output-dirs",), "create the folder of the --output path", kind="flag"),
    ),
)

IAM_POLICY = Command(
    "iam-policy",
    "print the IAM policy a live scan needs",
    "Print the least-privilege IAM policy document.",
    (CONFIG,),
    own=(
        Option(
            ("--scope",),
            "read: the role in each scanned account; caller: the identity that assumes roles "
            "/ lists the organization; all: both (default)",
            choices=("all", "read", "caller"),
            default="all",
        ),
        Option(
            ("--role-name",),
            "limit sts:AssumeRole to this role",
            metavar="NAME",
        ),
        _by_dest(LIVE)["related"].with_(
            help="the related resources the scan reads (its --related): all (default), none, "
            "or KIND[,KIND]; only their read actions are listed"
        ),
    ),
)

DIFF = Command(
    "diff",
    "new, resolved and unchanged failures between two scans",
    "Compare two JSON reports (scan --format json) or scan inputs such as snapshots "
    "(evaluated with the current policies and vars), per workforce. Exit 1 when NEW has "
    "failures OLD did not have.",
    (POLICIES, CONFIG),
    own=(
        Option(("old",), "the earlier report or input file", metavar="OLD", key=None),
        Option(("new",), "the later report or input file", metavar="NEW", key=None),
        _OPTION["format"].with_(
            help="output format (default table)", choices=tuple(sorted(DIFF_WRITER_BY_NAME))
        ),
        _OPTION["output"].with_(help="write the diff to FILE, not stdout"),
        Option(
            ("--show-unchanged",),
            "table/markdown: list unchanged failures too (json always does)",
            kind="flag",
        ),
        _OPTION["fail_on"].with_(
            help="lowest severity of a new failure that exits 1 (default low; info never does)",
            choices=SEVERITIES,
        ),
        _OPTION["now"].with_(help="evaluate input files as of this time (both sides)"),
        _OPTION["quiet"].with_(help="no notes on stderr"),
    ),
)

TEST = Command(
    "test",
    "run policy tests (expected status per rule)",
    "Run policy test cases: each names a workforce record, optional vars and time, and the "
    "expected status per rule id. Ends with 'N passed, M failed'; exit 1 on failures.",
    (CONFIG,),
    own=(
        Option(
            ("paths",),
            "test file, or directory searched for YAML files with 'cases:'",
            kind="list",
            metavar="PATH",
        ),
        _OPTION["policy"].with_(
            help="policy file or directory under test (repeatable; default builtin)"
        ),
        _OPTION["now"].with_(help="time for cases that set no 'now' (default: the current time)"),
        Option(
            ("--coverage",),
            "list rules with no passing or no failing case; gaps exit 1",
            kind="flag",
        ),
    ),
)

CONFIG_COMMAND = Command(
    "config",
    "print the effective configuration",
    "Print the options COMMAND would run with, after .wfcheck.yaml and the command line, and "
    "where each came from, as YAML that can be pasted into a .wfcheck.yaml.",
    (CONFIG,),
    own=(
        Option(
            ("args",),
            "the command line to explain (default: scan)",
            kind="list",
            metavar="COMMAND [OPTION...]",
            key=None,
        ),
    ),
)

COMMANDS: dict[str, Entry] = {
    entry.command.name: entry
    for entry in (
        Entry(SCAN, "checker.cli.commands.scan"),
        Entry(VALIDATE, "checker.cli.commands.validate"),
        Entry(RULES, "checker.cli.commands.rules"),
        Entry(FETCH, "checker.cli.commands.fetch"),
        Entry(IAM_POLICY, "checker.cli.commands.iam_policy"),
        Entry(DIFF, "checker.cli.commands.diff"),
        Entry(TEST, "checker.cli.commands.test"),
        Entry(CONFIG_COMMAND, "checker.cli.commands.config"),
    )
}
