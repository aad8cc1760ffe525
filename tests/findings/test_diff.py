"""``wfcheck diff``: the example snapshots, reports vs snapshots, formats, exit codes, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, NOW
from tests.helpers import run_cli
from tests.reports.conftest import INJECTIONS

VARS = str(EXAMPLES / "vars.yaml")
BEFORE = str(EXAMPLES / "snapshots" / "before.json")
AFTER = str(EXAMPLES / "snapshots" / "after.json")
BROAD = "arn:aws:sagemaker:us-east-1:222222222222:workforce/labeling-broad"
PROD = "arn:aws:sagemaker:us-east-1:111111111111:workforce/labeling-prod"
OPEN = "arn:aws:sagemaker:eu-west-1:111111111111:workforce/labeling-open"
NEW = "arn:aws:sagemaker:eu-west-1:333333333333:workforce/labeling-new"

EXPECTED = {
    "new": {f"WF021:{PROD}", f"WF032:{PROD}", f"WF010:{NEW}", f"WF020:{NEW}"},
    "resolved": {
        f"WF010:{OPEN}",
        f"WF020:{OPEN}",
        f"WF011:{BROAD}",
        f"WF012:{BROAD}",
        f"WF013:{BROAD}",
        f"WF014:{BROAD}",
    },
    "unchanged": {
        f"{rule}:{BROAD}"
        for rule in ("WF021", "WF022", "WF023", "WF031", "WF032", "WF033", "WF034")
    },
}


def diff(*args: str) -> tuple[int, str, str]:
    run = run_cli("diff", "--var-file", VARS, "--now", NOW, *args)
    return run.code, run.out, run.err


def fingerprints(data: dict) -> dict[str, set[str]]:  # type: ignore[type-arg]
    found: dict[str, set[str]] = {"new": set(), "resolved": set(), "unchanged": set()}
    for group in data["workforces"]:
        for kind in found:
            found[kind].update(item["fingerprint"] for item in group[kind])
    return found


def json_report(tmp_path: Path, source: str, name: str, *extra: str) -> str:
    run = run_cli(
        "scan",
        "--input",
        source,
        "--var-file",
        VARS,
        "--now",
        NOW,
        "--format",
        "json",
        "--output",
        str(tmp_path / name),
        *extra,
    )
    assert run.code in (0, 1), run.err
    return str(tmp_path / name)


def test_example_snapshots_json() -> None:
    code, out, err = diff(BEFORE, AFTER, "--format", "json")
    assert code == 1, err
    data = json.loads(out)
    assert fingerprints(data) == EXPECTED
    assert data["summary"] == {"new": 4, "resolved": 6, "unchanged": 7}
    presence = {group["name"]: group["presence"] for group in data["workforces"]}
    assert presence == {
        "labeling-open": "removed",
        "labeling-prod": "both",
        "labeling-broad": "both",
        "labeling-new": "added",
    }
    (wf011,) = [
        item
        for group in data["workforces"]
        for item in group["resolved"]
        if item["rule_id"] == "WF011"
    ]
    assert wf011["old"]["status"] == "fail" and wf011["new"]["status"] == "pass"
    assert wf011["severity"] == "critical"
    assert data["old"] == {"source": BEFORE, "kind": "input", "results": 96, "collection_errors": 0}


def test_example_snapshots_table() -> None:
    code, out, _ = diff(BEFORE, AFTER)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"wfcheck diff: {BEFORE} -> {AFTER}"
    assert "labeling-open (111111111111 eu-west-1) [workforce removed]" in lines
    assert "labeling-new (333333333333 eu-west-1) [workforce added]" in lines
    assert any(line.split()[:5] == ["new", "WF032", "high", "pass", "->"] for line in lines)
    # a resolved failure says what was wrong, not "ok"
    assert any(line.startswith("resolved  WF011") and "0.0.0.0/0" in line for line in lines)
    assert "(7 unchanged failure(s); --show-unchanged lists them)" in lines
    assert lines[-1] == "4 new failure(s), 6 resolved, 7 unchanged in 4 workforce(s)"
    _, shown, _ = diff(BEFORE, AFTER, "--show-unchanged")
    assert sum(line.startswith("unchanged ") for line in shown.splitlines()) == 7


def test_example_snapshots_markdown() -> None:
    code, out, _ = diff(BEFORE, AFTER, "--format", "markdown")
    assert code == 1
    assert out.startswith(
        "## wfcheck diff: 4 new failure(s), 6 resolved, 7 unchanged in 4 workforce(s)\n"
    )
    assert "### labeling\\-prod" not in out  # '-' is not escaped
    assert "### labeling-prod \\(111111111111 us-east-1\\)\n" in out  # the scan's escaping
    assert (
        "| new | WF021 | medium | pass -&gt; fail | Workforce is Active and connected to VPC "
        '"vpc-0a1b2c3d4e5f60001" but has no VPC endpoint \\(WorkforceVpcConfig.VpcEndpointId is '
        "absent\\) |" in out
    )


def test_reports_and_snapshots_give_the_same_diff(tmp_path: Path) -> None:
    old = json_report(tmp_path, BEFORE, "old.json")
    new = json_report(tmp_path, AFTER, "new.json")
    for pair in ((old, new), (BEFORE, new), (old, AFTER)):
        code, out, _ = diff(*pair, "--format", "json")
        assert code == 1
        assert fingerprints(json.loads(out)) == EXPECTED
    _, out, _ = diff(old, new, "--format", "json")
    assert json.loads(out)["old"]["kind"] == "report"


def test_reversed_diff_swaps_new_and_resolved() -> None:
    code, out, _ = diff(AFTER, BEFORE, "--format", "json")
    assert code == 1
    found = fingerprints(json.loads(out))
    assert found["new"] == EXPECTED["resolved"] and found["resolved"] == EXPECTED["new"]


def test_no_change_exits_0() -> None:
    code, out, _ = diff(AFTER, AFTER, "--format", "json")
    assert code == 0
    assert json.loads(out)["summary"] == {"new": 0, "resolved": 0, "unchanged": 11}


@pytest.mark.parametrize(("fail_on", "code"), [("low", 1), ("high", 1), ("critical", 0)])
def test_fail_on_threshold(fail_on: str, code: int) -> None:
    assert diff(BEFORE, AFTER, "--fail-on", fail_on)[0] == code


def test_rule_selection_applies_to_evaluated_inputs() -> None:
    code, out, _ = diff(BEFORE, AFTER, "--rule", "WF021", "--format", "json")
    assert code == 1
    assert fingerprints(json.loads(out))["new"] == {f"WF021:{PROD}"}
    code, _, _ = diff(BEFORE, AFTER, "--rule", "WF011")
    assert code == 0  # only a resolution


def test_waived_failure_reads_as_resolved_from_reports(tmp_path: Path) -> None:
    old = json_report(tmp_path, BEFORE, "old.json")
    new = json_report(
        tmp_path, BEFORE, "new.json", "--waivers", str(EXAMPLES / "waivers.yaml"),
        "--max-waiver-days", "1500",
    )  # fmt: skip
    code, out, _ = diff(old, new, "--format", "json")
    assert code == 0
    (group,) = [g for g in json.loads(out)["workforces"] if g["name"] == "labeling-broad"]
    waived = {item["rule_id"]: item["new"]["status"] for item in group["resolved"]}
    assert waived == {
        "WF031": "waived",
        "WF032": "waived",
        "WF033": "waived",
        "WF034": "waived",
        "WF011": "waived",
    }


def test_output_is_deterministic(tmp_path: Path) -> None:
    for fmt in ("table", "json", "markdown"):
        assert diff(BEFORE, AFTER, "--format", fmt)[1] == diff(BEFORE, AFTER, "--format", fmt)[1]
    target = tmp_path / "diff.md"
    code, out, _ = diff(BEFORE, AFTER, "--format", "markdown", "--output", str(target))
    assert code == 1 and out == ""
    assert target.read_text() == diff(BEFORE, AFTER, "--format", "markdown")[1]


def snapshot(tmp_path: Path, name: str, workforces: list[dict], **extra: object) -> str:  # type: ignore[type-arg]
    path = tmp_path / name
    records = [
        {"account": "111111111111", "region": "us-east-1", "workforce": w} for w in workforces
    ]
    path.write_text(json.dumps({"schema_version": 1, "records": records, **extra}))
    return str(path)


def test_hostile_values_are_escaped(tmp_path: Path) -> None:
    old = snapshot(tmp_path, "old.json", [])
    workforces = [
        {
            "WorkforceName": f"wf{i}{payload}",
            "WorkforceArn": f"arn:aws:sagemaker:us-east-1:111111111111:workforce/wf{i}",
            "Status": "Failed",
            "FailureReason": payload,
            "SourceIpConfig": {"Cidrs": ["0.0.0.0/0"]},
        }
        for i, payload in enumerate(INJECTIONS)
    ]
    new = snapshot(tmp_path, "new.json", workforces)
    _, table, _ = diff(old, new)
    assert "\x1b" not in table and "\r" not in table
    _, markdown, _ = diff(old, new, "--format", "markdown")
    assert "<script>" not in markdown and "\x1b" not in markdown
    for line in markdown.splitlines():
        if line.startswith("| new "):
            assert line.replace("\\|", "").count("|") == 6, line  # no injected cells
        assert not line.startswith("::error::")
    _, data, _ = diff(old, new, "--format", "json")
    names = {group["name"] for group in json.loads(data)["workforces"]}
    assert names == {f"wf{i}{payload}" for i, payload in enumerate(INJECTIONS)}


def test_incomplete_side_is_noted(tmp_path: Path) -> None:
    old = snapshot(
        tmp_path,
        "old.json",
        [],
        errors=[
            {
                "account": "111111111111",
                "region": "us-east-1",
                "code": "AccessDenied",
                "message": "no",
            }
        ],
    )
    code, out, err = diff(old, AFTER, "--format", "json")
    assert code == 1
    assert json.loads(out)["notes"] == [
        f"{old} is incomplete (1 collection error(s)): a "
        "resolved failure there may be missing data, not a fix"
    ]
    assert "incomplete" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"schema_version": 3, "results": []}', "unsupported report schema_version 3"),
        (
            '{"schema_version": 1, "results": [{"rule_id": "WF011", "resource": {}, '
            '"status": "resolvedish", "severity": "high"}]}',
            "results[0].status: unknown status 'resolvedish'",
        ),
        (
            '{"schema_version": 2, "rules": {"WF011": {"title": "t", "severity": "high"}}, '
            '"resources": [{"name": "x"}], "results": [{"rule_id": "WF011", "resource": 0, '
            '"status": "passed-ish"}]}',
            "results[0].status: unknown status 'passed-ish'",
        ),
        (
            '{"schema_version": 2, "rules": {}, "resources": [], "results": [{"rule_id": '
            '"WF011", "resource": 0, "status": "fail"}]}',
            "results[0].resource: no resource 0",
        ),
        ('{"schema_version": 1, "results": {}}', "results: expected a list"),
        (
            '{"schema_version": 1, "results": [{"resource": {}, "status": "fail", '
            '"severity": "high"}]}',
            "results[0].rule_id: expected a string",
        ),
        (
            '{"schema_version": 1, "results": [{"rule_id": "WF011", "resource": {}, '
            '"status": "fail", "severity": "huge"}]}',
            "unknown severity 'huge'",
        ),
        ('{"schema_version": 1, "results": [1]}', "results[0]: expected a result object"),
        ('{"schema_version": 1, "results": [\n', "invalid JSON"),
        ('{"Foo": 1}', "not a recognized input"),
    ],
)
def test_bad_input_is_exit_2(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    code, out, err = diff(BEFORE, str(path))
    assert code == 2 and out == ""
    (line,) = err.strip().splitlines()
    assert line.startswith(f"wfcheck: error: {path}") and message in line


@pytest.mark.parametrize("args", [("-", AFTER), (BEFORE, "/nonexistent/new.json")])
def test_unreadable_sides_are_exit_2(args: tuple[str, str]) -> None:
    code, _, err = diff(*args)
    assert code == 2 and "wfcheck: error:" in err


def test_bad_policy_is_exit_2(tmp_path: Path) -> None:
    code, _, err = diff(BEFORE, AFTER, "--policy", str(tmp_path / "none.yaml"))
    assert code == 2 and "no such policy file" in err


def test_help_lists_formats() -> None:
    run = run_cli("diff", "--help")
    assert run.code == 0 and "{json,markdown,table}" in run.out


V1_REPORT = str(Path(__file__).resolve().parents[1] / "golden" / "examples.schema-v1.json")
"""The last JSON report wfcheck wrote in schema version 1 (frozen: never refreshed)."""


def test_schema_version_1_reports_still_load(tmp_path: Path) -> None:
    """A report written by an earlier wfcheck (schema version 1, 18 rules) diffs against one
    written now (version 2): the same failures are unchanged, the new rules' failures new."""
    current = json_report(tmp_path, str(EXAMPLES / "workforces.json"), "v2.json")
    assert json.loads(Path(current).read_text())["schema_version"] == 2
    code, out, err = diff(V1_REPORT, current, "--format", "json")
    data = json.loads(out)
    assert data["old"] == {
        "source": V1_REPORT,
        "kind": "report",
        "results": 90,
        "collection_errors": 0,
    }
    assert data["new"]["kind"] == "report" and data["new"]["results"] == 160
    assert data["summary"]["unchanged"] > 0
    new_rules = {c["rule_id"] for w in data["workforces"] for c in w["new"]}
    assert {"WF015", "WF024"} <= new_rules
    assert code == 1, err
    code, out, _ = diff(V1_REPORT, V1_REPORT, "--format", "json")
    assert code == 0
    assert json.loads(out)["summary"] == {"new": 0, "resolved": 0, "unchanged": 19}


def test_version_2_results_before_their_resources(tmp_path: Path) -> None:
    """Key order is not part of the format: a tool that rewrites the report may move keys."""
    report = json.loads(Path(json_report(tmp_path, AFTER, "after.json")).read_text())
    moved = {key: report[key] for key in ("schema_version", "rules", "results")}
    moved["resources"] = report["resources"]
    path = tmp_path / "moved.json"
    path.write_text(json.dumps(moved))
    code, out, _ = diff(BEFORE, str(path), "--format", "json")
    assert code == 1
    assert fingerprints(json.loads(out)) == EXPECTED
