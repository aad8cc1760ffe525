"""Baselines: write, read back, accept known failures, surface new ones, list resolved ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.files.timestamps import parse_timestamp
from checker.findings.baseline import (
    Baseline,
    BaselineEntry,
    apply_baseline,
    load_baseline,
    render_baseline,
)
from checker.model import Resource, Result, RuleInfo, Status
from tests.conftest import EXAMPLES, NOW
from tests.helpers import flat_results, run_cli

EXAMPLE_INPUT = str(EXAMPLES / "workforces.json")
VARS = str(EXAMPLES / "vars.yaml")
BEFORE = str(EXAMPLES / "snapshots" / "before.json")
AFTER = str(EXAMPLES / "snapshots" / "after.json")


def scan(*args: str) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    run = run_cli("scan", "--var-file", VARS, "--now", NOW, "--format", "json", *args)
    return run.code, json.loads(run.out) if run.out else {}, run.err


def failing(report: dict) -> set[tuple[str, str]]:  # type: ignore[type-arg]
    return {
        (r["rule_id"], r["resource"]["name"]) for r in flat_results(report) if r["status"] == "fail"
    }


def test_round_trip_turns_every_known_failure_into_baseline(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    code, first, _ = scan("--input", EXAMPLE_INPUT, "--write-baseline", str(path))
    assert code == 1  # writing a baseline does not change this run's results
    known = failing(first)
    assert known
    code, second, _ = scan("--input", EXAMPLE_INPUT, "--baseline", str(path))
    assert code == 0
    assert failing(second) == set()
    accepted = [r for r in flat_results(second) if r["status"] == "baseline"]
    assert {(r["rule_id"], r["resource"]["name"]) for r in accepted} == known
    assert all(r["annotation"] == {"baseline": True} for r in accepted)
    assert second["summary"]["baseline"] == len(known)
    assert any(
        f"{len(known)} known failure(s) of {len(known)} entr(ies) still present; 0 resolved" in note
        for note in second["notes"]
    )


def test_baseline_file_is_deterministic_sorted_and_readable(tmp_path: Path) -> None:
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    scan("--input", EXAMPLE_INPUT, "--write-baseline", str(one))
    scan("--input", EXAMPLE_INPUT, "--write-baseline", str(two))
    assert one.read_bytes() == two.read_bytes()
    data = json.loads(one.read_text())
    assert data["schema_version"] == 1 and data["generated_at"] == NOW
    fingerprints = [entry["fingerprint"] for entry in data["entries"]]
    assert fingerprints == sorted(set(fingerprints))
    broad = "arn:aws:sagemaker:us-east-1:222222222222:workforce/labeling-broad"
    assert {
        "fingerprint": f"WF011:{broad}",
        "rule_id": "WF011",
        "resource": broad,
        "name": "labeling-broad",
        "account": "222222222222",
        "region": "us-east-1",
        "severity": "critical",
        "title": "No CIDR is open to the whole internet",
    } in data["entries"]


def test_only_new_failures_count_and_resolved_entries_are_listed(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    scan("--input", BEFORE, "--write-baseline", str(path))
    code, report, _ = scan("--input", AFTER, "--baseline", str(path))
    assert code == 1
    assert failing(report) == {
        ("WF021", "labeling-prod"),
        ("WF032", "labeling-prod"),
        ("WF010", "labeling-new"),
        ("WF020", "labeling-new"),
    }
    resolved = sorted(n for n in report["notes"] if n.startswith("baseline entry resolved"))
    assert resolved == [
        f"baseline entry resolved: {rule} on labeling-broad "
        f"({rule}:arn:aws:sagemaker:us-east-1:222222222222:workforce/"
        "labeling-broad)"
        for rule in ("WF011", "WF012", "WF013", "WF014")
    ]
    # labeling-open is gone from the scan: not evaluated, which is not the same as resolved
    assert any("2 entr(ies) not evaluated in this run" in n for n in report["notes"])


def test_rewriting_with_a_baseline_keeps_known_failures(tmp_path: Path) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    scan("--input", EXAMPLE_INPUT, "--write-baseline", str(old))
    scan("--input", EXAMPLE_INPUT, "--baseline", str(old), "--write-baseline", str(new))
    assert old.read_bytes() == new.read_bytes()


def test_waived_results_stay_out_of_the_baseline(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    scan(
        "--input",
        EXAMPLE_INPUT,
        "--waivers",
        str(EXAMPLES / "waivers.yaml"),
        "--max-waiver-days",
        "1500",
        "--write-baseline",
        str(path),
    )
    rules = {(e["rule_id"], e["name"]) for e in json.loads(path.read_text())["entries"]}
    assert ("WF011", "labeling-broad") not in rules  # waived: must surface when it expires
    assert ("WF012", "labeling-broad") in rules


def result(status: Status, rule_id: str = "WF011", **where: str | None) -> Result:
    resource = Resource(
        arn=where.get("arn"),
        name=where.get("name", "wf"),
        account="111111111111",
        region="us-east-1",
        source="plan.json",
        source_kind="terraform",
        address=where.get("address"),
    )
    return Result(RuleInfo(rule_id, "t", "high", remediation="r"), status, resource, "m", "p")


def test_terraform_records_are_fingerprinted_by_address() -> None:
    moment = parse_timestamp(NOW)
    assert moment is not None
    failed = result(Status.FAIL, address="module.a.aws_sagemaker_workforce.main")
    data = json.loads(render_baseline([failed], moment))
    assert data["entries"][0]["fingerprint"] == "WF011:module.a.aws_sagemaker_workforce.main"
    entry = BaselineEntry(**data["entries"][0])
    baseline = Baseline("b.json", {entry.fingerprint: entry})
    other = result(Status.FAIL, address="module.b.aws_sagemaker_workforce.main")
    outcome = apply_baseline([failed, other], baseline)
    assert [r.status for r in outcome.results] == [Status.BASELINE, Status.FAIL]


@pytest.mark.parametrize(
    ("status", "recorded"),
    [
        (Status.FAIL, True),
        (Status.UNKNOWN, True),
        (Status.BASELINE, True),
        (Status.PASS, False),
        (Status.SKIP, False),
        (Status.ERROR, False),
        (Status.WAIVED, False),
    ],
)
def test_which_statuses_are_recorded(status: Status, recorded: bool) -> None:
    moment = parse_timestamp(NOW)
    assert moment is not None
    data = json.loads(render_baseline([result(status, arn="arn:aws:sagemaker:x")], moment))
    assert bool(data["entries"]) is recorded


def test_a_baseline_entry_still_erroring_is_not_resolved() -> None:
    arn = "arn:aws:sagemaker:us-east-1:111111111111:workforce/wf"
    entry = BaselineEntry(f"WF011:{arn}", "WF011", arn, "wf", None, None, None, None)
    outcome = apply_baseline(
        [result(Status.ERROR, arn=arn)], Baseline("b.json", {entry.fingerprint: entry})
    )
    assert outcome.results[0].status is Status.ERROR  # an error is never accepted
    assert not [n for n in outcome.notes if "resolved:" in n]


GOOD = {
    "schema_version": 1,
    "entries": [{"fingerprint": "WF011:arn:x", "rule_id": "WF011", "resource": "arn:x"}],
}


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            '{\n  "schema_version": 1,\n  "entries": [\n    {"fingerprint": "x",}\n  ]\n}\n',
            4,
            "invalid JSON",
        ),
        (json.dumps({**GOOD, "schema_version": 2}, indent=2), 2, "schema_version: 1 was expected"),
        (json.dumps({"entries": []}, indent=2), 1, "'schema_version' is a required property"),
        (
            json.dumps({**GOOD, "entrys": []}, indent=2),
            10,
            "unknown key 'entrys' (did you mean 'entries'?)",
        ),
        (
            json.dumps(
                {
                    "schema_version": 1,
                    "entries": [
                        {"fingerprint": "WF011:arn:x", "rule_id": "WF011", "resource": "arn:x"},
                        {"fingerprint": "WF012:arn:x", "rule_id": "WF012"},
                    ],
                },
                indent=2,
            ),
            9,
            "entries[1]: 'resource' is a required property",
        ),
        (
            json.dumps(
                {
                    "schema_version": 1,
                    "entries": [
                        {"fingerprint": "WF012:arn:x", "rule_id": "WF011", "resource": "arn:x"}
                    ],
                },
                indent=2,
            ),
            5,
            "entries[0].fingerprint: 'WF012:arn:x' is not rule_id:resource",
        ),
        (
            json.dumps({"schema_version": 1, "entries": "all"}, indent=2),
            3,
            "entries: 'all' is not of type 'array'",
        ),
        ("[]", 1, "[] is not of type 'object'"),
    ],
)
def test_malformed_baseline_is_exit_2_with_file_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(text)
    code, report, err = scan("--input", EXAMPLE_INPUT, "--baseline", str(path))
    assert code == 2 and report == {}
    (error,) = err.strip().splitlines()
    assert error.startswith(f"wfcheck: error: {path}:{line}:"), error
    assert message in error


def test_load_baseline_accepts_a_written_file(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text(json.dumps(GOOD))
    assert list(load_baseline(str(path)).entries) == ["WF011:arn:x"]


@pytest.mark.parametrize("target", ["-", "{tmp}/missing-dir/b.json"])
def test_unwritable_baseline_target_is_exit_2(tmp_path: Path, target: str) -> None:
    code, _, err = scan("--input", EXAMPLE_INPUT, "--write-baseline", target.format(tmp=tmp_path))
    assert code == 2 and "baseline" in err


def test_missing_baseline_file_is_exit_2(tmp_path: Path) -> None:
    code, _, err = scan("--input", EXAMPLE_INPUT, "--baseline", str(tmp_path / "none.json"))
    assert code == 2 and "none.json: cannot read baseline file" in err


ENTRY = {"fingerprint": "WF011:arn:x", "rule_id": "WF011", "resource": "arn:x"}


@pytest.mark.parametrize(
    "doc",
    [
        GOOD,
        {"schema_version": 1, "entries": []},
        {"schema_version": 1.0, "entries": []},
        {"schema_version": True, "entries": []},
        {"schema_version": "1", "entries": []},
        {"schema_version": 1, "entries": [], "tool": 3},
        {"schema_version": 1, "entries": [], "generated_at": None},
        {"schema_version": 1, "entries": [], "extra": 1},
        {"schema_version": 1},
        {"schema_version": 1, "entries": [{**ENTRY, "name": None, "title": "t"}]},
        {"schema_version": 1, "entries": [{**ENTRY, "name": 3}]},
        {"schema_version": 1, "entries": [{**ENTRY, "other": "x"}]},
        {"schema_version": 1, "entries": [{**ENTRY, "fingerprint": "ab"}]},
        {"schema_version": 1, "entries": [{**ENTRY, "rule_id": ""}]},
        {"schema_version": 1, "entries": [{**ENTRY, "resource": None}]},
        {"schema_version": 1, "entries": [ENTRY, "x"]},
        {"schema_version": 1, "entries": {}},
        [],
        None,
    ],
)
def test_fast_check_agrees_with_the_schema(doc: object) -> None:
    from checker.findings.baseline import _validator, _well_formed

    assert _well_formed(doc) is (not list(_validator().iter_errors(doc)))
