"""The command line as people type it (issue 12): positional inputs, short flags,
case-insensitive choices, one-line errors with a did-you-mean, help that lists the exit codes."""

from __future__ import annotations

import json

import pytest

from checker.cli.commands import COMMANDS
from checker.cli.parser import parse
from tests.conftest import ROOT
from tests.helpers import NOW, flat_results, run_cli

EXAMPLE = "examples/workforces.json"
PLAN = "examples/terraform/plan.json"


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_positional_inputs_are_recognized_by_content() -> None:
    result = run_cli("scan", EXAMPLE, PLAN, "-f", "JSON", "--now", NOW)
    assert result.code == 1, result.err
    report = json.loads(result.out)
    assert report["sources"] == [EXAMPLE, PLAN]
    kinds = {r["resource"]["source"]: r["resource"].get("address") for r in flat_results(report)}
    assert kinds[EXAMPLE] is None
    assert kinds[PLAN] is not None  # read as a plan: results name the Terraform address


@pytest.mark.parametrize(
    "argv",
    [
        ["scan", "-i", EXAMPLE, "-f", "json", "-o", "/dev/null", "-p", "builtin", "-q"],
        ["scan", "--input", EXAMPLE, "--format", "json", "--output", "/dev/null"],
    ],
)
def test_short_and_long_flags_mean_the_same(argv: list[str]) -> None:
    given = parse(argv).given
    assert given["input"] == [EXAMPLE]
    assert given["format"] == "json"
    assert given["output"] == "/dev/null"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["scan", "--format", "jsn"],
            "wfcheck: error: scan: argument -f/--format: 'jsn' is not one of: asff, csv, "
            "github, html, json, junit, markdown, ocsf, sarif, table (did you mean 'json'?)",
        ),
        (
            ["scan", "--inputs", EXAMPLE],
            "wfcheck: error: unrecognized arguments: --inputs (did you mean '--input'?)",
        ),
        (["scna"], "wfcheck: error: unknown command 'scna' (did you mean 'scan'?)"),
        (
            ["scan", "--fail-on", "hgih"],
            "wfcheck: error: scan: argument --fail-on: 'hgih' is not one of: info, low, "
            "medium, high, critical (did you mean 'high'?)",
        ),
        (
            ["scan", "--workers", "many"],
            "wfcheck: error: scan: argument --workers: expected a whole number, got 'many'",
        ),
        (["scan", "--max-waiver-days", "-1"], "wfcheck: error: scan: argument --max-waiver-days"),
        (["diff", "a.json"], "wfcheck: error: diff: the following arguments are required: NEW"),
    ],
)
def test_every_parse_error_is_one_line(argv: list[str], expected: str) -> None:
    result = run_cli(*argv)
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith(expected), result.err
    assert len(result.err.splitlines()) == 1
    assert "usage:" not in result.err


def test_choices_are_case_insensitive() -> None:
    assert parse(["scan", "--format", "SARIF", "--fail-on", "High"]).given == {
        "format": "sarif",
        "fail_on": "high",
    }
    assert parse(["scan", "--sort-by", "createdate"]).given["sort_by"] == "CreateDate"


def test_bare_wfcheck_prints_help() -> None:
    result = run_cli()
    assert result.code == 0
    assert result.out.startswith("usage: wfcheck")
    assert "exit codes:" in result.out
    for name in COMMANDS:
        assert name in result.out


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_help_page_lists_the_exit_codes(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.code == 0
    assert f"usage: wfcheck {command}" in result.out
    assert "exit codes:" in result.out
    assert "3  a source could not be fully collected" in result.out


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_and_option_has_help_text(command: str) -> None:
    declared = COMMANDS[command].command
    assert declared.help and declared.description
    for option in declared.options():
        assert option.help.strip(), f"{command} {option.flags} has no help"


def test_validate_and_rules_document_their_arguments() -> None:
    assert "files or directories to validate" in run_cli("validate", "--help").out
    assert "table (default), json or markdown" in run_cli("rules", "--help").out


def test_tags_select_rules_and_rules_shows_them() -> None:
    listed = json.loads(run_cli("rules", "--format", "json").out)
    ipv6 = [rule["id"] for rule in listed if "ipv6" in rule["tags"]]
    assert ipv6 == ["WF015"]
    assert all(rule["tags"] and "controls" in rule for rule in listed)
    result = run_cli("scan", EXAMPLE, "--tag", "ipv6", "-f", "json", "--now", NOW)
    assert {r["rule_id"] for r in json.loads(result.out)["results"]} == {"WF015"}
    unknown = run_cli("scan", EXAMPLE, "--tag", "ipv7")
    assert unknown.code == 2 and "(did you mean 'ipv6'?)" in unknown.err
