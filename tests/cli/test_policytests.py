"""``wfcheck test``: failures reported precisely, invalid test files rejected with file:line."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from checker.cli.commands.test import run_tests
from checker.cli.policytests import load_test_file
from tests.conftest import EXAMPLES
from tests.helpers import run_cli

OPEN = """\
  - name: open to the internet
    record:
      WorkforceName: labeling-open
      WorkforceArn: arn:aws:sagemaker:us-east-1:111111111111:workforce/labeling-open
      Status: Active
      SourceIpConfig: {Cidrs: [0.0.0.0/0]}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_passing_cases_exit_0_and_end_with_the_summary(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", "cases:\n" + OPEN + "    expect: {WF010: pass, WF011: fail}\n")
    result = run_cli("test", str(path))
    assert (result.code, result.out, result.err) == (0, "1 passed, 0 failed\n", "")


def test_a_failing_case_names_file_line_rule_expected_actual_and_message(tmp_path: Path) -> None:
    text = (
        "cases:\n" + OPEN + "    expect: {WF011: fail}\n"
        "  - name: wrong on purpose\n"
        "    record:\n"
        "      WorkforceName: labeling-open\n"
        "      SourceIpConfig: {Cidrs: [0.0.0.0/0]}\n"
        "    expect: {WF010: pass, WF011: pass, WF013: fail}\n"
    )
    path = write(tmp_path, "t.yaml", text)
    result = run_cli("test", str(path))
    assert result.code == 1
    assert result.out.splitlines() == [
        f"{path}:9: case 'wrong on purpose': WF011: expected pass, got fail: "
        'SourceIpConfig.Cidrs[0] "0.0.0.0/0" admits every IPv4 address (prefix /0)',
        f"{path}:9: case 'wrong on purpose': WF013: expected fail, got skip: "
        "var allowed_cidrs is not set",
        "1 passed, 1 failed",
    ]
    assert result.err == ""


def test_vars_and_now_per_case_override_the_file_and_the_command_line(tmp_path: Path) -> None:
    record = """\
    record:
      WorkforceName: labeling-updating
      Status: Updating
      LastUpdatedDate: "2026-11-24T00:00:00Z"
"""
    text = f"""\
vars: {{max_transition_hours: 12}}
now: "2026-11-24T06:00:00Z"
cases:
  - name: file vars and file now
{record}    expect: {{WF002: pass}}
  - name: case now
    now: "2026-11-24T13:00:00Z"
{record}    expect: {{WF002: fail}}
  - name: case vars
    now: "2026-11-24T13:00:00Z"
    vars: {{max_transition_hours: 48}}
{record}    expect: {{WF002: pass}}
  - name: null unsets a var
    vars: {{max_transition_hours: null}}
{record}    expect: {{WF002: skip}}
"""
    path = write(tmp_path, "t.yaml", text)
    assert run_cli("test", str(path)).out == "4 passed, 0 failed\n"


def test_command_line_now_applies_to_cases_without_now(tmp_path: Path) -> None:
    text = """\
cases:
  - name: stuck as of --now
    record: {WorkforceName: w, Status: Deleting, LastUpdatedDate: "2026-11-01T00:00:00Z"}
    expect: {WF002: fail}
"""
    path = write(tmp_path, "t.yaml", text)
    assert run_cli("test", "--now", "2026-11-01T01:00:00Z", str(path)).code == 1
    assert run_cli("test", "--now", "2026-11-03T00:00:00Z", str(path)).code == 0


def test_record_files_relative_to_the_test_file(tmp_path: Path) -> None:
    (tmp_path / "records").mkdir()
    workforces = json.loads((EXAMPLES / "workforces.json").read_text())
    (tmp_path / "records" / "all.json").write_text(json.dumps(workforces))
    (tmp_path / "records" / "one.json").write_text(
        json.dumps({"Workforce": workforces["Workforces"][1]})
    )
    write(
        tmp_path,
        "records/planned.yaml",
        """\
        WorkforceName: labeling-planned
        CognitoConfig: {UserPool: eu-west-1_AbCdEf123, ClientId: abc}
    """,
    )
    text = """\
cases:
  - name: one of several, by name
    record_file: records/all.json
    workforce: labeling-broad
    expect: {WF011: fail, WF031: skip}
  - name: describe-workforce output
    record_file: records/one.json
    expect: {WF010: fail, WF036: pass}
  - name: a YAML workforce with region and account from the case
    record_file: records/planned.yaml
    region: eu-west-1
    account: "123456789012"
    expect: {WF036: pass}
"""
    path = write(tmp_path, "suite/../t.yaml", text)
    assert run_cli("test", str(path)).out == "3 passed, 0 failed\n"


def test_directories_are_searched_for_files_with_cases(tmp_path: Path) -> None:
    write(tmp_path, "a/one.yaml", "cases:\n" + OPEN + "    expect: {WF011: fail}\n")
    write(tmp_path, "a/b/two.yml", "cases:\n" + OPEN + "    expect: {WF010: pass}\n")
    write(tmp_path, "a/not-a-test.yaml", "allowed_cidrs: [10.0.0.0/8]\n")
    assert run_cli("test", str(tmp_path / "a")).out == "2 passed, 0 failed\n"


def test_custom_policies_with_coverage(tmp_path: Path) -> None:
    text = """\
cases:
  - name: naming convention followed
    record: {WorkforceName: labeling-x, IpAddressType: ipv4}
    expect: {ACME001: pass, ACME002: skip}
  - name: naming convention broken
    record: {WorkforceName: Team Labeling}
    expect: {ACME001: fail}
"""
    path = write(tmp_path, "t.yaml", text)
    policy = str(EXAMPLES / "policies" / "tagging.yaml")
    plain = run_cli("test", "--policy", policy, str(path))
    assert (plain.code, plain.out) == (0, "2 passed, 0 failed\n")
    covered = run_cli("test", "--policy", policy, "--coverage", str(path))
    assert covered.code == 1
    assert covered.out.splitlines() == [
        "coverage: 1 of 2 rule(s) have a passing and a failing case",
        "  ACME002: no passing and no failing case",
        "2 passed, 0 failed",
    ]


def test_a_failed_expectation_does_not_count_as_coverage(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", "cases:\n" + OPEN + "    expect: {WF011: pass}\n")
    run = run_tests([str(path)], ["builtin"])
    assert run.failed == 1
    assert "WF011" not in run.covered("pass") | run.covered("fail")


def test_names_and_messages_are_made_terminal_safe(tmp_path: Path) -> None:
    text = """\
cases:
  - name: "evil \\e[31mname"
    record: {WorkforceName: w, Status: "Failed", FailureReason: "boom\\e]8;;http://x\\a"}
    expect: {WF001: pass}
"""
    path = write(tmp_path, "t.yaml", text)
    result = run_cli("test", str(path))
    assert result.code == 1
    assert "\x1b" not in result.out and "\a" not in result.out
    assert "case 'evil name': WF001: expected pass, got fail" in result.out


def test_output_is_deterministic(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", "cases:\n" + OPEN + "    expect: {WF011: pass, WF012: pass}\n")
    assert run_cli("test", str(path)).out == run_cli("test", str(path)).out


CASE = "cases:\n  - name: c\n    record: {WorkforceName: w}\n"

INVALID = [
    # (file text, expected "line: message" fragment)
    ("", ": policy test file is empty"),
    ("casez: []\n", ":1:1: unknown key 'casez' (did you mean 'cases'?)"),
    ("cases: []\n", ":1:8: cases: [] should be non-empty"),
    (
        CASE + "    expect: {WF011: fial}\n",
        ":4:21: cases[0].expect.WF011: 'fial' is not one of: pass, fail, skip, error "
        "(did you mean 'fail'?)",
    ),
    (
        CASE + "    expects: {WF011: fail}\n",
        ":4:5: cases[0]: unknown key 'expects' (did you mean 'expect'?)",
    ),
    (CASE, ":2:5: cases[0]: 'expect' is a required property"),
    (
        "cases:\n  - name: c\n    expect: {WF011: fail}\n",
        ":2:5: cases[0]: 'record' is a required property",
    ),
    (
        CASE + "    record_file: x.json\n    expect: {WF011: fail}\n",
        ":2:5: cases[0]: give either record or record_file, not both",
    ),
    (
        CASE + "    expect: {WF099: fail}\n",
        ":4: case 'c': expect: unknown rule 'WF099' (not in the loaded policies)",
    ),
    (
        CASE + "    vars: {allowed_cidr: []}\n    expect: {WF013: fail}\n",
        ":4: case 'c': vars: unknown var 'allowed_cidr' (did you mean 'allowed_cidrs'?)",
    ),
    (CASE + "    vars: {min_subnets: [a]}\n    expect: {WF022: fail}\n", ":4: case 'c': vars: "),
    (
        CASE + "    now: yesterday\n    expect: {WF002: fail}\n",
        ":4:10: now: 'yesterday' is not an ISO-8601 time (for example 2026-01-31T12:00:00Z)",
    ),
    (
        CASE
        + "    expect: {WF011: fail}\n"
        + CASE.removeprefix("cases:\n")
        + "    expect: {WF011: fail}\n",
        ":5:11: duplicate case name 'c' (first at line 2)",
    ),
    (
        "cases:\n  - name: c\n    record_file: missing.json\n    expect: {WF011: fail}\n",
        ":3:18: record_file 'missing.json': ",
    ),
    (
        "cases:\n  - name: c\n    record_file: wf.json\n    expect: {WF011: fail}\n",
        ":3:18: wf.json holds 5 workforces; pick one with 'workforce: NAME'",
    ),
    (
        "cases:\n  - name: c\n    record_file: wf.json\n    workforce: nope\n"
        "    expect: {WF011: fail}\n",
        ":4:16: no workforce named 'nope' in wf.json",
    ),
    (
        CASE + "    workforce: w\n    expect: {WF011: fail}\n",
        ":4:5: 'workforce' selects from a record_file; it cannot go with 'record'",
    ),
    ("cases:\n  - name: c\n    record: {a: [}\n", ":3:18: invalid YAML"),
    (
        CASE + "    account: 12345\n    expect: {WF011: fail}\n",
        ":4:14: cases[0].account: expected a string, got 12345",
    ),
]


@pytest.mark.parametrize(("text", "expected"), INVALID)
def test_invalid_test_files_exit_2_with_file_and_line(
    tmp_path: Path, text: str, expected: str
) -> None:
    (tmp_path / "wf.json").write_text((EXAMPLES / "workforces.json").read_text())
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("test", str(path))
    assert result.code == 2, result
    assert result.out == ""
    assert result.err.startswith(f"wfcheck: error: {path}{expected}"), result.err
    assert len(result.err.splitlines()) == 1


def test_missing_path_and_empty_directory_exit_2(tmp_path: Path) -> None:
    missing = run_cli("test", str(tmp_path / "nope"))
    assert (missing.code, missing.err) == (
        2,
        f"wfcheck: error: {tmp_path / 'nope'}: no such test file or directory\n",
    )
    empty = run_cli("test", str(tmp_path))
    assert empty.code == 2
    assert "directory holds no policy test files" in empty.err


def test_nothing_runs_when_a_later_file_is_invalid(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "cases:\n" + OPEN + "    expect: {WF011: pass}\n")
    write(tmp_path, "b.yaml", "cases:\n" + OPEN + "    expect: {WF011: nope}\n")
    result = run_cli("test", str(tmp_path))
    assert result.code == 2
    assert result.out == ""


def test_validate_knows_policy_test_files(tmp_path: Path) -> None:
    good = write(tmp_path, "good.yaml", "cases:\n" + OPEN + "    expect: {WF011: fail}\n")
    bad = write(tmp_path, "bad.yaml", "cases:\n" + OPEN + "    expect: {WF011: nope}\n")
    assert run_cli("validate", str(good)).code == 0
    result = run_cli("validate", str(bad))
    assert result.code == 2
    assert f"{bad}:8:21: cases[0].expect.WF011: 'nope' is not one of" in result.err


def test_load_test_file_keeps_case_lines(tmp_path: Path) -> None:
    second = OPEN.replace("open to the internet", "second")
    path = write(
        tmp_path,
        "t.yaml",
        "# comment\ncases:\n"
        + OPEN
        + "    expect: {WF011: fail}\n"
        + second
        + "    expect: {WF010: pass}\n",
    )
    assert [case.line for case in load_test_file(str(path))] == [3, 10]


# --- record files stay inside the test file's folder ---------------------------------------------

OUTSIDE = """\
cases:
  - name: reads a file elsewhere
    record_file: {record_file}
    expect: {{WF010: pass}}
"""


def _outside_record(tmp_path: Path) -> Path:
    """A workforce file next to (not inside) the folder of the tests."""
    record = tmp_path / "elsewhere" / "secret.json"
    record.parent.mkdir()
    record.write_text(json.dumps({"WorkforceName": "secret-value", "SourceIpConfig": {}}))
    return record


@pytest.mark.parametrize("how", ["absolute", "dotdot", "symlink", "symlinked folder"])
def test_a_record_file_outside_the_test_folder_is_refused(tmp_path: Path, how: str) -> None:
    record = _outside_record(tmp_path)
    tests = tmp_path / "tests"
    tests.mkdir()
    if how == "absolute":
        named = str(record)
    elif how == "dotdot":
        named = "../elsewhere/secret.json"
    elif how == "symlink":
        (tests / "link.json").symlink_to(record)
        named = "link.json"
    else:
        (tests / "records").symlink_to(record.parent, target_is_directory=True)
        named = "records/secret.json"
    path = write(tests, "t.yaml", OUTSIDE.format(record_file=named))
    result = run_cli("test", str(path))
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(f"wfcheck: error: {path}:3:18: record_file {named!r}"), result.err
    assert "secret-value" not in result.err
    assert len(result.err.splitlines()) == 1


def test_a_record_file_in_a_subfolder_or_linked_within_the_folder_is_read(tmp_path: Path) -> None:
    tests = tmp_path / "tests"
    (tests / "records").mkdir(parents=True)
    (tests / "records" / "wf.json").write_text(
        json.dumps({"WorkforceName": "w", "SourceIpConfig": {"Cidrs": ["203.0.113.0/24"]}})
    )
    (tests / "alias.json").symlink_to(tests / "records" / "wf.json")
    for named in ("records/wf.json", "./records/../records/wf.json", "alias.json"):
        path = write(tests, "t.yaml", OUTSIDE.format(record_file=named))
        result = run_cli("test", str(path))
        assert (result.code, result.out) == (0, "1 passed, 0 failed\n"), (named, result.err)
