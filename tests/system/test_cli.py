"""The CLI through its real entry point: exit codes, streams, formats, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.golden_files import assert_golden, scan_examples
from tests.helpers import NOW, flat_results, run_cli

EXAMPLE = "examples/workforces.json"


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_examples_json_report_matches_golden(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan_examples(monkeypatch, "--format", "json")
    assert result.code == 1
    assert result.err == ""
    assert_golden("examples.json", result.out)
    report = json.loads(result.out)
    assert report["schema_version"] == 2
    assert report["tool"]["name"] == "wfcheck"
    assert report["summary"]["records"] == 5
    assert report["summary"]["rules"] == 32
    assert {r["rule_id"] for r in report["results"] if r["status"] == "fail"} == {
        f"WF0{n:02d}"  # all but WF025, which is opt-in (require_private_cidrs)
        for n in (1, 2, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23, 24, 30, 31, 32, 33, 34, 35, 36)
    } | {f"WF0{n}" for n in (40, 41, 42, 50, 51, 52, 53, 54, 60, 61, 62)}
    keys = [
        (r["resource"]["account"], r["resource"]["region"], r["resource"]["name"], r["rule_id"])
        for r in flat_results(report)
    ]
    assert keys == sorted(keys)
    assert len(report["results"]) == 5 * 32  # one per (record, rule): passes and skips too
    first = report["results"][0]
    assert list(first) == ["rule_id", "resource", "status", "message", "path"]
    assert list(report["resources"][0]) == ["arn", "name", "account", "region", "source", "key"]
    assert list(report["rules"]["WF001"])[:5] == [
        "title",
        "severity",
        "description",
        "remediation",
        "references",
    ]


def test_same_inputs_give_byte_identical_reports() -> None:
    args = ("scan", "--input", EXAMPLE, "--format", "json", "--now", NOW)
    assert run_cli(*args).out == run_cli(*args).out


def test_table_output_groups_by_severity_and_ends_with_summary() -> None:
    result = run_cli("scan", "--input", EXAMPLE, "--now", NOW)
    assert result.code == 1
    lines = result.out.splitlines()
    headings = [
        line
        for line in lines
        if line.split(" (")[0] in ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO")
    ]
    assert [h.split(" ")[0] for h in headings] == ["CRITICAL", "HIGH", "MEDIUM", "LOW"]
    assert lines[-1] == "5 workforce(s), 32 rule(s): 55 pass, 29 fail, 76 skip, 0 error"
    assert "labeling-prod" not in result.out  # compliant: only listed with --show-passed
    assert "labeling-prod" in run_cli("scan", "--input", EXAMPLE, "--now", NOW, "--show-passed").out


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("--fail-on", "critical"), 1),
        (("--rule", "WF01*", "--fail-on", "critical"), 1),
        (("--rule", "WF03*", "--fail-on", "critical"), 0),
        (("--rule", "WF034"), 1),
        (("--rule", "WF034", "--fail-on", "medium"), 0),
        (("--skip-rule", "WF*"), 0),
        (("--soft-fail",), 0),
        (("--rule", "WF9*"), 2),
        (("--fail-on", "info", "--rule", "WF034"), 1),
    ],
)
def test_gate_options(args: tuple[str, ...], code: int) -> None:
    assert run_cli("scan", "--input", EXAMPLE, "--now", NOW, *args).code == code


def test_info_rules_never_fail(tmp_path: Path) -> None:
    policy = tmp_path / "info.yaml"
    policy.write_text(
        "version: 1\nrules:\n  - id: I1\n    title: t\n    severity: info\n"
        "    description: d\n    remediation: r\n"
        "    assert: {path: Status, op: equals, value: Nope}\n"
    )
    result = run_cli("scan", "--input", EXAMPLE, "--policy", str(policy), "--fail-on", "info")
    assert result.code == 0
    assert "INFO (5)" in result.out


def test_error_results_fail_the_gate(tmp_path: Path) -> None:
    data = tmp_path / "wf.json"
    data.write_text(json.dumps([{"WorkforceName": "a", "Status": "Active"}]))
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "version: 1\nrules:\n  - id: E1\n    title: t\n    severity: low\n"
        "    description: d\n    remediation: r\n"
        "    assert: {path: Status, op: age_hours_at_most, value: 1}\n"
    )
    result = run_cli("scan", "--input", str(data), "--policy", str(policy), "--format", "json")
    assert result.code == 1
    assert json.loads(result.out)["results"][0]["status"] == "fail"


def test_stdin_input_and_output_file(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    text = (ROOT / EXAMPLE).read_text()
    result = run_cli(
        "scan", "--input", "-", "--format", "json", "--output", str(out), "--now", NOW, stdin=text
    )
    assert result.code == 1
    assert result.out == ""
    report = json.loads(out.read_text())
    assert flat_results(report)[0]["resource"]["source"] == "stdin"


def test_builtin_plus_custom_policy() -> None:
    result = run_cli(
        "scan",
        "--input",
        EXAMPLE,
        "--policy",
        "builtin",
        "--policy",
        "examples/policies",
        "--format",
        "json",
        "--now",
        NOW,
    )
    report = json.loads(result.out)
    assert report["summary"]["rules"] == 34
    assert "builtin/network.yaml" in report["policies"]
    assert "examples/policies/tagging.yaml" in report["policies"]
    acme = [r for r in flat_results(report) if r["rule_id"] == "ACME002" and r["status"] == "fail"]
    assert [r["resource"]["name"] for r in acme] == ["labeling-broad"]


def test_var_on_command_line() -> None:
    result = run_cli(
        "scan",
        "--input",
        EXAMPLE,
        "--rule",
        "WF013",
        "--var",
        "allowed_cidrs=0.0.0.0/0,::/0",
        "--format",
        "json",
    )
    assert result.code == 0
    statuses = {r["status"] for r in json.loads(result.out)["results"]}
    assert statuses == {"pass", "skip"}  # skip: labeling-open has no CIDR list (WF010 says so)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--input", "missing.json"), "missing.json: cannot read input file"),
        (("--input", "examples"), "examples: is a directory"),
        (("--input", EXAMPLE, "--now", "soon"), "--now 'soon'"),
        (("--input", EXAMPLE, "--policy", "nowhere/"), "nowhere/: no such policy file"),
        (("--input", EXAMPLE, "--var", "nope=1"), "--var nope: unknown var"),
        (("--input", "-", "--input", "-"), "only once"),
    ],
)
def test_usage_errors_exit_2_with_one_line(args: tuple[str, ...], fragment: str) -> None:
    result = run_cli("scan", *args)
    assert result.code == 2
    assert result.out == ""
    assert fragment in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.err


def test_bad_inputs(tmp_path: Path) -> None:
    cases = {
        "malformed.json": b'{"Workforces": [}',
        "latin1.json": b'[{"WorkforceName": "caf\xe9"}]',
        "deep.json": b"[" * 100_000 + b"]" * 100_000,
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        result = run_cli("scan", "--input", str(tmp_path / name))
        assert result.code == 2, name
        assert result.err.startswith(f"wfcheck: error: {tmp_path / name}"), result.err
        assert len(result.err.strip().splitlines()) == 1


def test_an_input_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as handle:  # a sparse 300 MiB file: read, it would be invalid JSON
        handle.write(b'{"Workforces": [')
        handle.seek(300 * 1024 * 1024)
        handle.write(b"{}]}")
    result = run_cli("scan", "--input", str(big))
    assert result.code == 2
    assert "larger than 256 MiB" in result.err
    assert "--max-input-mb" in result.err


def test_validate_command(tmp_path: Path) -> None:
    ok = run_cli("validate", "policies", "examples")
    assert ok.code == 0, ok.err
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "version: 1\nrules:\n  - id: X\n    title: t\n    severity: low\n"
        "    description: d\n    remediation: r\n"
        "    assert: {path: a, op: cidr_withn, value: []}\n"
    )
    result = run_cli("validate", str(bad))
    assert result.code == 2
    assert f"{bad}:8:" in result.err
    assert "did you mean 'cidr_within'?" in result.err
    assert run_cli("validate", str(tmp_path / "none")).code == 2


@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
def test_rules_command(fmt: str) -> None:
    result = run_cli("rules", "--format", fmt)
    assert result.code == 0
    assert "WF036" in result.out
    if fmt == "json":
        rules = json.loads(result.out)
        assert rules[4]["vars"] == {"min_ipv4_prefix": 16, "min_ipv6_prefix": 48}


def test_version_is_fast_and_offline_commands_do_not_import_boto3() -> None:
    code = (
        "import sys\n"
        "from checker.cli import main\n"
        "assert main(['scan', '--input', 'examples/workforces.json', '--format', 'json',"
        " '--output', '/dev/null']) == 1\n"
        "assert main(['validate', 'policies']) == 0\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore'))\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    version = subprocess.run(
        [sys.executable, "-m", "checker", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert version.stdout.startswith("wfcheck ")


def test_bad_waiver_file_stops_a_live_scan_before_any_request(tmp_path: Path) -> None:
    from tests.aws_server import FakeAws, live_args

    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - rule: WF011\n    name: a\n    reason: r\n    owner: o\n")
    with FakeAws() as aws:
        result = run_cli(
            "scan", "--region", "us-east-1", *live_args(aws), "--waivers", str(waivers)
        )
        assert aws.calls == []  # the file is checked before the first request
    assert result.code == 2
    assert f"{waivers}:2:" in result.err
    assert "'expires' is a required property" in result.err


def test_an_unexpected_crash_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("checker.pipeline.build_report", explode)
    result = run_cli("scan", "--input", EXAMPLE)
    assert result.code == 2
    assert result.err == (
        "wfcheck: internal error: RuntimeError: boom "
        "(a bug in wfcheck; WFCHECK_DEBUG=1 shows the traceback)\n"
    )
    monkeypatch.setenv("WFCHECK_DEBUG", "1")  # the traceback too, and still exit 2 (not 1)
    debug = run_cli("scan", "--input", EXAMPLE)
    assert debug.code == 2
    assert debug.err.startswith("Traceback (most recent call last):")
    assert debug.err.endswith(result.err)
