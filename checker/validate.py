"""``wfcheck validate``: check every kind of file wfcheck reads, before a scan needs it.

Each file kind has one validator in ``VALIDATOR_BY_KIND``; ``detect_kind`` picks it from the file
name and its top-level keys. Policy files are validated together, since rule ids must be unique
and vars defined across all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from checker.config import CONFIG_NAMES, validate_config_file
from checker.errors import WfcheckError
from checker.files.cifiles import validate_ci_file
from checker.files.loading import iter_files, load_yaml
from checker.findings.waivers import validate_waiver_file
from checker.policy.loader import BUILTIN, bundled_policy_dir, load_policies
from checker.policy.policytest import validate_test_file
from checker.sources.accounts import validate_accounts_file
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

SUFFIXES = (".yaml", ".yml", ".json")


def _validate_input(path: str) -> None:
    from checker.sources.files import InputFileSource

    InputFileSource(path)


def _validate_vars(path: str) -> None:
    load_policies([BUILTIN], var_files=[path])


VALIDATOR_BY_KIND: dict[str, Callable[[str], None]] = {
    "input": _validate_input,
    "vars": _validate_vars,
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


def detect_kind(path: Path) -> str:
    """policy, vars, input, or a kind registered by another module (waivers, config, tests)."""
    cloudformation = cloudformation_kind(path)
    if cloudformation is not None:
        return cloudformation
    if path.suffix == ".json":
        return "terraform json" if looks_like_terraform(str(path)) else "input"
    if path.name in CONFIG_NAMES:
        return "config file"
    doc = load_yaml(str(path), kind="YAML file")
    data = doc.data if isinstance(doc.data, dict) else {}
    if "rules" in data or ("version" in data and "vars" in data):
        return "policy"
    for kind in VALIDATOR_BY_KIND:
        if kind not in ("input", "vars") and kind in data:
            return kind
    return "vars"


def validate_paths(paths: Sequence[str]) -> tuple[list[str], int]:
    """(problems, files checked). Every problem is one file:line: message string."""
    problems: list[str] = []
    policy_files: list[str] = []
    others: list[tuple[str, str]] = []
    checked = 0
    for entry in paths:
        root = str(bundled_policy_dir()) if entry == BUILTIN else entry
        if not Path(root).exists():
            problems.append(f"{entry}: no such file or directory")
            continue
        files = list(iter_files(root, SUFFIXES))
        if not files:
            problems.append(f"{entry}: no files to validate (*.yaml, *.yml, *.json)")
        for file in files:
            checked += 1
            try:
                kind = detect_kind(file)
            except WfcheckError as exc:
                problems.append(str(exc))
                continue
            if kind == "policy":
                policy_files.append(str(file))
            else:
                others.append((kind, str(file)))
    if policy_files:
        try:
            load_policies(policy_files)
        except WfcheckError as exc:
            problems.append(str(exc))
    for kind, name in others:
        try:
            VALIDATOR_BY_KIND[kind](name)
        except WfcheckError as exc:
            problems.append(str(exc))
    return problems, checked
