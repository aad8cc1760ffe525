""".wfcheck.yaml: discovery, precedence (command line wins), list replacement, errors, explain."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from checker.cli.commands import COMMANDS
from checker.cli.config import SPECIAL_KEYS, all_keys, find_config
from checker.cli.parser import parse as parse_argv
from checker.cli.settings import settle
from checker.errors import InputError, UsageError
from checker.files.schemacheck import load_schema
from tests.conftest import EXAMPLES, NOW
from tests.helpers import flat_results, run_cli

WORKFORCES = str(EXAMPLES / "workforces.json")


def write_config(folder: Path, text: str, name: str = ".wfcheck.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def parse(folder: Path, *argv: str) -> SimpleNamespace:
    """Settle like ``main`` does: defaults < the config file < the command line."""
    invocation = parse_argv(list(argv))
    config = find_config(
        invocation.given.get("config"), bool(invocation.given.get("no_config")), cwd=folder
    )
    settings = settle(COMMANDS[invocation.command].command, invocation, config)
    return SimpleNamespace(**{dest: settings[dest] for dest in settings})


def scan_json(*argv: str) -> dict:  # type: ignore[type-arg]
    result = run_cli("scan", "--input", WORKFORCES, "--now", NOW, "--format", "json", *argv)
    assert result.code in (0, 1), result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


# --- discovery ----------------------------------------------------------------------------------


def test_found_in_the_working_directory_or_a_parent(tmp_path: Path) -> None:
    write_config(tmp_path, "fail_on: high\n")
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert parse(tmp_path, "scan").fail_on == "high"
    assert parse(tmp_path / "a" / "b", "scan").fail_on == "high"


def test_the_nearest_file_wins(tmp_path: Path) -> None:
    write_config(tmp_path, "fail_on: high\n")
    write_config(tmp_path / "team", "fail_on: critical\n", name=".wfcheck.yml")
    assert parse(tmp_path / "team", "scan").fail_on == "critical"


def test_explicit_config_and_no_config(tmp_path: Path) -> None:
    write_config(tmp_path, "fail_on: high\n")
    other = write_config(tmp_path / "elsewhere", "fail_on: medium\n", name="ci.yaml")
    assert parse(tmp_path, "scan", "--config", str(other)).fail_on == "medium"
    assert parse(tmp_path, "scan", f"--config={other}").fail_on == "medium"
    assert parse(tmp_path, "scan", "--no-config").fail_on == "low"
    with pytest.raises(UsageError, match="cannot be used together"):
        parse(tmp_path, "scan", "--no-config", "--config", str(other))


def test_without_a_file_the_defaults_stand(tmp_path: Path) -> None:
    args = parse(tmp_path, "scan")
    assert (args.fail_on, args.policy, args.var) == ("low", [], [])


# --- precedence ---------------------------------------------------------------------------------


def test_command_line_scalars_win(tmp_path: Path) -> None:
    write_config(tmp_path, "fail_on: high\nformat: json\nsoft_fail: true\n")
    args = parse(tmp_path, "scan", "--fail-on", "critical")
    assert (args.fail_on, args.format, args.soft_fail) == ("critical", "json", True)


def test_command_line_lists_replace_config_lists(tmp_path: Path) -> None:
    write_config(tmp_path, "policies: [builtin, extra]\nregions: [us-east-1, eu-west-1]\n")
    args = parse(tmp_path, "scan", "--policy", "mine", "--region", "us-west-2")
    assert args.policy == ["mine"]
    assert args.region == ["us-west-2"]
    untouched = parse(tmp_path, "scan", "--policy", "a", "--policy", "b")
    assert untouched.policy == ["a", "b"]
    assert untouched.region == ["us-east-1", "eu-west-1"]


def test_config_lists_are_not_mutated_between_parses(tmp_path: Path) -> None:
    write_config(tmp_path, "regions: [us-east-1]\nvars: {min_subnets: 3}\n")
    replaced = parse(tmp_path, "scan", "--region", "eu-west-1", "--var", "min_subnets=1")
    assert (replaced.region, replaced.var) == (["eu-west-1"], ["min_subnets=3", "min_subnets=1"])
    again = parse(tmp_path, "scan")
    assert (again.region, again.var) == (["us-east-1"], ["min_subnets=3"])


def test_vars_merge_by_name_with_command_line_vars(tmp_path: Path) -> None:
    write_config(tmp_path, "vars:\n  min_subnets: 3\n  allowed_cidrs: [203.0.113.0/24]\n")
    args = parse(tmp_path, "scan", "--var", "min_subnets=1")
    assert args.var == ["min_subnets=3", 'allowed_cidrs=["203.0.113.0/24"]', "min_subnets=1"]


def test_disable_adds_to_skip_rule_and_the_command_line_adds_more(tmp_path: Path) -> None:
    write_config(tmp_path, "disable: [WF034]\nskip_rules: [WF01?]\n")
    assert parse(tmp_path, "scan", "--skip-rule", "WF001").skip_rule == ["WF01?", "WF034", "WF001"]


def test_relative_paths_are_relative_to_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(
        tmp_path,
        "policies: [builtin, team/policies]\nvar_files: vars.yaml\noutput: reports/out.json\n",
    )
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    args = parse(tmp_path / "sub", "scan", "--config", "../.wfcheck.yaml")
    assert args.policy == ["builtin", "../team/policies"]
    assert args.var_file == ["../vars.yaml"]
    assert args.output == "../reports/out.json"
    monkeypatch.chdir(tmp_path)
    assert parse(tmp_path, "scan", "--config", str(config)).policy == [
        "builtin",
        str(tmp_path / "team" / "policies"),
    ]


def test_report_destinations_resolve_only_the_path_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path, "reports: [sarif=out/wfcheck.sarif, json=/abs/r.json]\n")
    (tmp_path / "ci").mkdir()
    monkeypatch.chdir(tmp_path / "ci")
    specs = parse(tmp_path / "ci", "scan", "--config", "../.wfcheck.yaml").report
    assert [tuple(spec) for spec in specs] == [
        ("sarif", "../out/wfcheck.sarif"),
        ("json", "/abs/r.json"),
    ]


# --- effect on a real scan ----------------------------------------------------------------------


def test_severity_overrides_and_disabled_rules_reach_the_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path, "severity: {WF022: critical}\ndisable: [WF034]\n")
    monkeypatch.chdir(tmp_path)
    report = scan_json()
    severities = {r["rule_id"]: r["severity"] for r in flat_results(report)}
    assert severities["WF022"] == "critical"
    assert "WF034" not in severities
    assert "WF034" in {r["rule_id"] for r in scan_json("--no-config")["results"]}


def test_fail_on_from_the_file_sets_the_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path, "fail_on: critical\nrules: [WF014]\n")
    monkeypatch.chdir(tmp_path)
    argv = ("scan", "--input", WORKFORCES, "--now", NOW)
    assert run_cli(*argv).code == 0  # WF014 is low: below fail_on critical
    assert run_cli(*argv, "--fail-on", "low").code == 1


def test_vars_from_the_file_reach_the_policies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path, "vars: {allowed_cidrs: [203.0.113.0/24]}\nrules: [WF013]\n")
    monkeypatch.chdir(tmp_path)
    results = scan_json()["results"]
    assert "fail" in {r["status"] for r in results}
    assert not [r for r in results if r["message"] == "var allowed_cidrs is not set"]
    assert {r["status"] for r in scan_json("--no-config", "--rule", "WF013")["results"]} == {"skip"}


# --- errors -------------------------------------------------------------------------------------

INVALID = [
    ("fail_onn: high\n", "1:1: unknown config key 'fail_onn' (did you mean 'fail_on'?)"),
    (
        "fail_on: hgih\n",
        "1:10: fail_on: 'hgih' is not one of: info, low, medium, high, critical "
        "(did you mean 'high'?)",
    ),
    ("format: sariff\n", "1:9: format: 'sariff' is not one of: "),
    ("workers: many\n", "1:10: workers: expected a whole number, got 'many' (--workers)"),
    ("soft_fail: yes please\n", "1:12: soft_fail: 'yes please' is not of type 'boolean'"),
    ("quiet: 1\n", "1:8: quiet: 1 is not of type 'boolean'"),
    ("severity: {WF022: hgh}\n", "1:19: severity.WF022: 'hgh' is not one of: info, low, "),
    ("disable: WF034\n", "1:10: disable: 'WF034' is not of type 'array'"),
    ("vars: [a, b]\n", "1:7: vars: ['a', 'b'] is not of type 'object'"),
    ("version: 2\n", "1:10: version: 1 was expected"),
    ("policies: [builtin, {a: 1}]\n", "1:21: policies[1]: {'a': 1} is not of type 'string'"),
    ("config: other.yaml\n", "1:1: unknown config key 'config'"),
    ("fail_on: high\nfail_on: low\n", "2:1: duplicate key 'fail_on'"),
    ("fail_on: [high\n", "2:1: invalid YAML"),
    ("- fail_on\n", "1:1: document: ['fail_on'] is not of type 'object'"),
]


@pytest.mark.parametrize(("text", "expected"), INVALID)
def test_invalid_config_exits_2_with_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    write_config(tmp_path, text)
    monkeypatch.chdir(tmp_path)
    result = run_cli("scan", "--input", WORKFORCES)
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith(f"wfcheck: error: .wfcheck.yaml:{expected}"), result.err
    assert len(result.err.splitlines()) == 1


def test_every_documented_key_sets_an_option() -> None:
    documented = set(load_schema("config.schema.json")["properties"])
    assert documented - set(SPECIAL_KEYS) <= set(all_keys())


def test_a_value_is_applied_to_the_commands_that_accept_it(tmp_path: Path) -> None:
    write_config(tmp_path, "format: markdown\n")  # scan and rules both know markdown
    assert parse(tmp_path, "scan").format == "markdown"
    assert parse(tmp_path, "rules").format == "markdown"
    write_config(tmp_path, "format: sarif\n")  # rules has no sarif: only scan takes it
    assert parse(tmp_path, "scan").format == "sarif"
    assert parse(tmp_path, "rules").format == "table"


def test_missing_explicit_config_exits_2(tmp_path: Path) -> None:
    result = run_cli("scan", "--config", str(tmp_path / "nope.yaml"), "--input", WORKFORCES)
    assert (result.code, result.err) == (
        2,
        f"wfcheck: error: {tmp_path / 'nope.yaml'}: no such config file\n",
    )


def test_an_empty_config_file_is_an_empty_config(tmp_path: Path) -> None:
    write_config(tmp_path, "")
    assert parse(tmp_path, "scan").fail_on == "low"


# --- validate -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vars: {allowed_cidrs: [], nope: 1}\n", ".wfcheck.yaml:1:27: var nope: unknown var"),
        (
            "severity: {WF099: high}\n",
            ".wfcheck.yaml:1:12: severity override for unknown rule 'WF099'",
        ),
        (
            "vars: {min_subnets: lots}\n",
            ".wfcheck.yaml:1:8: var min_subnets: expected a whole number, got 'lots'",
        ),
        ("fail_onn: high\n", ".wfcheck.yaml:1:1: unknown config key 'fail_onn'"),
    ],
)
def test_validate_checks_vars_and_severity_against_the_policies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    write_config(tmp_path, text)
    monkeypatch.chdir(tmp_path)
    result = run_cli("validate", "--no-config", ".wfcheck.yaml")
    assert result.code == 2
    assert result.err.startswith(f"wfcheck: error: {expected}"), result.err


def test_validate_accepts_a_good_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(
        tmp_path,
        "version: 1\npolicies: [builtin]\nvars: {min_subnets: 3}\n"
        "severity: {WF022: medium}\ndisable: [WF034]\nfail_on: high\n",
    )
    monkeypatch.chdir(tmp_path)
    result = run_cli("validate", ".wfcheck.yaml")
    assert (result.code, result.err) == (0, "1 file(s) valid\n")


# --- wfcheck config -----------------------------------------------------------------------------


def test_config_command_says_where_each_value_came_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(
        tmp_path,
        """\
        fail_on: high
        regions: [us-east-1]
        vars: {min_subnets: 3}
        severity: {WF022: critical}
        disable: [WF034]
    """,
    )
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    result = run_cli(
        "config", "scan", "--region", "eu-west-1", "--var", "allowed_cidrs=[]", "--format", "json"
    )
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == (
        "# effective configuration of: wfcheck scan --region eu-west-1 "
        "--var allowed_cidrs=[] --format json"
    )
    assert lines[1] == "# config file: ../.wfcheck.yaml"
    assert 'fail_on: "high"  # ../.wfcheck.yaml:1' in lines
    assert 'regions: ["eu-west-1"]  # command line' in lines
    assert 'format: "json"  # command line' in lines
    assert "soft_fail: false  # default" in lines
    assert (
        'vars: {"min_subnets": "3", "allowed_cidrs": []}  # ../.wfcheck.yaml:3 + command line'
        in lines
    )
    assert 'skip_rules: ["WF034"]  # ../.wfcheck.yaml:5' in lines
    assert 'severity: {"WF022": "critical"}  # ../.wfcheck.yaml:4' in lines


def test_config_command_defaults_to_scan_without_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("config")
    assert result.code == 0
    assert result.out.splitlines()[:2] == [
        "# effective configuration of: wfcheck scan",
        "# config file: none",
    ]
    assert 'fail_on: "low"  # default' in result.out


def test_policy_tests_use_the_configured_policies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path, f"policies: [{EXAMPLES / 'policies'}]\nseverity: {{ACME001: high}}\n")
    (tmp_path / "t.yaml").write_text(
        "cases:\n  - name: c\n    record: {WorkforceName: labeling-a}\n"
        "    expect: {ACME001: pass}\n"
    )
    monkeypatch.chdir(tmp_path)
    assert run_cli("test", "t.yaml").out == "1 passed, 0 failed\n"


def test_validate_reports_a_broken_config_instead_of_failing_on_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path, "fail_onn: high\n")
    (tmp_path / "vars.yaml").write_text("min_subnets: 3\n")
    monkeypatch.chdir(tmp_path)
    result = run_cli("validate", "vars.yaml", ".wfcheck.yaml")
    assert result.code == 2
    assert result.err == (
        "wfcheck: error: .wfcheck.yaml:1:1: unknown config key 'fail_onn' "
        "(did you mean 'fail_on'?)\n"
    )
    assert run_cli("validate", "vars.yaml").code == 0
    assert run_cli("scan", "--input", WORKFORCES).code == 2


# --- command sections ---------------------------------------------------------------------------


def test_a_command_section_applies_to_that_command_only_and_wins(tmp_path: Path) -> None:
    write_config(
        tmp_path,
        "format: markdown\nfail_on: high\ncommands:\n"
        "  rules: {format: json}\n  scan: {fail_on: critical}\n",
    )
    scan, rules = parse(tmp_path, "scan"), parse(tmp_path, "rules")
    assert (scan.format, scan.fail_on) == ("markdown", "critical")
    assert rules.format == "json"
    assert parse(tmp_path, "scan", "--fail-on", "low").fail_on == "low"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "commands:\n  scan:\n    fial_on: high\n",
            "3:5: unknown config key 'fial_on' for wfcheck scan (did you mean 'fail_on'?)",
        ),
        (
            "commands:\n  test:\n    fail_on: high\n",
            "3:5: unknown config key 'fail_on' for wfcheck test (known keys: ",
        ),
        (
            "commands:\n  scan:\n    vars: {min_subnets: 3}\n",
            "3:5: 'vars' can only be set at the top level",
        ),
        (
            "commands:\n  scan: {fail_on: hgih}\n",
            "2:19: commands.scan.fail_on: 'hgih' is not one of",
        ),
        (
            "commands:\n  scna: {fail_on: high}\n",
            "2:3: unknown command 'scna' (did you mean 'scan'?)",
        ),
        (
            "commands:\n  scan: [fail_on]\n",
            "2:9: commands.scan: ['fail_on'] is not of type 'object'",
        ),
    ],
)
def test_command_section_errors(tmp_path: Path, text: str, expected: str) -> None:
    write_config(tmp_path, text)
    with pytest.raises(InputError) as caught:
        parse(tmp_path, "scan")
    assert f".wfcheck.yaml:{expected}" in str(caught.value)


def test_config_command_shows_the_section_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path, "fail_on: high\ncommands:\n  scan:\n    fail_on: critical\n")
    monkeypatch.chdir(tmp_path)
    assert 'fail_on: "critical"  # .wfcheck.yaml:4' in run_cli("config").out.splitlines()


def test_config_output_pastes_back_as_a_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(
        tmp_path / "team",
        "fail_on: high\nvars: {min_subnets: 3}\nseverity: {WF022: critical}\n"
        "disable: [WF034]\nregions: [us-east-1]\nworkers: 8\nasff_product_arn: "
        "arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default\n",
        name="ci.yaml",
    )
    monkeypatch.chdir(tmp_path / "team")
    first = run_cli(
        "config", "scan", "--config", "ci.yaml", "--var", 'allowed_cidrs=["10.0.0.0/8"]',
        "--sort-by", "name", "--report", "sarif=out.sarif",
    )  # fmt: skip
    assert first.code == 0, first.err
    assert '# reports: ["sarif=out.sarif"]  # command line; trusted' in first.out
    assert "asff_product_arn" in first.out  # a long name with _ is a key like any other
    (tmp_path / "pasted").mkdir()
    (tmp_path / "pasted" / ".wfcheck.yaml").write_text(first.out)
    monkeypatch.chdir(tmp_path / "pasted")
    second = run_cli("config", "scan")
    assert second.code == 0, second.err

    def values(text: str) -> list[str]:
        return [line.split("  # ")[0] for line in text.splitlines() if line[:1] != "#"]

    assert values(first.out) == values(second.out)
    assert 'sort_by: "Name"  # .wfcheck.yaml:' in second.out
    assert run_cli("validate", ".wfcheck.yaml").code == 0
