"""The README cannot drift: generated sections are current and CI runs its test command."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT
from tools.readme import SCHEMA, schema_text, update


def test_generated_sections_are_current() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text == update(text), "README.md is stale: run python -m tools.readme"


def test_the_shipped_schema_lists_the_operator_table() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == schema_text(), "run python -m tools.readme"


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


def test_ci_lints_the_whole_repository_then_tests_in_a_fresh_venv() -> None:
    lines = [
        line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    ]
    tests = lines.index("pip install -e '.[test]' && python -m pytest")
    for check in ("ruff check .", "ruff format --check .", "mypy --strict checker"):
        assert lines.index(check) < tests, check
    fresh = [
        n for n, line in enumerate(lines) if re.fullmatch(r'python3 -m venv "\$work/test"', line)
    ]
    assert fresh and fresh[0] < tests, "the test command runs in a venv made for it"
    assert not any("--system-site-packages" in line for line in lines)
    assert lines[fresh[0] + 1] == '. "$work/test/bin/activate"'


def test_quickstart_output_is_what_the_quickstart_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.helpers import run_cli

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quickstart = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    (shown,) = re.findall(r"```text\n(.*?)\n```", quickstart, re.S)
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COLUMNS", "100")
    result = run_cli("scan", "--input", "examples/workforces.json")
    assert result.code == 1
    printed = (result.out + result.err).splitlines()
    for line in shown.splitlines():
        if line == "...":
            continue
        if line.endswith(", ..."):
            assert any(p.startswith(line[:-5]) for p in printed), line
        else:
            assert line in printed, line
