"""``wfcheck validate PATH...``: check every kind of file wfcheck reads, before a scan needs it;
every problem is one line.

Each file kind has one validator in ``VALIDATOR_BY_KIND``; ``detect_kind`` picks it from the file
name and its content. A file that is none of them is reported as "not a wfcheck file" rather than
guessed at (a ``.pre-commit-config.yaml`` is not a var file). Policy files are validated together,
since rule ids must be unique and vars defined across all of them; var files are checked against
the vars of those policies and of the bundled pack.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.cli.cifiles import validate_ci_file
from checker.cli.command_options import operand_paths
from checker.cli.config import CONFIG_NAMES
from checker.cli.config_validation import validate_config_file
from checker.cli.console import error
from checker.cli.policytests import load_test_file
from checker.errors import InputError, UsageError, WfcheckError
from checker.files.json_documents import load_json
from checker.files.reading import iter_files
from checker.files.yaml_documents import load_yaml
from checker.findings.baseline import load_baseline
from checker.findings.waivers import validate_waiver_file
from checker.gate import EXIT_USAGE
from checker.policy.loader import BUILTIN, bundled_policy_dir, load_policies
from checker.sources.aws.accounts import validate_accounts_file
from checker.sources.cloudformation.source import (
    ASSEMBLY_FILE_KIND,
    MANIFEST_KIND,
    PARAMETERS_KIND,
    TEMPLATE_KIND,
    cloudformation_kind,
    validate_assembly_file,
    validate_cloudformation_file,
    validate_parameters_file,
)
from checker.sources.terraform import looks_like_terraform, validate_terraform_file
from checker.text import suggest

if TYPE_CHECKING:
    from checker.cli.settings import Settings

SUFFIXES = (".yaml", ".yml", ".json")
NOT_WFCHECK_YAML = (
    "not a wfcheck file (expected a policy, vars, waivers, baseline, accounts, config or "
    "policy test)"
)
NOT_WFCHECK_JSON = (
    "not a wfcheck file (expected workforce records, a snapshot, a Terraform plan or state, a "
    "baseline or a JSON report)"
)
POLICY_KEYS = frozenset({"version", "vars", "rules"})
INPUT_KEYS = frozenset({"Workforces", "Workforce", "WorkforceName", "WorkforceArn"})


def _validate_input(path: str) -> None:
    from checker.sources.files import InputFileSource

    InputFileSource(path)


def _validate_baseline(path: str) -> None:
    load_baseline(path)


def _validate_report(path: str) -> None:
    """A ``--format json`` report (schema 1 or 2) reads as ``diff`` would read it."""
    from checker.findings.diff import load_side
    from checker.results import Report

    def not_a_report(name: str) -> Report:
        raise InputError("not a wfcheck JSON report (no results list)", file=name)

    load_side(path, not_a_report)


def validate_test_file(name: str) -> None:
    """A policy test file: its shape, records and times. Rule ids and var names are checked by
    ``wfcheck test``, which knows the policies under test."""
    load_test_file(name)


VALIDATOR_BY_KIND: dict[str, Callable[[str], None]] = {
    "input": _validate_input,
    "baseline": _validate_baseline,
    "report": _validate_report,
    "waivers": validate_waiver_file,
    "accounts": validate_accounts_file,
    "terraform json": validate_terraform_file,
    "cases": validate_test_file,
    "config file": validate_config_file,
    TEMPLATE_KIND: validate_cloudformation_file,
    MANIFEST_KIND: validate_cloudformation_file,
    ASSEMBLY_FILE_KIND: validate_assembly_file,
    PARAMETERS_KIND: validate_parameters_file,
    "jobs": validate_ci_file,  # a GitHub Actions workflow that runs wfcheck
    "stages": validate_ci_file,  # a GitLab CI file that runs wfcheck
}
"""File kinds besides policies and var files (validated against the loaded policies)."""

_KEYED_KINDS = ("waivers", "accounts", "cases", "jobs", "stages")
"""Kinds recognized by a top-level key of the same name."""


def _json_kind(path: Path) -> str | None:
    if looks_like_terraform(str(path)):
        return "terraform json"
    data = load_json(str(path), kind="JSON file")
    if isinstance(data, list):
        return "input"
    if not isinstance(data, dict):
        return None
    if "entries" in data and "schema_version" in data and "records" not in data:
        return "baseline"
    if "results" in data and "records" not in data:
        return "report"
    if INPUT_KEYS.intersection(data) or "records" in data:
        return "input"
    return None


def _looks_like_vars(data: Mapping[str, Any], var_names: Sequence[str]) -> bool:
    """A var file names vars of the loaded policies (or nearly: a typo is still a var file,
    reported with a did-you-mean), or wraps them in a single ``vars:`` mapping."""
    if set(data) == {"vars"} and isinstance(data["vars"], dict):
        return True
    return any(str(key) in var_names or suggest(str(key), var_names) is not None for key in data)


def detect_kind(path: Path, var_names: Sequence[str] = ()) -> str | None:
    """The kind of a file (``policy``, ``vars`` or a key of ``VALIDATOR_BY_KIND``), or None
    when it is no wfcheck file. ``var_names`` are the vars a var file may set."""
    cloudformation = cloudformation_kind(path)
    if cloudformation is not None:
        return cloudformation
    if path.suffix == ".json":
        return _json_kind(path)
    if path.suffix not in SUFFIXES:
        return None  # named on the command line, but no file wfcheck reads (TOML, text...)
    if path.name in CONFIG_NAMES:
        return "config file"
    doc = load_yaml(str(path), kind="YAML file")
    data = doc.data
    if not isinstance(data, dict) or not data:
        return None
    if "rules" in data or ("version" in data and POLICY_KEYS.issuperset(data)):
        return "policy"
    for kind in _KEYED_KINDS:
        if kind in data:
            return kind
    if "entries" in data and "schema_version" in data:
        return "baseline"
    if _looks_like_vars(data, var_names):
        return "vars"
    return None


def _paths_for_vars(policy_files: Sequence[str]) -> list[str]:
    """The policies var files are checked against: the bundled pack and the policies being
    validated, or whichever of them loads on its own (a broken policy is reported already)."""
    for paths in ([BUILTIN, *policy_files], list(policy_files)):
        if not paths:
            continue
        try:
            load_policies(paths)
        except WfcheckError:
            continue
        return paths
    return [BUILTIN]


def _files(paths: Sequence[str], problems: list[str]) -> list[Path]:
    """The files under ``paths`` (``builtin`` is the bundled pack); a missing path or an empty
    folder is a problem."""
    files: list[Path] = []
    for entry in paths:
        root = str(bundled_policy_dir()) if entry == BUILTIN else entry
        if not Path(root).exists():
            problems.append(f"{entry}: no such file or directory")
            continue
        found = list(iter_files(root, SUFFIXES))
        if not found:
            problems.append(f"{entry}: no files to validate (*.yaml, *.yml, *.json)")
        files.extend(found)
    return files


def _kinds(files: list[Path], problems: list[str]) -> tuple[dict[Path, str | None], list[str]]:
    """Each readable file's kind, and the policies var files are checked against. Policy files
    are loaded together (ids unique, vars defined across them); a YAML file that is no other
    kind may be a var file, decided once the vars are known."""
    kinds: dict[Path, str | None] = {}
    undecided: list[Path] = []
    for file in files:
        try:
            kind = detect_kind(file, ())
        except WfcheckError as exc:
            problems.append(str(exc))
            continue
        if kind is None and file.suffix != ".json":
            undecided.append(file)
        else:
            kinds[file] = kind
    policy_files = [str(file) for file, kind in kinds.items() if kind == "policy"]
    if policy_files:
        try:
            load_policies(policy_files)
        except WfcheckError as exc:
            problems.append(str(exc))
    vars_paths = _paths_for_vars(policy_files) if undecided else [BUILTIN]
    if undecided:
        var_names = sorted(load_policies(vars_paths).vars)
        for file in undecided:
            kinds[file] = detect_kind(file, var_names)
    return kinds, vars_paths


def _validate_file(file: Path, kind: str | None, vars_paths: list[str]) -> None:
    name = str(file)
    if kind is None:
        message = NOT_WFCHECK_JSON if file.suffix == ".json" else NOT_WFCHECK_YAML
        raise InputError(message, file=name)
    if kind == "vars":
        load_policies(vars_paths, var_files=[name])
    elif kind != "policy":  # policy files were loaded together
        VALIDATOR_BY_KIND[kind](name)


def validate_paths(paths: Sequence[str]) -> tuple[list[str], int]:
    """(problems, files checked). Every problem is one file:line: message string."""
    problems: list[str] = []
    files = _files(paths, problems)
    kinds, vars_paths = _kinds(files, problems)
    for file in files:
        if file not in kinds:
            continue  # could not be read: reported above
        try:
            _validate_file(file, kinds[file], vars_paths)
        except WfcheckError as exc:
            problems.append(str(exc))
    return problems, len(files)


def run(settings: Settings) -> int:
    paths = operand_paths(settings)
    if not paths:
        raise UsageError("validate: give the files or directories to check", hint="e.g. .")
    problems, checked = validate_paths(paths)
    for problem in problems:
        error(problem)
    if problems:
        return EXIT_USAGE
    print(f"{checked} file(s) valid", file=sys.stderr)
    return 0
