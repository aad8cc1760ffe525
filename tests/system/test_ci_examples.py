"""``examples/ci/``: valid YAML, wfcheck commands the real parser accepts, reports wired up."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from checker.cli.cifiles import wfcheck_commands
from checker.cli.commands import COMMANDS
from checker.cli.parser import parse
from checker.errors import UsageError
from checker.output.destinations import ReportSpec
from tests.conftest import EXAMPLES
from tests.helpers import run_cli

CI = EXAMPLES / "ci"


def load(name: str) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load((CI / name).read_text(encoding="utf-8"))
    return data


def parsed(argv: list[str]) -> Any:
    """The real parser's reading of ``argv``; an unknown option or value fails the test."""
    try:
        invocation = parse(argv)
    except UsageError as exc:
        pytest.fail(f"wfcheck {' '.join(argv)}: rejected by the parser: {exc}")
    return SimpleNamespace(command=invocation.command, **invocation.given)


def reports(args: Any) -> dict[str, str]:
    specs: list[ReportSpec] = args.report
    return {spec.format: spec.path for spec in specs}


def test_github_workflow() -> None:
    workflow = load("github-actions.yml")
    assert workflow[True]  # "on:" (YAML 1.1 reads the key as true)
    assert workflow["permissions"]["security-events"] == "write"
    steps = workflow["jobs"]["wfcheck"]["steps"]
    scan = next(step for step in steps if step.get("id") == "scan")
    [argv] = list(wfcheck_commands(scan["run"]))
    args = parsed(argv)
    assert args.command == "scan" and args.format == "github"  # annotations + job summary
    files = reports(args)

    upload = next(
        s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")
    )
    assert upload["with"]["sarif_file"] == files["sarif"]
    assert upload["if"].startswith("always()")
    artifact = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert artifact["with"]["path"] == files["html"]

    # The scan step keeps the exit code; the last step fails the job on any non-zero code.
    assert "set +e" in scan["run"] and 'echo "exit_code=$?"' in scan["run"]
    gate = steps[-1]
    assert gate["if"] == "steps.scan.outputs.exit_code != '0'"
    assert re.search(r"^\s*1\)", gate["run"], re.M) and re.search(r"^\s*3\)", gate["run"], re.M)
    assert 'exit "$CODE"' in gate["run"]

    # Pull requests must not be judged with the .wfcheck.yaml they bring.
    env = workflow["jobs"]["wfcheck"]["env"]
    assert "pull_request" in workflow[True]
    assert env["WFCHECK_NO_CONFIG"] == "${{ github.event_name == 'pull_request' && '1' || '' }}"
    install = next(step for step in steps if step.get("name") == "Install wfcheck")
    assert "git+https://" in install["run"] and "pip install wfcheck" not in install["run"]


def test_gitlab_job() -> None:
    job = load("gitlab-ci.yml")["wfcheck"]
    [argv] = [cmd for line in job["script"] for cmd in wfcheck_commands(line)]
    args = parsed(argv)
    assert args.command == "scan"
    files = reports(args)
    assert job["artifacts"]["reports"]["junit"] == files["junit"]
    assert files["html"] in job["artifacts"]["paths"]
    assert job["artifacts"]["when"] == "always"
    merge_requests = job["rules"][0]
    assert merge_requests["if"] == '$CI_PIPELINE_SOURCE == "merge_request_event"'
    assert merge_requests["variables"] == {"WFCHECK_NO_CONFIG": "1"}
    assert all("pip install wfcheck " not in line for line in job["before_script"])


@pytest.mark.parametrize("name", ["github-actions.yml", "gitlab-ci.yml"])
def test_commands_named_in_comments_exist(name: str) -> None:
    commands = COMMANDS
    mentioned = re.findall(r"`wfcheck ([a-z-]+)", (CI / name).read_text(encoding="utf-8"))
    assert all(command in commands for command in mentioned), mentioned


def test_validate_accepts_the_examples() -> None:
    result = run_cli("validate", str(CI))
    assert result.code == 0, result.err
    assert result.err == "3 file(s) valid\n"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("--format sarif", None),
        ("--reprot sarif=x.sarif", "unrecognized arguments: --reprot (did you mean '--report'?)"),
        ("--report pdf=x.pdf", "argument --report: unknown report format 'pdf'"),
        ("--format yaml", "argument -f/--format: 'yaml' is not one of: asff, csv"),
    ],
)
def test_validate_checks_wfcheck_commands_in_workflows(
    tmp_path: Path, bad: str, message: str | None
) -> None:
    workflow = tmp_path / "wfcheck.yml"
    workflow.write_text(
        "on: push\njobs:\n  scan:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: pip install wfcheck\n"
        f"      - run: |\n          set +e\n          wfcheck scan --region us-east-1 \\\n"
        f"            {bad}\n",
        encoding="utf-8",
    )
    result = run_cli("validate", str(workflow))
    if message is None:
        assert result.code == 0, result.err
    else:
        assert result.code == 2
        assert result.err.startswith(f"wfcheck: error: {workflow}:7:")
        assert message in result.err
