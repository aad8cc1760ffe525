"""The typed options of ``diff``, ``test``, ``iam-policy``, ``fetch``, ``validate``, ``config``
and ``rules``, built from parsed command lines."""

from __future__ import annotations

import pytest

from checker.cli.command_options import (
    DiffOptions,
    IamPolicyOptions,
    SnapshotOptions,
    TestOptions,
    explained_argv,
    operand_paths,
    rules_format,
)
from checker.cli.main import settings_for
from checker.cli.parser import parse
from checker.cli.settings import Settings
from checker.related import KINDS


@pytest.fixture(autouse=True)
def no_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """No .wfcheck.yaml from wherever the tests run (``config`` passes its arguments on)."""
    monkeypatch.setenv("WFCHECK_NO_CONFIG", "1")


def settings(*argv: str) -> Settings:
    return settings_for(parse(list(argv)), announce=False)


def test_diff_options() -> None:
    options = DiffOptions.of(
        settings("diff", "old.json", "new.json", "--format", "json", "--fail-on", "high", "-q")
    )
    assert (options.old, options.new) == ("old.json", "new.json")
    assert options.format == "json"
    assert options.fail_on == "high"
    assert options.quiet is True
    assert options.show_unchanged is False
    assert options.output is None


def test_test_options_default_to_the_bundled_policies() -> None:
    options = TestOptions.of(settings("test", "policies/tests", "--coverage"))
    assert options.paths == ("policies/tests",)
    assert options.policies == ("builtin",)
    assert options.coverage is True
    assert options.now is None


def test_iam_policy_options() -> None:
    options = IamPolicyOptions.of(settings("iam-policy", "--related", "none"))
    assert options.related == frozenset()
    assert IamPolicyOptions.of(settings("iam-policy")).related == frozenset(KINDS)


def test_snapshot_options() -> None:
    options = SnapshotOptions.of(
        settings(
            "fetch",
            "--output",
            "out/s.json",
            "--create-output-dirs",
            "--now",
            "2026-01-01T00:00:00Z",
        )
    )
    assert options.output == "out/s.json"
    assert options.create_dirs is True
    assert options.now == "2026-01-01T00:00:00Z"


def test_operands_argv_and_rules_format() -> None:
    assert operand_paths(settings("validate", "a.yaml", "b")) == ("a.yaml", "b")
    assert explained_argv(settings("config")) == ["scan"]
    assert explained_argv(settings("config", "diff", "a", "b")) == ["diff", "a", "b"]
    assert rules_format(settings("rules", "--format", "json")) == "json"
