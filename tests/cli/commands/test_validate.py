"""``wfcheck validate``: each file kind recognized and checked; anything else is named as no
wfcheck file instead of being guessed at."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli.commands.validate import (
    NOT_WFCHECK_JSON,
    NOT_WFCHECK_YAML,
    detect_kind,
    validate_paths,
)
from tests.conftest import EXAMPLES, NOW, ROOT
from tests.helpers import run_cli

POLICY = """\
version: 1
vars:
  owner_tag: team
rules:
  - id: ACME1
    title: t
    severity: low
    assert: {path: WorkforceName, op: matches, value: "^labeling-"}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("name", "text", "kind"),
    [
        ("p.yaml", POLICY, "policy"),
        ("v.yaml", "allowed_cidrs: [10.0.0.0/8]\n", "vars"),
        ("v2.yaml", "vars: {min_subnets: 3}\n", "vars"),
        ("typo.yaml", "alowed_cidrs: []\n", "vars"),
        ("w.yaml", "waivers: []\n", "waivers"),
        ("a.yaml", "accounts: []\n", "accounts"),
        ("t.yaml", "cases: []\n", "cases"),
        (".wfcheck.yaml", "fail_on: high\n", "config file"),
        ("ci.yml", "on: push\njobs: {}\n", "jobs"),
        ("gl.yml", "stages: [test]\n", "stages"),
        (".pre-commit-config.yaml", "repos: []\n", None),
        ("mkdocs.yml", "site_name: docs\nnav: []\n", None),
        ("empty.yaml", "", None),
        ("list.yaml", "- a\n", None),
        ("notes.txt", "hello\n", None),
        ("in.json", '{"Workforces": []}', "input"),
        ("one.json", '{"Workforce": {"WorkforceName": "x"}}', "input"),
        ("list.json", "[]", "input"),
        ("snap.json", '{"schema_version": 1, "records": []}', "input"),
        ("base.json", '{"schema_version": 1, "entries": []}', "baseline"),
        ("rep.json", '{"schema_version": 1, "results": []}', "report"),
        ("plan.json", '{"format_version": "1.2"}', "terraform json"),
        ("pkg.json", '{"name": "x"}', None),
    ],
)
def test_each_kind_is_recognized(tmp_path: Path, name: str, text: str, kind: str | None) -> None:
    names = ["allowed_cidrs", "min_subnets"]
    assert detect_kind(write(tmp_path, name, text), names) == kind


def test_a_pre_commit_config_is_not_called_a_var_file(tmp_path: Path) -> None:
    """It was: "unknown var 'repos'"."""
    path = write(
        tmp_path, ".pre-commit-config.yaml", (ROOT / ".pre-commit-config.yaml").read_text()
    )
    result = run_cli("validate", str(path))
    assert result.code == 2
    assert result.err == f"wfcheck: error: {path}: {NOT_WFCHECK_YAML}\n"
    assert NOT_WFCHECK_YAML == (
        "not a wfcheck file (expected a policy, vars, waivers, baseline, accounts, config or "
        "policy test)"
    )


def test_an_unknown_json_file(tmp_path: Path) -> None:
    path = write(tmp_path, "package.json", json.dumps({"name": "x", "version": "1"}))
    assert validate_paths([str(path)]) == ([f"{path}: {NOT_WFCHECK_JSON}"], 1)


def test_a_baseline_written_by_scan_validates(tmp_path: Path) -> None:
    """It was read as a snapshot and refused."""
    baseline = tmp_path / "baseline.json"
    scan = run_cli(
        "scan",
        "--input",
        str(EXAMPLES / "workforces.json"),
        "--now",
        NOW,
        "--write-baseline",
        str(baseline),
    )
    assert scan.code == 1, scan.err
    assert json.loads(baseline.read_text())["entries"]
    result = run_cli("validate", str(baseline))
    assert (result.code, result.err) == (0, "1 file(s) valid\n")


def test_a_broken_baseline_is_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "baseline.json",
        json.dumps({"schema_version": 1, "entries": [{"fingerprint": "WF010:x"}]}),
    )
    (problem,), _ = validate_paths([str(path)])
    assert problem.startswith(str(path))
    assert "rule_id" in problem


def test_a_json_report_validates(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    run_cli("scan", "--input", str(EXAMPLES / "workforces.json"), "--now", NOW,
            "--format", "json", "--output", str(report))  # fmt: skip
    assert validate_paths([str(report)]) == ([], 1)


def test_var_files_are_checked_against_the_policies_in_the_same_run(tmp_path: Path) -> None:
    write(tmp_path, "policies/acme.yaml", POLICY)
    write(tmp_path, "vars/acme.yaml", "owner_tag: platform\nmin_subnets: 3\n")
    write(tmp_path, "vars/typo.yaml", "owner_tagg: platform\n")
    problems, checked = validate_paths([str(tmp_path)])
    assert checked == 3
    assert problems == [
        f"{tmp_path / 'vars' / 'typo.yaml'}:1:1: unknown var 'owner_tagg' "
        "(did you mean 'owner_tag'?)"
    ]


def test_a_wrong_function_call_fails_validate(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", POLICY.replace("path: WorkforceName", "path: lower()"))
    (problem,), _ = validate_paths([str(path)])
    assert problem == f"{path}:8:20: rule ACME1: path 'lower()': lower takes 1 argument, got 0"


def test_a_regex_re2_cannot_run_fails_validate(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", POLICY.replace('"^labeling-"', r'"(x)\\1"'))
    (problem,), _ = validate_paths([str(path)])
    assert problem.startswith(f"{path}:8:")
    assert "backreferences and lookaround are not supported" in problem


def test_the_repository_validates() -> None:
    result = run_cli("validate", "--no-config", str(ROOT / "policies"), str(EXAMPLES))
    assert result.code == 0, result.err
