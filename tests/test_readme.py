"""The README cannot drift: generated sections are current and CI runs its test command."""

from __future__ import annotations

import re

from tests.conftest import ROOT
from tools.readme import update


def test_generated_sections_are_current() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text == update(text), "README.md is stale: run python -m tools.readme"


def test_quickstart_has_two_commands_and_ci_runs_the_test_command() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quickstart = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quickstart, re.S)
    assert len(commands) == 2
    scan, tests = commands
    assert "wfcheck scan --input examples/workforces.json" in scan
    assert "pytest" in tests
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines()


def test_ci_lints_and_type_checks_before_the_tests() -> None:
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    tests = lines.index("pip install -e '.[test]' && python -m pytest")
    assert lines.index("ruff check checker tests tools benchmarks") < tests
    assert lines.index("mypy --strict checker") < tests
