"""Every option of every command, declared once (see :class:`checker.cli.option.Option`).

Options are grouped by concern; a command lists the groups it takes (and its own positional
arguments). A group's options have the same meaning in every command that takes them; where a
command needs other choices or help (``diff --format``), it declares its own copy with
:meth:`Option.with_`, keeping the config key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from checker.cli.option import (
    Option,
    name_equals_value,
    whole_number,
)
from checker.model import SEVERITIES
from checker.output.destinations import parse_report_spec
from checker.reports import WRITER_BY_NAME

FORMATS = tuple(sorted(WRITER_BY_NAME))


@dataclass(frozen=True)
class Group:
    title: str
    options: tuple[Option, ...]


CONFIG = Group(
    "configuration",
    (
        Option(
            ("--config",),
            "read options from FILE (trusted: it may set every option) instead of the "
            ".wfcheck.yaml found in the working directory or its parents",
            metavar="FILE",
            key=None,
        ),
        Option(
            ("--no-config",),
            "ignore any .wfcheck.yaml (also: WFCHECK_NO_CONFIG=1); use it in CI on pull requests",
            kind="flag",
            key=None,
        ),
    ),
)

POLICIES = Group(
    "policies",
    (
        Option(
            ("-p", "--policy"),
            "policy file or directory (repeatable); replaces the bundled pack; "
            "'builtin' names the bundled pack",
            kind="list",
            metavar="PATH",
            key="policies",
            path=True,
        ),
        Option(
            ("--var",),
            "set a policy var (a list as comma-separated or JSON)",
            kind="list",
            metavar="NAME=VALUE",
            key="vars",
            convert=name_equals_value,
        ),
        Option(
            ("--var-file",),
            "YAML file of var values (repeatable)",
            kind="list",
            metavar="FILE",
            key="var_files",
            path=True,
        ),
        Option(
            ("--rule",),
            "only run rules matching this id or glob (repeatable); on the command line it also "
            "re-enables a rule a config file disables",
            kind="list",
            metavar="ID",
            key="rules",
        ),
        Option(
            ("--skip-rule",),
            "do not run rules matching this id or glob (repeatable)",
            kind="list",
            metavar="ID",
            key="skip_rules",
        ),
    ),
)

OUTPUT = Group(
    "output",
    (
        Option(
            ("-f", "--format"),
            "report format on stdout (default table)",
            choices=FORMATS,
            default="table",
        ),
        Option(
            ("-o", "--output"),
            "write the report to FILE, not stdout",
            metavar="FILE",
            path=True,
            trusted=True,
        ),
        Option(("--show-passed",), "list passed and skipped results too", kind="flag"),
        Option(("-q", "--quiet"), "no progress or notes on stderr", kind="flag"),
    ),
)

GATE = Group(
    "gate",
    (
        Option(
            ("--fail-on",),
            "lowest severity that fails the run (default low; info never fails)",
            choices=SEVERITIES,
            default="low",
        ),
        Option(
            ("--soft-fail",),
            "exit 0 even with failing results (2 and 3 are kept)",
            kind="flag",
        ),
        Option(
            ("--now",),
            "evaluate as of this time (age rules, generated_at)",
            metavar="ISO8601",
            key=None,
        ),
    ),
)


REPORTS = Group(
    "extra reports",
    (
        Option(
            ("--report",),
            "also write a report in FORMAT to PATH (repeatable), e.g. --report "
            "sarif=wfcheck.sarif --report html=review.html; formats: " + ", ".join(FORMATS),
            kind="list",
            metavar="FORMAT=PATH",
            key="reports",
            convert=parse_report_spec,
            path=True,
            trusted=True,
        ),
    ),
)

ACCEPTANCE = Group(
    "waivers and baselines",
    (
        Option(
            ("--waivers",),
            "YAML waiver file (repeatable): matching failures become 'waived'",
            kind="list",
            metavar="FILE",
            path=True,
        ),
        Option(
            ("--max-waiver-days",),
            "reject waivers that expire more than N days after --now (default 365)",
            metavar="N",
            convert=whole_number(0),
            default=365,
        ),
        Option(
            ("--allow-broad-waivers",),
            "accept waivers whose rule and resource are both pure wildcards",
            kind="flag",
        ),
        Option(
            ("--strict-waivers",),
            "expired or unused waivers fail the run (exit 1)",
            kind="flag",
        ),
        Option(
            ("--baseline",),
            "known failures listed in FILE are reported as 'baseline' and do not fail the run",
            metavar="FILE",
            path=True,
        ),
        Option(
            ("--write-baseline",),
            "write the current failing results' fingerprints to FILE",
            metavar="FILE",
            path=True,
            trusted=True,
        ),
    ),
)


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    description: str
    groups: tuple[Group, ...]
    own: tuple[Option, ...] = field(default=())

    def options(self) -> tuple[Option, ...]:
        """Every option of the command (its own first), each dest once."""
        seen: dict[str, Option] = {}
        for option in (*self.own, *(o for group in self.groups for o in group.options)):
            seen.setdefault(option.dest, option)
        return tuple(seen.values())
