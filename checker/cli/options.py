"""Frozen, typed options per concern, built from a run's settings: what the commands work with.

Nothing after this module sees argparse or the raw settings mapping.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from checker.errors import UsageError
from checker.files.reading import MAX_JSON_BYTES
from checker.files.timestamps import parse_timestamp
from checker.output.destinations import ReportSpec
from checker.sources import SOURCE_BY_NAME

if TYPE_CHECKING:
    from checker.cli.settings import Settings
    from checker.policy.loader import PolicySet
    from checker.policy.rule import Rule
    from checker.sources.aws.options import LiveOptions

MIB = 1024 * 1024


def parse_now(text: str | None) -> datetime:
    """``--now``, or the current time (whole seconds, UTC)."""
    if text is None:
        return datetime.now(timezone.utc).replace(microsecond=0)
    moment = parse_timestamp(text)
    if moment is None:
        raise UsageError(f"--now {text!r}: expected an ISO-8601 time such as 2026-01-31T12:00:00Z")
    return moment


def run_now(settings: Settings) -> datetime:
    """The run's ``--now``, or the current time."""
    return parse_now(settings.get("now"))


def as_tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value or ())


@dataclass(frozen=True)
class PolicyOptions:
    """Which policies, with which vars, and which of their rules run."""

    paths: tuple[str, ...] = ("builtin",)
    var_files: tuple[str, ...] = ()
    vars: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    skip_rules: tuple[str, ...] = ()
    disabled: tuple[str, ...] = ()
    """Exclusions from a config file: a ``--rule`` on the command line re-enables them."""
    rules_from_command_line: bool = False
    tags: tuple[str, ...] = ()
    severity: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, settings: Settings) -> PolicyOptions:
        cli_skips = [
            item for item in settings.get("skip_rule", []) if item not in settings.disabled
        ]
        return cls(
            paths=as_tuple(settings.get("policy")) or ("builtin",),
            var_files=as_tuple(settings.get("var_file")),
            vars=as_tuple(settings.get("var")),
            rules=as_tuple(settings.get("rule")),
            skip_rules=tuple(cli_skips),
            disabled=settings.disabled,
            rules_from_command_line=settings.given("rule"),
            tags=as_tuple(settings.get("tag")),
            severity=settings.severity,
        )

    def load(self) -> PolicySet:
        """The policies, compiled with the effective vars and severity overrides."""
        from checker.policy.loader import load_policies

        return load_policies(
            self.paths, self.var_files, self.vars, severity_overrides=self.severity or None
        )

    def select(self, rules: Sequence[Rule]) -> list[Rule]:
        """Rules matching a ``--rule`` pattern (all when none) and a ``--tag`` (all when none),
        and no exclusion; a command-line ``--rule`` wins over the file's exclusions."""
        from checker.policy.loader import select_rules

        chosen = select_rules(rules, self.rules, self.skip_rules, self.tags)
        if not self.disabled:
            return chosen
        select_rules(rules, (), self.disabled)  # a pattern that matches no rule is a typo

        def named(rule_id: str, patterns: Sequence[str]) -> bool:
            return any(fnmatch.fnmatchcase(rule_id, pattern) for pattern in patterns)

        rescued = self.rules if self.rules_from_command_line else ()
        return [
            rule
            for rule in chosen
            if named(rule.info.id, rescued) or not named(rule.info.id, self.disabled)
        ]


@dataclass(frozen=True)
class GateOptions:
    """What fails the run."""

    fail_on: str = "low"
    soft_fail: bool = False
    fail_on_unknown: bool = False
    require_vars: bool = False
    require_related: bool = False

    @classmethod
    def of(cls, settings: Settings) -> GateOptions:
        return cls(
            fail_on=settings["fail_on"],
            soft_fail=bool(settings.get("soft_fail")),
            fail_on_unknown=bool(settings.get("fail_on_unknown")),
            require_vars=bool(settings.get("require_vars")),
            require_related=bool(settings.get("require_related")),
        )


@dataclass(frozen=True)
class InputOptions:
    """Offline inputs by kind (``input``, ``terraform``, ...), and the limits they share."""

    paths: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    unsorted: tuple[str, ...] = ()
    """Positional inputs, whose kind is recognized from their content."""
    max_input_bytes: int = MAX_JSON_BYTES
    regions: tuple[str, ...] = ()
    templates_only: bool = False
    """Positional inputs are CloudFormation templates, whatever their content looks like."""
    parameter_files: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    """The command's other options by dest: each source reads its own (``--tf-var``, ...)."""

    @classmethod
    def of(cls, settings: Settings) -> InputOptions:
        return cls(
            paths={  # each source kind's option has the kind's name (--terraform PATH)
                kind: as_tuple(settings.get(kind)) for kind in SOURCE_BY_NAME if settings.get(kind)
            },
            unsorted=as_tuple(settings.get("inputs")),
            max_input_bytes=int(settings.get("max_input_mb") or MAX_JSON_BYTES // MIB) * MIB,
            regions=as_tuple(settings.get("region")),
            templates_only=bool(settings.get("templates_only")),
            parameter_files=as_tuple(settings.get("parameters_file")),
            extra={dest: settings[dest] for dest in settings if dest not in ("input", "inputs")},
        )

    def every_path(self) -> list[str]:
        return [*self.unsorted, *(p for paths in self.paths.values() for p in paths)]

    @property
    def given(self) -> bool:
        return bool(self.every_path())


@dataclass(frozen=True)
class ReportOptions:
    """Which reports are written where."""

    format: str = "table"
    output: str | None = None
    extra: tuple[ReportSpec, ...] = ()
    show_passed: bool = False
    quiet: bool = False
    settings: Mapping[str, str] = field(default_factory=dict)
    create_dirs: bool = False

    @classmethod
    def of(cls, settings: Settings) -> ReportOptions:
        writer_settings = {
            name: settings[dest]
            for name, dest in (
                ("asff.product_arn", "asff_product_arn"),
                ("sarif.automation_id", "sarif_automation_id"),
                ("sarif.max_results", "sarif_max_results"),
            )
            if settings.get(dest)
        }
        return cls(
            format=settings.get("format") or "table",
            output=settings.get("output"),
            extra=as_tuple(settings.get("report")),
            show_passed=bool(settings.get("show_passed")),
            quiet=bool(settings.get("quiet")),
            settings=writer_settings,
            create_dirs=bool(settings.get("create_output_dirs")),
        )


@dataclass(frozen=True)
class AcceptanceOptions:
    """Waivers and baselines."""

    waivers: tuple[str, ...] = ()
    max_waiver_days: int | None = 365
    allow_broad_waivers: bool = False
    strict_waivers: bool = False
    baseline: str | None = None
    write_baseline: str | None = None

    @classmethod
    def of(cls, settings: Settings) -> AcceptanceOptions:
        return cls(
            waivers=as_tuple(settings.get("waivers")),
            max_waiver_days=settings.get("max_waiver_days"),
            allow_broad_waivers=bool(settings.get("allow_broad_waivers")),
            strict_waivers=bool(settings.get("strict_waivers")),
            baseline=settings.get("baseline"),
            write_baseline=settings.get("write_baseline"),
        )


@dataclass(frozen=True)
class SecurityHubOptions:
    """Sending findings to AWS Security Hub after the reports are written."""

    enabled: bool = False
    region: str | None = None
    endpoint_url: str | None = None
    profile: str | None = None

    @classmethod
    def of(cls, settings: Settings) -> SecurityHubOptions:
        return cls(
            enabled=bool(settings.get("securityhub_import")),
            region=settings.get("securityhub_region"),
            endpoint_url=settings.get("securityhub_endpoint_url"),
            profile=settings.get("profile"),
        )


def live_options(settings: Settings) -> LiveOptions:
    """What the live source reads and how, for ``scan`` without inputs and ``fetch``."""
    from checker.related import parse_kinds
    from checker.sources.aws.options import ListOptions, LiveOptions

    return LiveOptions(
        listing=ListOptions(
            name_contains=settings.get("name_contains"),
            sort_by=settings.get("sort_by"),
            sort_order=settings.get("sort_order"),
            page_size=settings.get("page_size"),
            max_items=settings.get("max_items"),
            starting_token=settings.get("starting_token"),
        ),
        regions=as_tuple(settings.get("region")),
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
