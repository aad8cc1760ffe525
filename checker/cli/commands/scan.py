"""``wfcheck scan``: sources -> records -> engine -> results -> reports -> exit code.

Everything that can be wrong with the command line or the files it names (outputs that would
overwrite an input, policies, waivers, baselines) is found before the first record is read or
the first AWS request is made.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from checker.cli.console import say, warn
from checker.cli.live import live_source, print_collection_errors
from checker.cli.options import (
    AcceptanceOptions,
    GateOptions,
    InputOptions,
    PolicyOptions,
    ReportOptions,
    SecurityHubOptions,
    live_options,
    run_now,
)
from checker.cli.provenance import configuration_record
from checker.gate import GatePolicy, exit_code
from checker.model import ErrorEntry
from checker.output.destinations import STEP_SUMMARY_VAR
from checker.policy.loader import not_evaluated_note
from checker.policy.loader import unevaluated as rules_not_evaluated
from checker.results import Report

if TYPE_CHECKING:
    from checker.cli.settings import Settings
    from checker.sources.aws.options import LiveOptions
    from checker.sources.base import RecordSource


def run(settings: Settings) -> int:
    now = run_now(settings)
    policy = PolicyOptions.of(settings)
    gate = GateOptions.of(settings)
    inputs = InputOptions.of(settings)
    reports = ReportOptions.of(settings)
    accepting = AcceptanceOptions.of(settings)
    live = live_options(settings)
    check_paths(settings, policy, inputs, reports, accepting, live.accounts_file)
    policies = policy.load()
    rules = policy.select(policies.rules)
    unevaluated = rules_not_evaluated(rules)
    notes = [not_evaluated_note(rule_id, names) for rule_id, names in unevaluated.items()]
    acceptance = load_acceptance(accepting, now)
    sources = open_sources(live, inputs, reports.quiet)

    from checker.output.emit import ReportDestinations, emit
    from checker.pipeline import build_report

    report = build_report(acceptance, policies.files, rules, sources, now, warn=warn)
    extra: dict[str, Any] = dict(report.extra)
    record = configuration_record(settings)
    if record:
        extra["configuration"] = record
    extra_failures = int(extra.get("gate_failures", 0))
    if gate.require_vars and unevaluated:
        notes.append(f"--require-vars: {len(unevaluated)} rule(s) not evaluated fail the run")
        extra_failures += len(unevaluated)
        extra["gate_failures"] = extra_failures
    related = extra.get("related_unevaluated") or {}
    if gate.require_related and related:
        notes.append(f"--require-related: {len(related)} rule(s) not evaluated fail the run")
        extra_failures += len(related)
        extra["gate_failures"] = extra_failures
    report = replace(report, notes=(*notes, *report.notes), extra=extra)
    emit(
        report,
        ReportDestinations(
            format=reports.format,
            output=reports.output,
            extra=reports.extra,
            show_passed=reports.show_passed,
            settings=reports.settings,
        ),
    )
    if unevaluated and not reports.quiet:  # one line after the report; always in its notes
        named = ", ".join(f"{rule_id} (set {', '.join(names)})" for rule_id, names in
                          unevaluated.items())  # fmt: skip
        warn(f"{len(unevaluated)} rule(s) not evaluated, a var they need is unset: {named}")
    if related and not reports.quiet:
        named = ", ".join(f"{rule_id} ({', '.join(kinds)})" for rule_id, kinds in related.items())
        warn(
            f"{len(related)} rule(s) not evaluated, the input has no related resources they "
            f"need: {named}"
        )
    if not reports.quiet:
        print_collection_errors(report.errors)
    action_errors = send_to_security_hub(SecurityHubOptions.of(settings), reports, report)
    for error in action_errors:
        say(f"{error.source} failed: {error.code}: {error.message}")
    if action_errors:
        report = replace(report, errors=report.errors + tuple(action_errors))
    policy_gate = GatePolicy(
        fail_on=gate.fail_on, soft_fail=gate.soft_fail, fail_on_unknown=gate.fail_on_unknown
    )
    return exit_code(report, policy_gate, extra_failures=extra_failures)


def check_paths(
    settings: Settings,
    policy: PolicyOptions,
    inputs: InputOptions,
    reports: ReportOptions,
    accepting: AcceptanceOptions,
    accounts: str | None,
) -> None:
    """No output may overwrite anything the run reads; every output can be written."""
    import os

    from checker.output.guard import check_outputs

    outputs: list[tuple[str, str | None]] = [("--output", reports.output)]
    outputs += [(f"--report {spec.format}", spec.path) for spec in reports.extra]
    outputs.append(("--write-baseline", accepting.write_baseline))
    summary = os.environ.get(STEP_SUMMARY_VAR)
    if reports.format == "github" and summary:
        outputs.append((f"${STEP_SUMMARY_VAR}", summary))
    read = [("--input", path) for path in inputs.every_path()]
    read += [("--parameters-file", path) for path in inputs.parameter_files]
    read += [("--policy", path) for path in policy.paths]
    read += [("--var-file", path) for path in policy.var_files]
    read += [("--waivers", path) for path in accepting.waivers]
    read += [("--baseline", path) for path in (accepting.baseline,) if path]
    if accounts:
        read.append(("--accounts", accounts))
    if settings.config is not None:
        read.append(("config", settings.config.name))
    check_outputs(outputs, read, create_dirs=reports.create_dirs)


def load_acceptance(accepting: AcceptanceOptions, now: Any) -> Any:
    """Waivers and baseline, loaded (and checked) before collection."""
    from checker.findings.acceptance import load_acceptance as load

    return load(
        accepting.waivers,
        now=now,
        strict_waivers=accepting.strict_waivers,
        max_waiver_days=accepting.max_waiver_days,
        allow_broad_waivers=accepting.allow_broad_waivers,
        baseline=accepting.baseline,
        write_baseline=accepting.write_baseline,
    )


def open_sources(live: LiveOptions, inputs: InputOptions, quiet: bool) -> list[RecordSource]:
    """Offline inputs when given (positional ones recognized by content); else the live API."""
    from checker.sources import SourceRequest, check_own_options, open_all, recognize

    request = SourceRequest(
        max_input_bytes=inputs.max_input_bytes,
        regions=inputs.regions,
        options=inputs.extra,
    )
    if not inputs.given:
        check_own_options({}, request)
        return [live_source(live, quiet)]
    paths: dict[str, list[str]] = {kind: list(items) for kind, items in inputs.paths.items()}
    for path in inputs.unsorted:
        kind = "cloudformation" if inputs.templates_only else recognize(path)
        paths.setdefault(kind, []).append(path)
    return open_all(paths, request)


def send_to_security_hub(
    hub: SecurityHubOptions, reports: ReportOptions, report: Report
) -> list[ErrorEntry]:
    """After the reports are written: the Security Hub import, and what failed, if anything."""
    if not hub.enabled:
        return []
    from checker.output.securityhub import SOURCE, import_findings
    from checker.reports.asff import findings, unplaced

    outcome = import_findings(
        findings(report, reports.settings),
        region=hub.region,
        endpoint_url=hub.endpoint_url,
        profile=hub.profile,
    )
    errors = list(outcome.errors)
    left_out = unplaced(report, reports.settings)
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
    if not reports.quiet:
        say(f"Security Hub: imported {outcome.imported} of {outcome.sent} finding(s)")
    return errors
