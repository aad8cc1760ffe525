"""pre-commit: the hooks wfcheck offers, run for real with ``pre-commit try-repo``.

The hook repository is a fresh git copy of this checkout's package files, so the test exercises
exactly the working tree; the hooks install it with pip (``language: python``), which needs PyPI
for hatchling and the dependencies (pip's cache usually has them). ``PRE_COMMIT_HOME`` is a temp
dir; try-repo itself builds the hook environment in its own temp store on every run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import EXAMPLES, ROOT

PACKAGE_FILES = ("checker", "policies", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml")
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "wfcheck tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "wfcheck tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
}


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
    )


def git_repo(folder: Path, env: dict[str, str]) -> None:
    for argv in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        ["git", "commit", "-q", "--no-verify", "-m", "fixture"],
    ):
        done = run(argv, folder, env)
        assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("pre-commit-home")
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PRE_COMMIT", "GIT_"))
    }
    environment.update(GIT_IDENTITY, PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never")
    return environment


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Path:
    folder = tmp_path_factory.mktemp("hooks-repo")
    for name in PACKAGE_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, folder / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        else:
            shutil.copy2(source, folder / name)
    git_repo(folder, env)
    return folder


@pytest.fixture
def consumer(tmp_path: Path, env: dict[str, str]) -> Iterator[Path]:
    """A repository using wfcheck: a custom policy, its tests, a waiver file and a config."""
    shutil.copytree(EXAMPLES / "policies", tmp_path / "policies")
    (tmp_path / "policies" / "tests").mkdir()
    (tmp_path / "policies" / "tests" / "tagging.yaml").write_text(
        textwrap.dedent("""\
        cases:
          - name: named by the convention
            record: {WorkforceName: labeling-x, IpAddressType: ipv4}
            expect: {ACME001: pass, ACME002: skip, WF010: fail}
          - name: not named by the convention
            record: {WorkforceName: Labeling Team}
            expect: {ACME001: fail}
    """)
    )
    (tmp_path / "waivers.yaml").write_text(
        textwrap.dedent("""\
        waivers:
          - rule: WF010
            name: labeling-x
            reason: Source IP restriction arrives with the VPN rollout
            owner: labeling-platform@example.com
            expires: 2027-01-31
    """)
    )
    (tmp_path / ".wfcheck.yaml").write_text("policies: [builtin, policies]\nfail_on: high\n")
    git_repo(tmp_path, env)
    yield tmp_path


def try_repo(
    hooks: Path, consumer: Path, env: dict[str, str], *hook: str
) -> subprocess.CompletedProcess[str]:
    """``pre-commit try-repo`` (a fresh hook environment each time: try-repo uses a temp store)."""
    run(["git", "add", "-A"], consumer, env)
    return run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(hooks),
            *hook,
            "--all-files",
            "--verbose",
        ],
        consumer,
        env,
    )


def test_the_hook_manifest_is_valid(env: dict[str, str]) -> None:
    done = run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml"],
        ROOT,
        env,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_the_project_config_is_valid(env: dict[str, str]) -> None:
    done = run(
        [sys.executable, "-m", "pre_commit", "validate-config", ".pre-commit-config.yaml"],
        ROOT,
        env,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_the_project_config_runs_the_lint_command_offline() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    entries = {hook["id"]: hook["entry"] for hook in config["repos"][0]["hooks"]}
    assert entries == {
        "ruff-check": "ruff check --force-exclude",
        "ruff-format": "ruff format --force-exclude",
        "mypy": "mypy checker",
        "wfcheck-validate": "wfcheck validate --no-config policies examples",
        "wfcheck-test": "wfcheck test --no-config --coverage policies/tests",
    }


def test_the_offered_hooks(hooks_repo: Path) -> None:
    manifest = yaml.safe_load((hooks_repo / ".pre-commit-hooks.yaml").read_text())
    assert {hook["id"]: hook["entry"] for hook in manifest} == {
        "wfcheck-validate": "wfcheck validate",
        "wfcheck-test": "wfcheck test",
        "wfcheck-terraform": "wfcheck scan",
        "wfcheck-cloudformation": "wfcheck scan --templates-only",
    }
    assert {hook["language"] for hook in manifest} == {"python"}


def test_both_hooks_pass_on_a_valid_repository(
    hooks_repo: Path, consumer: Path, env: dict[str, str]
) -> None:
    done = try_repo(hooks_repo, consumer, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^wfcheck validate\.+Passed$", done.stdout, re.MULTILINE), done.stdout
    assert re.search(r"^wfcheck test\.+Passed$", done.stdout, re.MULTILINE), done.stdout
    assert "4 file(s) valid" in done.stdout  # policy, its tests, waivers, .wfcheck.yaml
    assert "2 passed, 0 failed" in done.stdout  # the custom policy from .wfcheck.yaml


BROKEN = {
    "policies/tagging.yaml": (
        "version: 1\nrules:\n  - id: X1\n    titel: t\n",
        "policies/tagging.yaml:4:5: rule X1: unknown key 'titel'",
    ),
    "waivers.yaml": (
        "waivers:\n  - rule: WF010\n    name: labeling-x\n    reason: r\n    expires: 2027-01-31\n",
        "waivers.yaml:2:",
    ),
    ".wfcheck.yaml": (
        "fail_onn: high\n",
        ".wfcheck.yaml:1:1: unknown config key 'fail_onn' (did you mean 'fail_on'?)",
    ),
    "policies/tests/tagging.yaml": (
        "cases:\n  - name: c\n    record: {}\n    expect: {A: flop}\n",
        "policies/tests/tagging.yaml:4:17: cases[0].expect.A: 'flop' is not one of",
    ),
}


def test_validate_hook_reports_every_broken_file(
    hooks_repo: Path, consumer: Path, env: dict[str, str]
) -> None:
    for path, (text, _) in BROKEN.items():
        (consumer / path).write_text(text)
    done = try_repo(hooks_repo, consumer, env, "wfcheck-validate")
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"^wfcheck validate\.+Failed$", done.stdout, re.MULTILINE), done.stdout
    for _, expected in BROKEN.values():
        assert f"wfcheck: error: {expected}" in done.stdout, done.stdout


def test_test_hook_fails_on_a_failing_case(
    hooks_repo: Path, consumer: Path, env: dict[str, str]
) -> None:
    tests = consumer / "policies" / "tests" / "tagging.yaml"
    tests.write_text(tests.read_text().replace("{ACME001: fail}", "{ACME001: pass}"))
    done = try_repo(hooks_repo, consumer, env, "wfcheck-test")
    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        "policies/tests/tagging.yaml:5: case 'not named by the convention': ACME001: "
        "expected pass, got fail"
    ) in done.stdout
    assert "1 passed, 1 failed" in done.stdout


CALLER = 'module "wf" {\n  source = "../../modules/wf"\n  cidrs  = %s\n}\n'
MODULE = """
variable "cidrs" {}
resource "aws_sagemaker_workforce" "this" {
  workforce_name = "labeling"
  cognito_config {
    client_id = "client"
    user_pool = "eu-west-1_Pool"
  }
  source_ip_config {
    cidrs = var.cidrs
  }
}
"""


def test_terraform_hook_gates_the_root_modules_of_changed_files(
    hooks_repo: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    """A change in a local module gates the root module that calls it, with the caller's
    values; the other root module (no workforce) and non-Terraform files are not in the way."""
    (tmp_path / "live" / "prod").mkdir(parents=True)
    (tmp_path / "live" / "tools").mkdir(parents=True)
    (tmp_path / "modules" / "wf").mkdir(parents=True)
    (tmp_path / "live" / "prod" / "main.tf").write_text(CALLER % '["0.0.0.0/0"]')
    (tmp_path / "live" / "tools" / "main.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    (tmp_path / "modules" / "wf" / "main.tf").write_text(MODULE)
    (tmp_path / "notes.yaml").write_text("not: terraform\n")
    git_repo(tmp_path, env)
    failed = try_repo(hooks_repo, tmp_path, env, "wfcheck-terraform")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert re.search(r"^wfcheck terraform\.+Failed$", failed.stdout, re.MULTILINE)
    assert "WF011" in failed.stdout
    assert "module.wf.aws_sagemaker_workforce.this" in failed.stdout
    (tmp_path / "live" / "prod" / "main.tf").write_text(CALLER % '"not a list"')
    broken = try_repo(hooks_repo, tmp_path, env, "wfcheck-terraform")
    assert broken.returncode != 0
    assert "Traceback" not in broken.stdout + broken.stderr


TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Workforce:
    Type: AWS::SageMaker::Workforce
    Properties:
      WorkforceName: labeling
      CognitoConfig: {ClientId: client, UserPool: eu-west-1_Pool}
      SourceIpConfig:
        Cidrs: [%s]
"""


def test_cloudformation_hook_gates_changed_templates_and_skips_other_files(
    hooks_repo: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "labeling.yaml").write_text(TEMPLATE % "0.0.0.0/0")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs: {}\n")
    (tmp_path / "package.json").write_text('{"name": "app"}\n')
    (tmp_path / ".wfcheck.yaml").write_text("fail_on: critical\n")  # WF011, world-open
    git_repo(tmp_path, env)
    failed = try_repo(hooks_repo, tmp_path, env, "wfcheck-cloudformation")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert re.search(r"^wfcheck cloudformation\.+Failed$", failed.stdout, re.MULTILINE)
    assert "WF011" in failed.stdout and "labeling" in failed.stdout
    (tmp_path / "stacks" / "labeling.yaml").write_text(TEMPLATE % "192.0.2.0/24")
    passed = try_repo(hooks_repo, tmp_path, env, "wfcheck-cloudformation")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    (tmp_path / "stacks" / "labeling.yaml").write_text(TEMPLATE % "[")
    broken = try_repo(hooks_repo, tmp_path, env, "wfcheck-cloudformation")
    assert broken.returncode == 2 or "exit code: 2" in broken.stdout, broken.stdout
    assert "stacks/labeling.yaml" in broken.stdout
    assert "Traceback" not in broken.stdout + broken.stderr
