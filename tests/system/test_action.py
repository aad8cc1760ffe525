"""``action.yml``: valid for GitHub, every script step runnable, and run here step by step.

The action's ``run`` steps are executed with bash under a simulated GitHub environment
(``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY``, ``GITHUB_ACTION_PATH``, a workspace of its own), the
``${{ }}`` expressions they use evaluated the way the runner does for these simple forms. The
``uses`` steps (setup-python, the SARIF upload) cannot run offline: their conditions and inputs
are checked instead. The install step is skipped: the package under test is already installed
in this environment (tests/system/test_packaging.py proves the wheel installs and runs).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import EXAMPLES, ROOT

ACTION = ROOT / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return data


def evaluate(expression: str, inputs: dict[str, str], outputs: dict[str, str]) -> str:
    """The value of one ``${{ }}`` expression of the forms the action uses in env and with."""
    kind, _, name = expression.partition(".")
    if kind == "inputs":
        return inputs[name]
    if kind == "steps" and name.startswith("scan.outputs."):
        return outputs.get(name.removeprefix("scan.outputs."), "")
    raise AssertionError(f"expression the test cannot evaluate: {expression}")


def condition(text: str, inputs: dict[str, str], outputs: dict[str, str]) -> bool:
    """A step's ``if``: ``always()`` and ``A == 'x'`` / ``A != 'x'`` joined by ``&&``."""
    result = True
    for part in (p.strip() for p in text.split("&&")):
        if part == "always()":
            continue
        match = re.fullmatch(r"([\w.-]+) (==|!=) '(.*)'", part)
        assert match, f"condition the test cannot evaluate: {part}"
        value = evaluate(match[1], inputs, outputs)
        result = result and ((value == match[3]) == (match[2] == "=="))
    return result


def run_action(workspace: Path, given: dict[str, str]) -> dict[str, Any]:
    """Run the action's steps in ``workspace``; what a workflow would see afterwards."""
    spec = action()
    inputs = {name: str(entry.get("default", "")) for name, entry in spec["inputs"].items()}
    unknown = set(given) - set(inputs)
    assert not unknown, unknown
    inputs.update(given)
    github = workspace / ".github-files"
    github.mkdir()
    output_file, summary_file = github / "output", github / "summary.md"
    output_file.touch()
    summary_file.touch()
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GITHUB_", "RUNNER_", "WFCHECK_"))
    }
    base.update(
        GITHUB_ACTIONS="true",
        GITHUB_WORKSPACE=str(workspace),
        GITHUB_ACTION_PATH=str(ROOT),
        GITHUB_OUTPUT=str(output_file),
        GITHUB_STEP_SUMMARY=str(summary_file),
        RUNNER_TEMP=str(github),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    )
    outputs: dict[str, str] = {}
    ran: list[dict[str, Any]] = []
    gate: subprocess.CompletedProcess[str] | None = None
    for step in spec["runs"]["steps"]:
        if "if" in step and not condition(step["if"], inputs, outputs):
            continue
        if "uses" in step:
            with_ = {
                key: EXPRESSION.sub(lambda m: evaluate(m[1], inputs, outputs), str(value))
                for key, value in step.get("with", {}).items()
            }
            ran.append({"uses": step["uses"], "with": with_})
            continue
        if step["name"] == "Install wfcheck":
            assert '"$GITHUB_ACTION_PATH"' in step["run"]
            continue
        env = dict(base)
        for key, value in step.get("env", {}).items():
            env[key] = EXPRESSION.sub(lambda m: evaluate(m[1], inputs, outputs), str(value))
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        ran.append({"name": step["name"], "code": done.returncode})
        if step.get("id") == "scan":
            assert done.returncode == 0, done.stderr
            outputs = dict(
                line.split("=", 1) for line in output_file.read_text().splitlines() if line
            )
            scan_log = done
        else:
            gate = done
    return {
        "outputs": outputs,
        "ran": ran,
        "summary": summary_file.read_text(encoding="utf-8"),
        "log": scan_log.stdout,
        "stderr": scan_log.stderr,
        "gate": gate,
    }


def uploads(run: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        step
        for step in run["ran"]
        if step.get("uses", "").startswith("github/codeql-action/upload-sarif@")
    ]


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    shutil.copy(EXAMPLES / "workforces.json", tmp_path / "workforces.json")
    shutil.copy(EXAMPLES / "vars.yaml", tmp_path / "vars.yaml")
    return tmp_path


def test_a_failing_scan_annotates_summarizes_uploads_and_fails(workspace: Path) -> None:
    run = run_action(workspace, {"paths": "workforces.json\n", "args": "--var-file vars.yaml"})
    assert run["outputs"]["exit-code"] == "1"
    sarif_path = run["outputs"]["sarif-file"]
    assert sarif_path == "wfcheck.sarif"
    sarif = json.loads((workspace / sarif_path).read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    assert re.search(r"^::error ", run["log"], re.M), "github annotations on the log"
    assert run["summary"].startswith("#") and "WF010" in run["summary"]
    [upload] = uploads(run)
    assert upload["with"] == {"sarif_file": "wfcheck.sarif", "category": "wfcheck"}
    assert run["gate"] is not None and run["gate"].returncode == 1
    assert "::error::wfcheck: failing workforce settings" in run["gate"].stdout


def test_a_passing_gate_leaves_the_job_green(workspace: Path) -> None:
    run = run_action(
        workspace, {"paths": "workforces.json", "fail-on": "critical", "args": "--rule WF001"}
    )
    assert run["outputs"]["exit-code"] == "0"
    assert run["gate"] is None, "the gate step is skipped on exit 0"


def test_bad_input_is_exit_2_and_fails(workspace: Path) -> None:
    (workspace / "broken.json").write_text("{", encoding="utf-8")
    run = run_action(workspace, {"paths": "broken.json"})
    assert run["outputs"]["exit-code"] == "2"
    assert run["outputs"]["sarif-file"] == ""
    assert not uploads(run), "no upload without a SARIF file"
    assert run["gate"] is not None and run["gate"].returncode == 2


def test_a_pull_requests_config_is_not_read_unless_asked(workspace: Path) -> None:
    (workspace / ".wfcheck.yaml").write_text("soft_fail: true\n", encoding="utf-8")
    ignored = run_action(workspace, {"paths": "workforces.json", "upload-sarif": "false"})
    assert ignored["outputs"]["exit-code"] == "1"
    for leftover in (".github-files", "wfcheck.sarif"):
        path = workspace / leftover
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    trusted = run_action(
        workspace, {"paths": "workforces.json", "upload-sarif": "false", "repo-config": "true"}
    )
    assert trusted["outputs"]["exit-code"] == "0"
    assert ".wfcheck.yaml" in trusted["stderr"]


def test_inputs_cannot_run_code(workspace: Path) -> None:
    marker = workspace / "pwned"
    run = run_action(
        workspace,
        {
            "paths": f"workforces.json\n$(touch {marker})",
            "args": f"; touch {marker}",
            "fail": "false",
        },
    )
    assert not marker.exists()
    assert run["outputs"]["exit-code"] == "2"  # the odd path and argument are refused, not run
    assert run["gate"] is None


def test_summary_for_another_format_and_no_summary(workspace: Path) -> None:
    run = run_action(workspace, {"paths": "workforces.json", "format": "table"})
    assert "WF010" in run["summary"] and run["log"].lstrip().startswith(("CRITICAL", "HIGH"))
    for leftover in (".github-files", "wfcheck.sarif"):
        path = workspace / leftover
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    quiet = run_action(workspace, {"paths": "workforces.json", "job-summary": "false"})
    assert quiet["summary"] == ""


def test_the_example_workflow_uses_the_actions_inputs() -> None:
    workflow = yaml.safe_load((EXAMPLES / "ci" / "github-action.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["wfcheck"]["steps"]
    step = next(s for s in steps if s.get("uses", "").startswith("OWNER/wfcheck@"))
    assert set(step["with"]) <= set(action()["inputs"])
    assert "repo-config" not in step["with"], "pull requests must not read their own config"
    assert workflow["permissions"]["security-events"] == "write"


def test_every_run_step_names_its_shell_and_every_action_is_pinned() -> None:
    for step in action()["runs"]["steps"]:
        if "run" in step:
            assert step.get("shell") == "bash", step["name"]
            assert "${{" not in step["run"], (
                f"{step['name']}: inputs go through env, not the script"
            )
        else:
            assert PINNED.match(step["uses"]), step["uses"]


@pytest.mark.parametrize(
    ("schema", "path"),
    [
        ("vendor.github-actions", ACTION),
        ("vendor.github-workflows", EXAMPLES / "ci" / "github-actions.yml"),
        ("vendor.github-workflows", EXAMPLES / "ci" / "github-action.yml"),
    ],
)
def test_schemastore_schemas_accept(schema: str, path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
